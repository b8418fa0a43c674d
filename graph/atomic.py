"""Atomic file output: write to a temporary file beside the target, then rename.

An interrupted or failed write leaves the previous file (or none), never half a file;
two writers racing to the same path leave one complete file. A symbolic link is written
through (the link stays); a pipe or a device such as ``/dev/null`` is written directly,
never replaced by a file. A file that is replaced keeps its permissions (``chmod 600`` stays);
a new one gets ``0644`` less the umask. :func:`refuse_inside` keeps outputs out of the data folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from collections.abc import Iterable, Iterator, Mapping
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, BinaryIO

from .errors import OutputError, UsageError

__all__ = ["atomic_path", "atomic_writer", "atomic_folder", "write_atomic", "write_outputs", "refuse_inside",
           "is_inside", "sweep_debris", "DEBRIS_AGE"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, mode: int | None = None, sync: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; once the block succeeds it replaces ``path`` in one rename,
    on error it vanishes. THE way tieline writes a file (:func:`atomic_writer` builds on it).

    ``mode``: the new file's permission bits (default: the replaced file's, or 0644 less the umask);
    ``sync``: flush it to disk before the rename (caches skip it: a damaged one is rebuilt). The
    temporary file is named ``.NAME.XXXXXXXX.tmp`` and locked (``flock``) while it is written, so that
    :func:`sweep_debris` can tell an interrupted writer's debris from a file being written.
    OSError becomes :class:`OutputError`.
    """
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # ≈ 3 ms with the random and shutil it pulls in: a warm query writes nothing

        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        _lock(fd, wait=False)  # held while the file is written: :func:`sweep_debris` never takes a file being written
        yield Path(tmp)
        if sync:
            os.fsync(fd)
        os.chmod(tmp, _mode_for(target) if mode is None else mode)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise
    finally:
        os.close(fd)


DEBRIS_AGE = 600
"""Seconds after its last write from which a temporary file nobody holds is debris (:func:`sweep_debris`)."""
_DEBRIS = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp\Z")  # what atomic_path names them


def sweep_debris(folder: str | os.PathLike[str], names: Iterable[str] = (), suffix: str | None = None,
                 older_than: float = DEBRIS_AGE) -> int:
    """Remove the temporary files :func:`atomic_path` left in ``folder`` when its writer died
    (Ctrl-C, ``kill -9``, a crash): only those of the files ``names`` (or ending in ``suffix``),
    unchanged for ``older_than`` seconds and held by no running writer (its lock). How many went."""
    wanted, removed = set(names), 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    now = time.time()
    for entry in entries:
        match = _DEBRIS.match(entry.name)
        if not match or not (match["name"] in wanted or (suffix and match["name"].endswith(suffix))):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < older_than:
                continue
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            if _lock(fd, wait=False):
                os.unlink(entry.path)  # under our lock: no writer holds it, none can take it now
                removed += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _lock(fd: int, wait: bool = True) -> bool:
    """An exclusive lock on the open file ``fd`` (released when it is closed, or its process dies)."""
    try:
        import fcntl
    except ImportError:  # no flock here: age alone tells debris
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], *, mode: int | None = None, sync: bool = True) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it replaces ``path`` in one rename, on error it vanishes.

    A pipe or a device such as ``/dev/null`` is written directly, never replaced by a file.
    """
    target = Path(path)
    if _special(target):
        with _direct(target) as handle:
            yield handle
        return
    with atomic_path(target, mode=mode, sync=sync) as tmp:
        try:
            with open(tmp, "wb") as handle:
                yield handle
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty staging folder beside ``path``; on success it becomes ``path`` in one rename, on error it vanishes.

    ``path`` must not exist or be an empty folder (a whole folder is written, all or nothing). The
    staging folder is named ``.NAME.PID.*.tmp``: what a writer killed with ``kill -9`` left is swept
    by the next writer of ``path`` (its process is gone). The folder gets ``0777`` less the umask,
    like one made by ``mkdir``.
    """
    target = Path(path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(f"cannot write {target}: it exists and is not an empty folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        import shutil
        import tempfile

        _sweep(target, shutil)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        yield staging
        os.chmod(staging, 0o777 & ~_umask())
        if target.exists():
            target.rmdir()
        os.rename(staging, target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise


def _sweep(target: Path, shutil: Any) -> None:
    """Remove the staging folders of ``target`` whose writer process no longer exists."""
    prefix = f".{target.name}."
    for stale in target.parent.glob(f"{glob_escape(prefix)}*.tmp"):
        pid = stale.name[len(prefix):].split(".", 1)[0]
        if stale.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_writer(path) as handle:
        handle.write(data)


def write_outputs(files: Mapping[Path, bytes], data_dir: str | os.PathLike[str] | tuple[Path, ...]) -> None:
    """Write each file atomically, after checking that none lies inside ``data_dir`` (then none is written).

    Every command that writes files goes through here: exports, ``build`` and imports. Several
    data folders (a tuple of them, :class:`graph.files.Folders`) are each refused.
    """
    folders = list(data_dir) if isinstance(data_dir, tuple) else [data_dir]
    for path in files:
        for folder in folders:
            refuse_inside(path, folder)
    for path, data in files.items():
        write_atomic(path, data)


def refuse_inside(out_path: str | os.PathLike[str], data_dir: str | os.PathLike[str]) -> None:
    """Raise :class:`UsageError` when ``out_path`` is, or lies inside, the data folder ``data_dir``.

    Checked by :func:`is_inside`: with links resolved and ``.``/``..`` removed, so ``--out d/facts.yaml``,
    ``--out-dir d`` and ``--data .`` with a relative output path are all caught, as is a link that
    leads into the folder; and by device and inode, so a bind mount of the folder is caught too.
    Call it for every output file or folder before writing anything (not for ``-``, stdout).
    """
    if is_inside(out_path, data_dir):
        data = os.path.realpath(data_dir)
        raise UsageError(f"refusing to write {os.fspath(out_path)}: it is inside the data folder "
                         f"{os.fspath(data_dir)} ({data}), which tieline never writes to; "
                         "choose an output path outside it")


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it: THE test of "inside the data folder".

    Paths are compared with links resolved; then each existing folder on the way up from ``path``
    is compared with ``folder`` by device and inode, so the same folder reached through a bind
    mount (``mount --bind data elsewhere``) or another name the kernel gives it counts as inside.
    """
    real_folder, real = os.path.realpath(folder), os.path.realpath(path)
    if os.path.commonpath([real, real_folder]) == real_folder:
        return True
    try:
        wanted = os.stat(real_folder)
    except OSError:
        return False
    here = real
    while True:
        try:
            st = os.stat(here)
        except OSError:
            st = None
        if st is not None and (st.st_dev, st.st_ino) == (wanted.st_dev, wanted.st_ino):
            return True
        parent = os.path.dirname(here)
        if parent == here:
            return False
        here = parent


def _mode_for(target: Path) -> int:
    """The permission bits the new file gets: the replaced file's, or 0644 less the umask."""
    try:
        existing = target.stat()
    except OSError:
        return 0o644 & ~_umask()
    return stat.S_IMODE(existing.st_mode) if stat.S_ISREG(existing.st_mode) else 0o644 & ~_umask()


def _special(target: Path) -> bool:
    """True for an existing pipe, socket or device: there is no file to replace, only a stream."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def _direct(target: Path) -> Iterator[BinaryIO]:
    try:
        with open(target, "wb") as handle:
            yield handle
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
