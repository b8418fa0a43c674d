"""Reading FtM streams in bounded memory: lines → entity records → every fragment of one id together.

A stream is read line by line (a path, ``.gz``, or a binary file such as stdin); each entity
becomes one canonical JSON text (``[id, schema, properties, file]``), kept in memory up to
:data:`SPILL_BYTES` and then sorted into a temporary file. The sorted runs are merged, so all
fragments of one id arrive together, in an order that does not depend on the order of the lines:
memory holds one run and one entity, never the stream. Raw OpenSanctions delta lines
(``{"op": "ADD", "entity": {...}}``) are read as their entity; a JSON array is refused, named.
"""

from __future__ import annotations

import gzip
import heapq
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

from ..errors import DataError, UsageError
from ..glyphs import has_invisible

__all__ = ["Fragments", "read_fragments", "MAX_LINE", "SPILL_BYTES", "display_name"]

SPILL_BYTES = 64_000_000  # canonical text kept in memory before a sorted run goes to a temporary file
MAX_LINE = 64_000_000  # a longer line is refused, located (one entity of 64 MB is not an FtM entity)
MAX_ERRORS = 100  # malformed lines listed; the rest are counted
DELTA_OPS = {"ADD", "MOD", "DEL"}
ProgressFn = Callable[[int, int], None]
Problem = Callable[[str, str, str], None]  # (schema, kind, example)
Fragments = tuple[str, str, list[tuple[dict[str, list[str]], int]], int]  # (id, schemata, [(properties, file)], size)


def display_name(stream: Any) -> str:
    """A path as given, a file object's name, or ``<stream>``."""
    if isinstance(stream, (str, os.PathLike)):
        return os.fspath(stream)
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) else "<stream>"


class FragmentSorter:
    """Canonical entity texts in, all of them back sorted (``sorted()``), spilling sorted runs to disk."""

    def __init__(self, folder: str, spill_bytes: int = SPILL_BYTES):
        self.folder, self.spill_bytes = folder, spill_bytes
        self.pending: list[str] = []
        self.size = 0
        self.runs: list[str] = []

    def add(self, text: str) -> None:
        """Keep one canonical text; write a sorted run when memory holds enough."""
        self.pending.append(text)
        self.size += len(text)
        if self.size >= self.spill_bytes:
            self._spill()

    def _spill(self) -> None:
        path = os.path.join(self.folder, f"run-{len(self.runs):05d}.jsonl")
        with open(path, "w", encoding="utf-8") as handle:
            for text in sorted(self.pending):
                handle.write(text + "\n")
        self.runs.append(path)
        self.pending, self.size = [], 0

    def sorted(self) -> Iterator[str]:
        """Every text once per occurrence, in code-point order (the same as UTF-8 byte order)."""
        if not self.runs:
            yield from sorted(self.pending)
            return
        if self.pending:
            self._spill()
        handles = [open(path, encoding="utf-8") for path in self.runs]  # noqa: SIM115 (closed below)
        try:
            for line in heapq.merge(*handles):
                yield line[:-1]
        finally:
            for handle in handles:
                handle.close()


def read_fragments(streams: list[Any], folder: str, errors: list[DataError], problem: Problem,
                   read: Callable[[str], None], progress: ProgressFn | None = None,
                   spill_bytes: int = SPILL_BYTES) -> Iterator[Fragments]:
    """Every id of ``streams`` with its fragments (sorted canonically); malformed lines go to ``errors``.

    ``problem(schema, kind, example)`` counts a line that is not used; ``read(schema)`` counts a line read.
    Nothing is yielded before every line was read (so errors stop an import before it writes).
    """
    sorter = FragmentSorter(folder, spill_bytes)
    memory: list[list[Any]] = []  # parsed records, while the lines read stay under half of spill_bytes
    size = 0
    for index, stream in enumerate(streams):
        display = display_name(stream)
        for number, data, length, escaped in _json_lines(stream, display, errors, problem, progress):
            record = _record(data, display, number, problem)
            if record is None:
                continue
            read(record[1])
            item = [*record, index]
            if escaped:  # "\ud800" in the line: a lone surrogate, which no UTF-8 text can hold
                text = _canonical(item)
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    problem(record[1], "text with a lone surrogate (replaced by U+FFFD)", f"{where(display, number)}: "
                                                                                       f"{record[0]}")
                    item = json.loads(text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))
            size += length
            if not sorter.runs and not sorter.pending and size <= spill_bytes // 2:
                memory.append(item)
                continue
            for kept in memory:
                sorter.add(_canonical(kept))
            memory = []
            sorter.add(_canonical(item))
    if errors:
        return
    if not sorter.runs and not sorter.pending:
        yield from _groups_in_memory(memory)
        return
    group: list[Any] = []
    for text in sorter.sorted():
        item = json.loads(text)
        if group and item[0] != group[0][0]:
            yield _fragments(group)
            group = []
        if not group or text != group[-1][-1]:
            group.append([*item, text])
    if group:
        yield _fragments(group)


