"""The compiled cache on disk: the file format, the manifest that keys it, and the ownership checks.

Layout, under ``$TIELINE_CACHE_DIR`` or ``$XDG_CACHE_HOME/tieline`` (``~/.cache/tieline``; none when
``$HOME`` is empty or not a folder: :func:`cache_root`), one folder per data folder (named by a hash of its real path)::

    graph.cache               header (format, key, file manifest, checksum) + (graph, name index)
    files/<digest>.parsed     phase-1 parse result of one file, keyed by its path and contents

The key is a hash of tieline's version and code, the Python version, the cache format and every
data file's path and contents, the schema included: any edit, added or deleted file invalidates
the graph. Unchanged files are recognised by size, inode, modification time and change time (ctime,
which every write, ``touch`` and ``chmod`` sets to the clock and no user can set back), all in
nanoseconds; any difference, or a change within two seconds of the cache being written (edits too
quick for the clock), and the file is hashed again.

Cache files are only read from a folder owned by the current user and writable by no one else
(and never from or into a folder inside the data folder);
an unreadable, truncated, corrupt or foreign file is ignored and rebuilt. The graph is stored
with :mod:`marshal` (plain dicts, lists and strings: loading it runs no code) and a CRC-32.
Nothing is written to the data folder. What is stored is decided by :mod:`graph.pipeline`.
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import stat
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .atomic import atomic_writer, is_inside, sweep_debris
from .errors import DataError, OutputError
from .model import NameIndex
from .parse import PARSER_VERSION, ParsedFile
from .yamlfile import Marked, MarkedList, Plain

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["CACHE_FORMAT", "Manifest", "Origins", "Store", "cache_root", "no_cache_reason", "decode_parsed",
           "encode_parsed", "write_private", "is_private", "code_files", "unchanged"]

CACHE_FORMAT = "tieline-cache-4"
_MAGIC = b"TIELINE-CACHE-4\n"
_GRAPH_FILE = "graph.cache"
_RACY_NS = 2_000_000_000


def _sha256(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex, by CPython's own module when it has one: importing hashlib
    loads OpenSSL (≈ 4 ms), and a query whose index is current hashes nothing but its folder's path."""
    try:
        from _sha256 import sha256  # CPython 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # CPython 3.12 and later
        except ImportError:
            from hashlib import sha256
    return sha256(data).hexdigest()


def cache_root() -> Path | None:
    """Where caches live: ``$TIELINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/tieline`` (an absolute
    path, as the XDG rule says), else ``$HOME/.cache/tieline`` — only when ``$HOME`` is an existing
    folder named by an absolute path: ``HOME=""`` or Debian's ``HOME=/nonexistent`` mean no cache
    (None; :func:`no_cache_reason` says why), never a cache in ``/.cache`` or a home made up."""
    explicit = os.environ.get("TIELINE_CACHE_DIR")
    if explicit:
        return Path(explicit).absolute()  # a relative one is from the working folder, as given
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "tieline"
    return None if no_cache_reason() else Path(_home()) / ".cache" / "tieline"


def _home() -> str:
    """``$HOME`` as given, else the account's home (what ``~`` means)."""
    home = os.environ.get("HOME")
    return os.path.expanduser("~") if home is None else home


def no_cache_reason() -> str | None:
    """Why there is no cache folder (a home that is not a folder), or None when there is one."""
    if os.environ.get("TIELINE_CACHE_DIR") or os.path.isabs(os.environ.get("XDG_CACHE_HOME", "")):
        return None
    home = _home()
    if not home:
        return "HOME is empty"
    if not os.path.isabs(home) or not os.path.isdir(home):
        return f"HOME ({home!r}) is not the absolute path of a folder"
    return None


# --- what a compiled graph remembers about where its records came from ---------------------------

@dataclass
class Origins:
    """Which files hold the dataset section and each source (nodes and edges carry their own file)."""

    dataset_files: list[str]
    source_files: dict[str, str]

    @classmethod
    def of(cls, parsed: list[ParsedFile]) -> Origins:
        return cls([p.path for p in parsed if p.dataset],
                   {s["id"]: p.path for p in parsed for s in p.sources})


# --- the per-file parse results -------------------------------------------------------------------

_PLAIN, _TAGGED = b"M", b"T"  # marshal of the fields as they are / with YAML nodes and errors as tagged tuples
_SCALARS = (str, int, float, bool, type(None))


