"""Output safety: an interrupted or racing write leaves the old file or the new one, never half of
one; pipes, devices and links are written through, not replaced; and no command writes to data/.

Interruptions are real: an exception inside ``atomic_writer``, SIGKILL of a process in the middle
of a big write, SIGKILL of ``tieline export`` at several moments, and two processes writing the
same path while a reader watches it.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from graph.atomic import atomic_writer, write_atomic
from graph.errors import OutputError

__all__: list[str] = []

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


def env() -> dict[str, str]:
    """The environment for a child process: this test's (private cache included), the repo importable."""
    return {**os.environ, "PYTHONPATH": str(REPO)}


def leftovers(folder: Path) -> list[str]:
    """Temporary files ``atomic_writer`` left behind in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- an exception inside the writer ---------------------------------------------------------------

@pytest.mark.parametrize("error", [RuntimeError("render failed"), KeyboardInterrupt()], ids=["error", "ctrl-c"])
def test_an_error_mid_write_keeps_the_old_file(tmp_path: Path, error: BaseException) -> None:
    target = tmp_path / "graph.json"
    target.write_bytes(b"old complete file")
    with pytest.raises(type(error)):
        with atomic_writer(target) as handle:
            handle.write(b"new, half writ")
            raise error
    assert target.read_bytes() == b"old complete file"
    assert leftovers(tmp_path) == []


def test_an_error_mid_write_leaves_no_file_when_there_was_none(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with atomic_writer(tmp_path / "new.json") as handle:
            handle.write(b"{")
            raise RuntimeError("render failed")
    assert list(tmp_path.iterdir()) == []


def test_a_finished_write_replaces_the_file_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "graph.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644 & ~umask
    assert leftovers(target.parent) == []


# --- a process killed while writing ---------------------------------------------------------------

SLOW_WRITER = """\
import sys, time
from graph.atomic import atomic_writer
with atomic_writer(sys.argv[1]) as handle:
    for chunk in range(2000):
        handle.write(b"N" * 1_000_000)
        if chunk == 20:
            handle.flush()
            print("writing", flush=True)
        time.sleep(0.005)
"""


def test_sigkill_mid_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    old = b"O" * 5_000_000
    target.write_bytes(old)
    writer = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(target)], stdout=subprocess.PIPE, env=env(),
                              cwd=REPO)
    try:
        assert writer.stdout is not None and writer.stdout.readline() == b"writing\n"
        temporary = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert temporary and temporary[0].stat().st_size >= 20_000_000  # it really was mid-write
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.wait(timeout=60)
    assert writer.returncode == -signal.SIGKILL
    assert target.read_bytes() == old


def fact_set(folder: Path, entities: int) -> Path:
    """A data folder big enough that exporting it takes a moment."""
    folder.mkdir(parents=True)
    (folder / "schema.yaml").write_text((REPO / "tests/fixtures/broken/self-relation/schema.yaml").read_text())
    people = "".join(f"  - {{id: p{i}, type: person, name: Person {i}, description: 'Someone <b>&amp; co'}}\n"
                     for i in range(entities))
    meetings = "".join(f"  - {{subject: p{i}, relation: met_with, object: p{(i * 7 + 1) % entities}, "
                       f"sources: [s], certainty: confirmed, quote: 'They met, we are told.'}}\n"
                       for i in range(entities))
    (folder / "facts.yaml").write_text("sources:\n  - {id: s, title: Report}\nentities:\n" + people
                                       + "facts:\n" + meetings)
    return folder


def export(data: Path, out: Path, fmt: str = "json") -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "import cli; cli.main()", "export", fmt, "--data", str(data), "--no-cache",
               "--out", str(out)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(), cwd=out.parent)


def test_sigkill_of_an_export_at_any_moment_leaves_a_whole_file(tmp_path: Path) -> None:
    data = fact_set(tmp_path / "data", 3000)
    out = tmp_path / "out" / "graph.json"
    out.parent.mkdir()
    started = time.monotonic()
    first = export(data, out)
    assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
    duration = time.monotonic() - started
    complete = out.read_bytes()
    out.write_bytes(b"the previous export")
    randomness = random.Random(6)
    for moment in [0.1, 0.5, 0.8, 0.9, 0.95, 1.0] + [randomness.uniform(0.3, 1.1) for _ in range(3)]:
        victim = export(data, out)
        time.sleep(duration * moment)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
        assert out.read_bytes() in (b"the previous export", complete), moment
        if out.read_bytes() == complete:
            out.write_bytes(b"the previous export")


def test_two_exports_at_once_leave_one_complete_file(tmp_path: Path) -> None:
    data = fact_set(tmp_path / "data", 2000)
    out = tmp_path / "same.json"
    runs = [export(data, out), export(data, out)]
    assert [run.wait(timeout=300) for run in runs] == [0, 0]
    graph = json.loads(out.read_bytes())
    assert len(graph["nodes"]) == 2000 and len(graph["edges"]) == 2000
    assert leftovers(tmp_path) == []


RACER = """\
import sys
from graph.atomic import write_atomic
for _ in range(int(sys.argv[3])):
    write_atomic(sys.argv[1], sys.argv[2].encode() * 1_000_000)