def _canonical(item: list[Any]) -> str:
    """The text a record is sorted by: the same for the same entity, whatever the order of its keys."""
    return json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _groups_in_memory(memory: list[list[Any]]) -> Iterator[Fragments]:
    """The groups :class:`FragmentSorter` would give, for records that all fit in memory (no text made for most)."""
    memory.sort(key=lambda item: json.dumps(item[0], ensure_ascii=False))  # the order of the canonical texts
    start = 0
    while start < len(memory):
        end = start + 1
        while end < len(memory) and memory[end][0] == memory[start][0]:
            end += 1
        if end - start == 1:
            item = memory[start]
            yield item[0], item[1], [(item[2], item[3])], 0
        else:
            texts = sorted(set(map(_canonical, memory[start:end])))
            yield _fragments([[*json.loads(t), t] for t in texts])
        start = end


def _fragments(group: list[Any]) -> Fragments:
    schemata = sorted({item[1] for item in group})
    return group[0][0], "|".join(schemata), [(item[2], item[3]) for item in group], sum(len(i[-1]) for i in group)


def where(display: str, number: int) -> str:
    """``file:line`` of an example."""
    return f"{display}:{number}"


def _usable_id(entity_id: Any) -> str | None:
    """The id as text, or None when it is empty, invisible or holds a lone surrogate (nothing can refer to it)."""
    if isinstance(entity_id, (int, float)) and not isinstance(entity_id, bool):
        entity_id = str(entity_id)
    if not isinstance(entity_id, str):
        return None
    entity_id = entity_id.strip()
    if not entity_id or has_invisible(entity_id) or any("\ud800" <= c <= "\udfff" for c in entity_id):
        return None
    return entity_id


def _record(data: Any, display: str, number: int, problem: Problem) -> tuple[str, str, dict] | None:
    """(id, schema, properties as lists of text) of one line's object, or None (counted)."""
    where = f"{display}:{number}"
    if isinstance(data, dict) and data.get("op") in DELTA_OPS and isinstance(data.get("entity"), dict):
        if data["op"] == "DEL":
            entity = data["entity"]
            problem(str(entity.get("schema") or "?"), "deletion in a delta stream (nothing to delete in a new "
                    "folder)", f"{where}: {str(entity.get('id'))}")
            return None
        data = data["entity"]
    if not isinstance(data, dict):
        problem("?", "line that is not an entity object", f"{where}: {_short(_json(data))}")
        return None
    schema = data.get("schema")
    entity_id = _usable_id(data.get("id"))
    if not isinstance(schema, str) or not schema.strip():
        problem("?", "entity without a schema (or one that is not text)", f"{where}: {_short(_json(data.get('schema')))}")
        return None
    if entity_id is None:
        problem(schema, "entity without a usable id (none, empty, invisible or not text)",
                f"{where}: {_short(_json(data.get('id')))}")
        return None
    raw = data.get("properties")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problem(schema, "properties that are not an object (entity kept without them)", f"{where}: {entity_id}")
        raw = {}
    properties: dict[str, list[str]] = {}
    for key, values in raw.items():
        kept = []
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, (dict, list)):
                problem(schema, "value that is not text", f"{where}: {entity_id}.{key} = {_short(_json(value))}")
            elif value is not None and value != "":
                kept.append(value if isinstance(value, str) else json.dumps(value))
        if kept:
            properties[str(key)] = kept
    return entity_id, schema.strip(), properties


def _json(value: Any) -> str:
    """A value as JSON text for an example (ASCII: a surrogate or a control character cannot reach the terminal)."""
    return json.dumps(value)


def _short(text: str, limit: int = 80) -> str:
    """``text`` whole, or its first ``limit`` characters and an ellipsis."""
    return text if len(text) <= limit else text[:limit] + "…"