def encode_parsed(parsed: ParsedFile) -> bytes:
    """A parse result as plain data (marshal, which builds no objects on load) with a CRC-32.

    The schema's YAML nodes (:class:`Marked`, :class:`MarkedList`, :class:`Plain`) and
    :class:`DataError` objects become tagged tuples; a tuple of the data becomes one too.
    ValueError when the result holds anything else: it is then not cached.
    """
    state = {f.name: getattr(parsed, f.name) for f in dataclasses.fields(parsed)}
    try:
        kind, payload = _PLAIN, marshal.dumps(state)  # plain data only: the fast common case
    except ValueError:  # str subclasses (YAML nodes) and errors are refused by marshal
        kind, payload = _TAGGED, marshal.dumps({k: _tagged(v) for k, v in state.items()})
    return kind + zlib.crc32(payload).to_bytes(4, "big") + payload


def decode_parsed(data: bytes) -> ParsedFile:
    """The parse result :func:`encode_parsed` wrote; ValueError when ``data`` is not one (or damaged)."""
    view = memoryview(data)
    kind, crc, payload = data[:1], int.from_bytes(view[1:5], "big"), view[5:]
    if kind not in (_PLAIN, _TAGGED) or len(data) < 5 or zlib.crc32(payload) != crc:
        raise ValueError("not a parse result")
    state = marshal.loads(payload)
    names = sorted(f.name for f in dataclasses.fields(ParsedFile))
    if not isinstance(state, dict) or sorted(state) != names or not isinstance(state["path"], str):
        raise ValueError("not a parse result")
    if kind == _TAGGED:
        state = {k: _untagged(v) for k, v in state.items()}
    lists = ("dataset", "sources", "entities", "facts", "errors", "rejected")
    if any(type(state[name]) is not list for name in lists) or type(state["readable"]) is not bool:
        raise ValueError("not a parse result")
    if any(not isinstance(e, DataError) for e in state["errors"]):
        raise ValueError("not a parse result")
    return ParsedFile(**state)


def _tagged(value: Any) -> Any:
    """``value`` as plain data: YAML nodes, errors and tuples as tuples whose first item names them."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {_key(k): _tagged(v) for k, v in value.items()}
    if kind is list:
        return [_tagged(v) for v in value]
    if kind is tuple:
        return ("tuple", [_tagged(v) for v in value])
    if kind is Marked:
        return ("map", value.line, value.column, _tagged(value.marks), {_key(k): _tagged(v) for k, v in value.items()})
    if kind is MarkedList:
        return ("seq", value.line, value.column, _tagged(value.marks), [_tagged(v) for v in value])
    if kind is Plain:
        return ("plain", str(value), value.tag)
    if kind is DataError:
        return ("error", value.path, value.line, value.column, value.message)
    raise ValueError(f"cannot cache a {kind.__name__}")


def _key(key: Any) -> Any:
    if type(key) not in _SCALARS:
        raise ValueError("only plain keys are cached")
    return key


def _untagged(value: Any) -> Any:
    """The values :func:`_tagged` wrote, rebuilt; ValueError on anything it cannot have written."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {k: _untagged(v) for k, v in value.items()}
    if kind is list:
        return [_untagged(v) for v in value]
    if kind is not tuple or not value:
        raise ValueError("not a parse result")
    tag, *fields = value
    if tag == "tuple" and len(fields) == 1 and type(fields[0]) is list:
        return tuple(_untagged(v) for v in fields[0])
    if tag in ("map", "seq") and len(fields) == 4 and type(fields[0]) is int and type(fields[1]) is int:
        node = Marked() if tag == "map" else MarkedList()
        node.line, node.column, node.marks = fields[0], fields[1], _untagged(fields[2])
        if tag == "map" and type(fields[3]) is dict:
            node.update((k, _untagged(v)) for k, v in fields[3].items())
            return node
        if tag == "seq" and type(fields[3]) is list:
            node.extend(_untagged(v) for v in fields[3])
            return node
    if tag == "plain" and len(fields) == 2 and all(type(f) is str for f in fields):
        plain = Plain(fields[0])
        plain.tag = fields[1]
        return plain
    if tag == "error" and len(fields) == 4 and type(fields[0]) is str and type(fields[3]) is str:
        return DataError(fields[0], int(fields[1]), int(fields[2]), fields[3])
    raise ValueError("not a parse result")


# --- the manifest: data files and the key they make -----------------------------------------------

def _same_file(st: os.stat_result, old: Any, trusted_before: int) -> bool:
    """Whether a file is the one a manifest entry recorded, judged by its stat: size, times and inode
    the same, and changed last well before the manifest was written (an edit within the same clock
    tick would keep its times)."""
    return bool(old) and len(old) == 5 and (old[0], old[1], old[3], old[4]) == (
        st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) and max(st.st_mtime_ns, st.st_ctime_ns) < trusted_before


_PACKAGE = Path(__file__).resolve().parent


def _code_paths() -> list[Path]:
    """The modules that shape the compiled graph: tieline's own, sub-packages included, in path order."""
    return sorted(_PACKAGE.rglob("*.py"))