"""


def test_racing_writers_never_show_a_reader_half_a_file(tmp_path: Path) -> None:
    target = tmp_path / "contested.txt"
    write_atomic(target, b"A" * 1_000_000)
    writers = [subprocess.Popen([sys.executable, "-c", RACER, str(target), letter, "200"], env=env(), cwd=REPO)
               for letter in "AB"]
    seen = set()
    while any(w.poll() is None for w in writers):
        content = target.read_bytes()
        assert len(content) == 1_000_000 and content.count(content[:1]) == 1_000_000
        seen.add(content[:1])
    assert [w.returncode for w in writers] == [0, 0]
    assert target.read_bytes() in (b"A" * 1_000_000, b"B" * 1_000_000)
    assert leftovers(tmp_path) == []
    assert seen  # the reader did look while they wrote


# --- what is at the target path -------------------------------------------------------------------

def test_a_pipe_is_written_into_not_replaced(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    write_atomic(pipe, b"streamed")
    reader.join(timeout=30)
    assert received == [b"streamed"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_a_device_stays_a_device(tmp_path: Path) -> None:
    """Like ``--out /dev/null``, on a private copy of the null device (replacing it needs no privilege)."""
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError as exc:
        pytest.skip(f"cannot make a device node here: {exc.strerror}")
    write_atomic(null, b"nothing")
    assert stat.S_ISCHR(null.stat().st_mode)
    assert leftovers(tmp_path) == []


def test_a_link_is_written_through_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real" / "graph.html"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "graph.html"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


@pytest.mark.parametrize("where", ["a folder", "inside a file"])
def test_an_impossible_target_is_an_output_error(tmp_path: Path, where: str) -> None:
    (tmp_path / "file").write_bytes(b"keep")
    target = tmp_path if where == "a folder" else tmp_path / "file" / "graph.json"
    with pytest.raises(OutputError, match=r"^cannot write "):
        write_atomic(target, b"x")
    assert (tmp_path / "file").read_bytes() == b"keep"
    assert leftovers(tmp_path) == []


def test_an_export_to_an_impossible_path_exits_4(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"keep")
    result = CliRunner().invoke(app, ["export", "json", "--data", str(DATA), "--no-cache",
                                      "--out", str(tmp_path / "file" / "graph.json")])
    assert result.exit_code == 4
    assert result.stderr.startswith(f"tieline: cannot write {tmp_path / 'file' / 'graph.json'}: ")
    assert result.stdout == ""


# --- data/ is never written -----------------------------------------------------------------------

def snapshot(folder: Path) -> dict[str, Any]:
    """Every file and folder under ``folder`` (hidden ones too): mode, size, mtime, content hash."""
    state = {}
    for path in sorted([folder, *folder.rglob("*")]):
        st = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
        state[path.relative_to(folder).as_posix()] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return state


COMMANDS = [
    ["validate"], ["validate", "--json"], ["stats"], ["stats", "--json"], ["search", "dmitriev"],
    ["show", "Kirill Dmitriev"], ["show", "RDIF", "--json"], ["neighbours", "RDIF", "--depth", "2"],
    ["path", "Kirill Dmitriev", "Marco Rubio"], ["path", "Kirill Dmitriev", "Marco Rubio", "--all", "--json"],
    ["export", "html", "--out", "{out}/graph.html"], ["export", "graphml", "--out", "{out}/graph.graphml"],
    ["export", "gexf", "--out", "{out}/graph.gexf"], ["export", "json", "--out", "{out}/graph.json"],
    ["export", "json", "--out", "-"], ["export", "csv", "--out", "{out}/csv"],
    ["export", "html", "--focus", "RDIF", "--depth", "1", "--out", "{out}/rdif.html"],
    ["export", "html"], ["export", "csv"], ["build", "--out-dir", "{out}/built"], ["build"],
]


def test_no_command_writes_to_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(DATA)
    monkeypatch.chdir(tmp_path)  # default outputs (output/…) land here
    for cache in ([], ["--no-cache"]):
        for command in COMMANDS:
            args = [a.replace("{out}", str(tmp_path / "out")) for a in command]
            result = CliRunner().invoke(app, [*args, "--data", str(DATA), *cache])
            assert result.exit_code == 0, (args, result.output)
    assert snapshot(DATA) == before
    assert (tmp_path / "out" / "graph.html").is_file() and (tmp_path / "output" / "graph.html").is_file()