_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _json_lines(stream: Any, display: str, errors: list[DataError], problem: Problem,
                progress: ProgressFn | None) -> Iterator[tuple[int, Any, int, bool]]:
    """(line number, parsed JSON object, its length, whether it escapes a surrogate) for each non-blank line;
    malformed lines go to ``errors``."""
    with _Opened(stream) as (handle, total, position):
        number = 0
        try:
            for number, raw in enumerate(_bounded_lines(handle), start=1):
                if progress is not None and number % 1000 == 0:
                    progress(position(), total)
                if raw is None:
                    _error(errors, DataError(display, number, 1, f"a line longer than {MAX_LINE:,} bytes: "
                                                                 "not one FtM entity per line"))
                    continue
                text = _decode(raw, display, number, problem)
                if not text.strip():
                    continue
                try:
                    data = json.loads(text)
                except RecursionError:
                    _error(errors, DataError(display, number, 1, "not a JSON entity: nested too deeply"))
                    continue
                except ValueError as exc:  # JSONDecodeError, and numbers too long to convert
                    if not isinstance(exc, json.JSONDecodeError):
                        _error(errors, DataError(display, number, 1, f"not a JSON entity: {exc}"))
                        continue
                    if number == 1 and text.lstrip().startswith("["):
                        raise UsageError(f"{display}: a JSON array, not an FtM entity stream (one JSON entity per "
                                         "line); convert it first, e.g. jq -c '.[]'") from None
                    _error(errors, DataError(display, number, exc.colno, f"not a JSON entity: {exc.msg}"))
                    continue
                if not isinstance(data, dict):
                    if number == 1 and isinstance(data, list):
                        raise UsageError(f"{display}: a JSON array, not an FtM entity stream (one JSON entity per "
                                         "line); convert it first, e.g. jq -c '.[]'")
                    _error(errors, DataError(display, number, 1, "not a JSON entity: expected an object with id, "
                                                                 "schema and properties"))
                    continue
                yield number, data, len(raw), bool(_SURROGATE.search(text))
        except (OSError, EOFError) as exc:
            _error(errors, DataError(display, number + 1, 0, f"cannot read on: {exc}"))
        if progress is not None:
            progress(total or position(), total)


def _error(errors: list[DataError], error: DataError) -> None:
    if len(errors) < MAX_ERRORS:
        errors.append(error)
    elif len(errors) == MAX_ERRORS:
        errors.append(DataError(error.path, error.line, error.column, "more malformed lines follow (not listed)"))


def _decode(raw: bytes, display: str, number: int, problem: Problem) -> str:
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        problem("?", "line not in UTF-8 (read as Latin-1)", f"{display}:{number}")
        return raw.decode("latin-1")


def _bounded_lines(handle: IO[bytes]) -> Iterator[bytes | None]:
    """The lines of a binary file, each at most MAX_LINE bytes; a longer one is skipped and yields None."""
    while True:
        line = handle.readline(MAX_LINE + 1)
        if not line:
            return
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(MAX_LINE + 1)
            yield None
            continue
        yield line


class _Opened:
    """A context manager: (binary file, total bytes or 0, bytes-read function) for a path or file object."""

    def __init__(self, stream: Any):
        self.stream = stream
        self.owned: IO[bytes] | None = None

    def __enter__(self) -> tuple[IO[bytes], int, Callable[[], int]]:
        stream = self.stream
        if isinstance(stream, (str, os.PathLike)):
            try:
                raw = open(stream, "rb")  # noqa: SIM115 (closed in __exit__)
            except OSError as exc:
                raise UsageError(f"cannot read {os.fspath(stream)}: {exc.strerror or exc}") from None
            self.owned = raw
            total = os.fstat(raw.fileno()).st_size
            gzipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            return (gzip.GzipFile(fileobj=raw) if gzipped else raw), total, raw.tell  # type: ignore[return-value]
        if isinstance(stream, io.TextIOBase):
            buffer = getattr(stream, "buffer", None)
            handle: Any = buffer if buffer is not None else io.BytesIO(stream.read().encode("utf-8"))
        else:
            handle = stream
        if not hasattr(handle, "peek"):
            handle = io.BufferedReader(handle)
        if handle.peek(2)[:2] == b"\x1f\x8b":
            handle = gzip.GzipFile(fileobj=handle)
        return handle, 0, lambda: 0

    def __exit__(self, *exc: Any) -> None:
        if self.owned is not None:
            self.owned.close()