def _code_name(path: Path) -> str:
    """A module's name in the cache key: its path inside graph/ (``index/read.py``)."""
    return path.relative_to(_PACKAGE).as_posix()


def code_files() -> list[list[Any]]:
    """The modules of :func:`_code_paths` as [name, size, mtime, ctime]: the stat of :func:`_code_digest`'s input."""
    found = []
    for path in _code_paths():
        try:
            st = path.stat()
        except OSError:
            return []
        found.append([_code_name(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns])
    return found


def unchanged(root: Path, files: list[Path], header: dict[str, Any]) -> bool:
    """Whether the data files and tieline's code are the very files ``header`` (:meth:`Manifest.header`)
    recorded, by their stat alone: then the key they make is the one recorded with it, and nothing
    needs hashing. False says only "not sure": :meth:`Manifest.compute` then decides."""
    known, written = header.get("files"), header.get("written_ns")
    if not isinstance(known, dict) or not isinstance(written, int) or len(known) != len(files):
        return False
    trusted_before = written - _RACY_NS
    code = header.get("code_files")
    if not code or code != code_files() or any(max(c[2], c[3]) >= trusted_before for c in code):
        return False
    for path in files:
        try:
            if not _same_file(path.stat(), known.get(path.relative_to(root).as_posix()), trusted_before):
                return False
        except OSError:
            return False
    return True


def _code_digest() -> str:
    """A digest of the modules that shape the compiled graph: edited code invalidates the cache."""
    import hashlib  # ≈ 4 ms (OpenSSL): not for a query whose index is current

    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{sys.version_info[:2]}".encode())
    for path in _code_paths():
        try:
            digest.update(_code_name(path).encode() + b"\0" + path.read_bytes())
        except OSError:
            digest.update(_code_name(path).encode() + b"\0?")
    return digest.hexdigest()


@dataclass
class Manifest:
    """The data files as (relative path → size, mtime, content digest, ctime, inode), and the key they make."""

    entries: dict[str, tuple[int, int, str, int, int]]
    key: str
    code: str

    @classmethod
    def compute(cls, root: Path, files: list[Path], header: dict[str, Any] | None) -> Manifest:
        import hashlib  # ≈ 4 ms (OpenSSL): not for a query whose index is current

        known = header["files"] if header else {}
        trusted_before = header["written_ns"] - _RACY_NS if header else 0
        entries = {}
        for path in files:
            rel = path.relative_to(root).as_posix()
            st = path.stat()
            old = known.get(rel)
            if _same_file(st, old, trusted_before):
                entries[rel] = old
            else:
                entries[rel] = (st.st_size, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest(),
                                st.st_ctime_ns, st.st_ino)
        code = _code_digest()
        summary = hashlib.sha256(code.encode())
        for rel in sorted(entries):
            summary.update(f"\0{rel}\0{entries[rel][2]}".encode())
        return cls(entries, summary.hexdigest(), code)

    def header(self, written_ns: int) -> dict[str, Any]:
        """What :func:`unchanged` needs to recognise these files and this code later without hashing them."""
        return {"files": self.entries, "written_ns": written_ns, "code": self.code, "code_files": code_files()}

    def size(self, rel: str) -> int:
        return self.entries[rel][0]

    def file_key(self, rel: str) -> str:
        """The per-file cache key of one file: parser version, code and the file's path and contents."""
        import hashlib

        return hashlib.sha256(f"{PARSER_VERSION}\0{self.code}\0{rel}\0{self.entries[rel][2]}".encode()).hexdigest()


# --- the cache folder -------------------------------------------------------------------------------

class Store:
    """One data folder's cache files; silently unusable when the folder is not safely ours."""

    def __init__(self, data_root: Path, folders: tuple[str, ...] = ("",)):
        self.root = data_root
        self.folders = folders
        real = os.path.realpath(data_root)
        joined = [os.path.realpath(data_root / f) for f in folders]  # several folders: keyed on all of them
        root = cache_root()
        key = _sha256(os.fsencode(real if folders == ("",) else "\0".join(joined)))[:24]
        self.folder = (root or Path(os.devnull)) / key
        # a cache inside a data folder (by path, link or bind mount) is never written
        self.usable = root is not None and not any(is_inside(root, folder) for folder in joined) and self._prepare()
        self._payload = b""

    def _prepare(self) -> bool:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            (self.folder / "files").mkdir(mode=0o700, exist_ok=True)
        except OSError:
            return False
        return all(is_private(p) for p in (self.folder, self.folder / "files"))

    def read_header(self) -> dict[str, Any] | None:
        """The graph file's header (and, kept aside, its payload), or None when absent or unusable."""
        if not self.usable:
            return None
        path = self.folder / _GRAPH_FILE
        try:
            with open(path, "rb") as handle:
                if not is_private(path, handle.fileno()) or handle.read(len(_MAGIC)) != _MAGIC:
                    return None
                size = int.from_bytes(handle.read(8), "big")
                header = marshal.loads(handle.read(size))
                self._payload = handle.read()
            if not isinstance(header, dict) or header.get("format") != CACHE_FORMAT:
                return None
            for name, kind in (("key", str), ("code", str), ("files", dict), ("written_ns", int),
                               ("dataset_files", list), ("source_files", dict), ("crc", int), ("length", int)):
                if not isinstance(header.get(name), kind):
                    return None
        except Exception:  # noqa: BLE001 - missing or damaged: no cache
            return None
        return header

    def forget_payload(self) -> None:
        self._payload = b""

    def read_graph(self, header: dict[str, Any]) -> tuple[nx.MultiDiGraph, NameIndex] | None:
        """The graph and index stored with ``header``; None when the payload is damaged or stale."""
        payload, self._payload = self._payload, b""
        if len(payload) != header["length"] or zlib.crc32(payload) != header["crc"]:
            return None
        try:
            import networkx as nx  # ≈ 0.2 s to import; a load that stops at invalid data never needs it

            if header.get("networkx") != nx.__version__:
                return None
            state, index = marshal.loads(payload)
            graph = nx.MultiDiGraph()
            graph.__dict__.update(state)
            if graph._adj is not graph._succ or not isinstance(graph._pred, dict) \
                    or len(graph._node) != header.get("nodes"):
                return None
            return graph, NameIndex(*index)
        except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, whatever the damage
            return None

    def write_graph(self, manifest: Manifest, graph: nx.MultiDiGraph, index: NameIndex, origins: Origins
                    ) -> dict[str, Any] | None:
        """Store a validated graph, its index and its origins under ``manifest``'s key; the header
        written, or None when nothing was."""
        if not self.usable:
            return None
        import networkx as nx  # ≈ 0.2 s to import; already imported by whoever built ``graph``

        state = {k: v for k, v in graph.__dict__.items() if type(v) is dict and k != "__networkx_cache__"}
        try:
            payload = marshal.dumps((state, index.state()))
        except ValueError:  # something not plain data in the graph: no cache rather than a wrong one
            return None
        header = {"format": CACHE_FORMAT, "key": manifest.key, "code": manifest.code, "files": manifest.entries,
                  "written_ns": time.time_ns(), "networkx": nx.__version__, "nodes": graph.number_of_nodes(),
                  "dataset_files": origins.dataset_files, "source_files": origins.source_files,
                  "judged": bool(index.redirects or graph.graph.get("different")  # a patch then rebuilds
                                 or graph.graph.get("tour") or graph.graph.get("grouped")),
                  "crc": zlib.crc32(payload), "length": len(payload)}
        head = marshal.dumps(header)
        write_private(self.folder / _GRAPH_FILE, [_MAGIC, len(head).to_bytes(8, "big"), head, payload])
        self._prune(manifest)
        return header

    def _prune(self, manifest: Manifest) -> None:
        """Remove per-file caches of file versions that are gone (each edit leaves one behind), and the
        debris of writers interrupted in this folder (:func:`graph.atomic.sweep_debris`)."""
        sweep_debris(self.folder, (_GRAPH_FILE,))
        sweep_debris(self.folder / "files", suffix=".parsed")
        keep = {f"{manifest.file_key(rel)}.parsed" for rel in manifest.entries}
        try:
            for entry in os.scandir(self.folder / "files"):
                if entry.name not in keep:
                    os.unlink(entry.path)
        except OSError:
            pass

    def parsed_path(self, key: str) -> str:
        return str(self.folder / "files" / f"{key}.parsed")

    def read_parsed(self, key: str) -> ParsedFile | None:
        """One file's cached parse result, or None when absent, damaged or not safely ours."""
        if not self.usable:
            return None
        path = Path(self.parsed_path(key))
        try:
            with open(path, "rb") as handle:
                if not is_private(path, handle.fileno()):
                    return None
                data = handle.read()
            return decode_parsed(data)
        except Exception:  # noqa: BLE001 - missing or damaged: parse again
            return None


def write_private(path: Path, chunks: bytes | list[bytes]) -> None:
    """Write a cache file readable and writable by us only, atomically; a failure is only a slower next run.

    No fsync: a cache file cut short by a crash fails its length or checksum test and is rebuilt.
    """
    try:
        with atomic_writer(path, mode=0o600, sync=False) as handle:
            for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
                handle.write(chunk)
    except OutputError:
        pass


def is_private(path: Path, fd: int | None = None) -> bool:
    """True when ``path`` belongs to us and no one else may write it."""
    try:
        st = os.fstat(fd) if fd is not None else os.lstat(path)
    except OSError:
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
