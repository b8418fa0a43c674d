"""Which files of a data folder are fact files: the folder walk and its policy.

Every ``*.yaml``/``*.yml`` file (any case) under the data folder, hidden files and folders skipped,
walked without recursion and sorted; links, pipes, devices, files over :data:`MAX_FILE_BYTES` and
folders deeper than :data:`MAX_FOLDER_DEPTH` are refused by name rather than skipped in silence.
Kept apart from the parser (:mod:`graph.load`) so that a query answered from the query index
(:mod:`graph.index`) checks its data's freshness without importing it.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path
from typing import Any

from .errors import DataError, DataErrors
from .yamlfile import shown

__all__ = ["MAX_FILE_BYTES", "MAX_FOLDER_DEPTH", "data_files", "Folders", "joined_files"]

MAX_FILE_BYTES = 256 * 1024 * 1024  # one fact file; a 100 MB file loads in about a minute
MAX_FOLDER_DEPTH = 16  # folders below the data folder; real stories use two or three
_FACT_SUFFIXES = (".yaml", ".yml")


class Folders(tuple):  # type: ignore[type-arg]
    """The data folders a command reads as one graph (``--data A --data B``, ``TIELINE_DATA=A:B``), in
    the order given; ``str()`` names them as the user did, for "data/ is valid" and error summaries."""

    @classmethod
    def of(cls, given: Any) -> Folders:
        """Folders from a path, a list of paths, or None (then ``$TIELINE_DATA``, ``:``-separated, else ``data``)."""
        if isinstance(given, Folders):
            return given
        if isinstance(given, (str, os.PathLike)):
            return cls([Path(given)])
        paths = [Path(p) for p in given or ()]
        if not paths:
            paths = [Path(p) for p in os.environ.get("TIELINE_DATA", "").split(":") if p] or [Path("data")]
        return cls(dict.fromkeys(paths))

    def __str__(self) -> str:
        return "/ + ".join(os.fspath(p) for p in self)

    def __fspath__(self) -> str:
        """One folder stands for itself (``os.fspath``); several have no single path."""
        if len(self) != 1:
            raise TypeError("several data folders have no single path")
        return os.fspath(self[0])


def joined_files(folders: Folders) -> tuple[Path, tuple[str, ...], list[Path]]:
    """The root the files are named from, each folder relative to it (``""``: the root itself), and
    every fact file of every folder, in path order; DataErrors when a folder is missing or inside another."""
    if len(folders) == 1:
        return folders[0], ("",), data_files(folders[0])
    missing = [DataError(os.fspath(f), 0, 0, "no such data folder") for f in folders if not f.is_dir()]
    if missing:
        raise DataErrors(missing)
    real = [os.path.realpath(f) for f in folders]
    for n, a in enumerate(real):
        for m, b in enumerate(real):
            if n != m and os.path.commonpath([a, b]) == b:
                raise DataErrors([DataError(os.fspath(folders[n]), 0, 0, f"inside another data folder given, "
                                            f"{os.fspath(folders[m])}: give each folder once")])
    shown = [os.fspath(f) for f in folders]
    relative = not any(os.path.isabs(p) for p in shown)
    root = Path(os.path.commonpath(shown) or ".") if relative else Path(os.path.commonpath(map(os.path.abspath, shown)))
    rels = tuple(Path(os.path.relpath(p, root)).as_posix() for p in shown)
    files = [root / os.path.relpath(path, root) for folder in folders for path in data_files(folder)]
    return root, rels, sorted(files, key=lambda path: path.relative_to(root).as_posix())


def data_files(data_dir: str | os.PathLike[str]) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file under ``data_dir`` (any case), hidden files and folders skipped, sorted.

    The folder is walked without recursion. Raises :class:`DataErrors` naming every file or folder
    that cannot be read, rather than skip it in silence or hang on it: a broken link, a pipe or a
    device, a file over ``MAX_FILE_BYTES``, a folder deeper than ``MAX_FOLDER_DEPTH``, a name that
    is not UTF-8 or holds invisible characters, a name that only looks like a fact file's
    (``more.yaml `` with a trailing space), and a link that leads out of the data folder or to a
    folder (links to files inside the data folder are read).
    """
    root = Path(data_dir)
    real_root = os.path.realpath(root)
    found: list[Path] = []
    problems: list[DataError] = []

    def report(path: str, message: str) -> None:
        problems.append(DataError(_display_path(root, path), 0, 0, message))

    folders = [(os.fspath(root), 0)]
    while folders:
        folder, depth = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            report(folder, f"cannot read this folder: {exc.strerror or exc}")
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            kind = _entry_kind(entry)
            if kind == "folder" or (kind == "link" and os.path.isdir(entry.path)):
                problem = _folder_problem(entry, real_root, depth + 1)
                if problem:
                    report(entry.path, problem)
                else:
                    folders.append((entry.path, depth + 1))
                continue
            if not _looks_like_fact_file(entry.name):
                continue
            problem = _file_name_problem(entry.name) or _link_problem(entry, real_root) or _unreadable(Path(entry.path))
            if problem:
                report(entry.path, problem)
            else:
                found.append(Path(entry.path))
    if problems:
        raise DataErrors(problems)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _entry_kind(entry: os.DirEntry[str]) -> str:
    """``folder``, ``link`` or ``file`` (anything else that is not a folder)."""
    try:
        if entry.is_symlink():
            return "link"
        return "folder" if entry.is_dir(follow_symlinks=False) else "file"
    except OSError:
        return "file"


