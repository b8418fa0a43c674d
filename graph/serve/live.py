"""The data folder as the server reads it: always the query index of the files as they are now.

Every question first compares the data files' names, sizes and times with those the index was
opened for (a stat of each file: well under a millisecond for the hundred files of a 1M set); a
watcher thread does the same every second, so that an edit is usually indexed before anyone asks.
A changed folder is loaded and indexed again *before* the question is answered — never a stale
answer — and the new index replaces the old one only once it is whole (it is written aside and
renamed into place, :func:`graph.index.build_index`), so no answer comes from half a rebuild.
Questions are answered one at a time (the index reader is not shared between threads), each
within :attr:`Live.time_limit` seconds: SQLite's progress handler interrupts a question that runs
past it, and the server says so (503) instead of being tied up.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import DataErrors, IndexDamaged
from ..files import Folders, joined_files
from ..index import IndexGraph, drop_index
from ..pipeline import load_indexed
from .ask import Busy

if TYPE_CHECKING:
    from ..model import Compiled

__all__ = ["Live"]

T = TypeVar("T")
Stamp = tuple[Any, ...]


class Live:
    """The compiled data of the folders ``root`` (one or several), current at every question."""

    def __init__(self, root: Any, time_limit: float = 10.0, poll: float = 1.0):
        self.root, self.time_limit, self.poll = Folders.of(root), time_limit, poll
        self.lock = threading.Lock()
        self._compiled: Compiled | None = None
        self._error: DataErrors | None = None
        self._stamp: Stamp | None = None
        self._deadline = math.inf
        self._stopping = threading.Event()
        self.loads = 0  # how many times the folder was loaded (tests: an edit is seen)

    def stamp(self) -> Stamp:
        """What the folder holds now: every data file's path, size, time and inode."""
        try:
            files = joined_files(self.root)[2]
        except DataErrors as exc:
            return ("unreadable", str(exc))
        stamp = []
        for path in files:
            try:
                st = path.stat()
            except OSError:
                stamp.append((str(path), None))
                continue
            stamp.append((str(path), st.st_size, st.st_mtime_ns, st.st_ino))
        return tuple(stamp)

    def start(self) -> None:
        """Load the folder (DataErrors when it is invalid) and start watching it."""
        with self.lock:
            self._refresh()
            if self._error is not None:
                raise self._error
        threading.Thread(target=self._watch, name="tieline-watch", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()

    def ask(self, work: Callable[[Compiled], T]) -> T:
        """``work(compiled)`` on the data as it is now, alone, within the time limit."""
        if not self.lock.acquire(timeout=self.time_limit):
            raise Busy(f"the server is busy answering another question (more than {self.time_limit:g} s); try again")
        try:
            if self.stamp() != self._stamp:
                self._refresh()
            if self._error is not None:
                raise self._error
            assert self._compiled is not None
            return self._timed(work, self._compiled)
        finally:
            self.lock.release()

    def _timed(self, work: Callable[[Compiled], T], compiled: Compiled) -> T:
        self._deadline = time.monotonic() + self.time_limit
        try:
            return work(compiled)
        except IndexDamaged:
            if time.monotonic() >= self._deadline:
                self._stamp = None  # interrupted in the middle of a read: open the index afresh
                raise Busy(f"the question took longer than {self.time_limit:g} s, the most this server "
                           f"spends on one: narrow it (a smaller depth or limit, a filter)") from None
            store = compiled.indexed_in
            if store is not None:
                drop_index(store)
            self._refresh()
            if self._error is not None:
                raise self._error from None
            assert self._compiled is not None
            return work(self._compiled)
        finally:
            self._deadline = math.inf

    def _refresh(self) -> None:
        """Load the folder until it holds still while loading (an editor may save in steps)."""
        for _ in range(3):
            before = self.stamp()
            try:
                compiled, error = self._load(), None
            except DataErrors as exc:
                exc.folder = str(self.root)
                compiled, error = None, exc
            if self.stamp() == before:
                break
        self._compiled, self._error, self._stamp = compiled, error, before
        self.loads += 1

    def _load(self) -> Compiled:
        """The index of the folder, built first when it is stale; the graph itself where no index can be kept."""
        compiled = load_indexed(self.root)
        if not isinstance(compiled.graph, IndexGraph):  # it was loaded and the index written: open it
            compiled = load_indexed(self.root)
        if isinstance(compiled.graph, IndexGraph):
            compiled.graph.connection.set_progress_handler(self._over_time, 2_000)
        return compiled

    def _over_time(self) -> int:
        """SQLite's progress handler: non-zero interrupts the statement running past the deadline."""
        return 1 if time.monotonic() >= self._deadline else 0

    def _watch(self) -> None:
        """Every ``poll`` seconds: load the folder again when it changed (unless a question is being answered)."""
        while not self._stopping.wait(self.poll):
            if self.lock.acquire(blocking=False):
                try:
                    if self.stamp() != self._stamp:
                        self._refresh()
                except Exception as exc:  # noqa: BLE001 — the watcher must not die; the next question says what is wrong
                    os.write(2, f"tieline: watching {self.root}: {exc}\n".encode(errors="replace"))
                finally:
                    self.lock.release()