def _folder_problem(entry: os.DirEntry[str], real_root: str, depth: int) -> str | None:
    """Why the folder ``entry`` is not walked, or None."""
    if entry.is_symlink():
        outside = _outside(entry.path, real_root)
        return (f"a link to a folder {'outside the data folder' if outside else 'inside the data folder'} "
                f"({_escaped(os.path.realpath(entry.path))}); links to folders are never followed "
                "(files would be read twice, or from anywhere): move or copy the folder in instead")
    name_problem = _file_name_problem(entry.name, "folder")
    if name_problem:
        return name_problem
    if depth > MAX_FOLDER_DEPTH:
        return (f"folders nested more than {MAX_FOLDER_DEPTH} levels below the data folder; "
                "this one and everything in it is refused")
    return None


def _looks_like_fact_file(name: str) -> bool:
    """True for a name ending in .yaml or .yml in any case, also after stray spaces, dots or invisible marks."""
    trimmed = name.rstrip(" .\t\n\r\x0b\x0c\u00a0\u200b\u200c\u200d\u2060\ufeff")
    return trimmed.lower().endswith(_FACT_SUFFIXES)


def _file_name_problem(name: str, what: str = "file") -> str | None:
    """Why a file or folder name cannot be read or shown as it is, or None."""
    undecodable = [c for c in name if "\udc80" <= c <= "\udcff"]
    if undecodable:
        return (f"the {what} name is not valid UTF-8 (byte 0x{ord(undecodable[0]) - 0xDC00:02x}); "
                f"rename the {what}")
    for c in name:
        if not c.isprintable() and c != " ":
            return (f"the {what} name holds an invisible or control character "
                    f"(U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}); rename the {what}")
    if what == "file" and not name.lower().endswith(_FACT_SUFFIXES):
        trimmed = name.rstrip(" .")
        return (f"the file name has {shown(name[len(trimmed):])} after its extension; rename it to "
                f"{shown(trimmed)} (fact files are the names ending in .yaml or .yml)")
    return None


def _link_problem(entry: os.DirEntry[str], real_root: str) -> str | None:
    """Why the link ``entry`` is not followed (it leads out of the data folder), or None."""
    if not entry.is_symlink() or not os.path.exists(entry.path) or not _outside(entry.path, real_root):
        return None
    return (f"a link to a file outside the data folder ({_escaped(os.path.realpath(entry.path))}); "
            "refused, never read: copy the file into the data folder instead")


def _outside(path: str, real_root: str) -> bool:
    """True when ``path``, links resolved, is not inside ``real_root``."""
    target = os.path.realpath(path)
    return os.path.commonpath([target, real_root]) != real_root


def _display_path(root: Path, path: str) -> str:
    """"``path`` as messages show it: under the data folder as given; bytes that are not UTF-8 and
    characters that are not printable escaped (``ok\\xff.yaml``), so a name cannot drive the terminal."""
    rel = os.path.relpath(path, root)
    return _escaped(os.path.join(os.fspath(root), rel) if rel != "." else os.fspath(root))


def _escaped(path: str) -> str:
    """A file system path as text: undecodable bytes as ``\\xff``, unprintable characters escaped."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read as a fact file, or None."""
    try:
        st = path.stat()
    except OSError as exc:
        broken = path.is_symlink()
        return f"cannot read this file: {'a broken link: ' if broken else ''}{exc.strerror or exc}"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (a pipe, a device or a socket); fact files must be plain files"
    if st.st_size > MAX_FILE_BYTES:
        return (f"the file is {st.st_size:,} bytes, more than the limit of {MAX_FILE_BYTES:,} bytes "
                f"({MAX_FILE_BYTES // 2**20} MiB) for one fact file; split it into several files")
    if not os.access(path, os.R_OK):
        return "cannot read this file: permission denied"
    return None

