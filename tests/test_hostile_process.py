"""The process against a hostile terminal (graph/terminal.py): a closed stdout, a broken pipe,
non-UTF-8 locales, arguments in bytes the locale does not describe, and a home that is not a folder.

Every case runs tieline as a real process: the streams, the locale and the descriptors are the
process's own, which an in-process runner cannot reproduce.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import write_fact_set

REPO = Path(__file__).resolve().parents[1]
CYRILLIC = """
entities:
  - id: pyotr-sidorov
    type: person
    name: Пётр Сидоров
    aliases: [Петя…]
  - id: boris-ivanov-2
    type: person
    name: Борис Иванов
facts:
  - subject: pyotr-sidorov
    relation: met_with
    object: volodymyr-zelenskyy
    sources: [kyiv-post-2024-05-01]
    quote: «Сидоров → Зеленский» — met in Kyiv
    start: "2024-05"
    certainty: confirmed
"""

COMMANDS: list[list[str]] = [
    ["show", "Пётр Сидоров"], ["show", "pyotr-sidorov", "--json"], ["path", "Пётр Сидоров", "Spain"],
    ["path", "pyotr-sidorov", "spain", "--routes", "3", "--json"], ["neighbours", "Сидоров", "--depth", "2"],
    ["search", "Сидоров"], ["search", "Петя", "--json"], ["stats"], ["timeline"], ["rank"], ["brokers", "Ukraine", "Spain"],
    ["clusters"], ["dedupe", "--min-score", "0.1"], ["validate"], ["export", "json", "--out", "-"],
    ["export", "graphml", "--out", "-"], ["export", "ftm", "--out", "-"], ["--help"], ["show", "--help"],
]
"""Every command, each answering on stdout with text the ASCII alphabet cannot hold."""
QUICK = [COMMANDS[i] for i in (0, 2, 6, 14, 17)]
"""One command per way tieline writes stdout (rich, plain text, JSON, a table, bytes, typer's help)."""
EVERY = pytest.param(COMMANDS, marks=pytest.mark.slow, id="every-command")
SOME = pytest.param(QUICK, id="one-per-writer")


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fact set with Cyrillic names, arrows and ellipses, and a warm cache (and index) for it."""
    root = tmp_path_factory.mktemp("process")
    data = write_fact_set(root / "data", {"facts/cyrillic.yaml": CYRILLIC})
    cache = root / "cache"
    tieline(["path", "pyotr-sidorov", "spain"], data, cache)  # builds cache and index
    return data, cache


def tieline(args: list[str], data: Path, cache: Path | None, env: dict[str, str] | None = None,
            **popen: object) -> subprocess.CompletedProcess[bytes]:
    """Run ``tieline ARGS --data DATA`` as a process (a help call takes no --data)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHON", "TIELINE_"))}
    full.update({"LANG": "C.UTF-8", "COLUMNS": "100", "PYTHONDONTWRITEBYTECODE": "1"})
    if cache is not None:
        full["TIELINE_CACHE_DIR"] = str(cache)
    full.update(env or {})
    where = [] if "--help" in args else ["--data", str(data)]
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    popen.setdefault("cwd", REPO)
    return subprocess.run([sys.executable, str(REPO / "cli.py"), *args, *where], env=full, timeout=120,
                          check=False, **popen)  # type: ignore[call-overload]


def run_all(jobs: list[tuple[list[str], dict[str, object]]], data: Path, cache: Path
            ) -> list[subprocess.CompletedProcess[bytes]]:
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda job: tieline(job[0], data, cache, **job[1]), jobs))


@pytest.mark.parametrize("commands", [SOME, EVERY])
def test_every_command_answers_a_closed_stdout_with_exit_4_and_one_line(story: tuple[Path, Path],
                                                                       commands: list[list[str]]) -> None:
    data, cache = story
    results = run_all([(args, {"stdout": None, "preexec_fn": lambda: os.close(1)}) for args in commands], data, cache)
    for args, result in zip(commands, results):
        stderr = result.stderr.decode()
        assert "Traceback" not in stderr, (args, stderr)
        assert result.returncode == 4, (args, result.returncode, stderr)
        assert stderr.strip().splitlines()[-1] == "tieline: stdout is closed: the answer was not printed", (args, stderr)


def test_a_command_that_prints_nothing_on_stdout_works_with_stdout_closed(story: tuple[Path, Path],
                                                                         tmp_path: Path) -> None:
    data, cache = story
    out = tmp_path / "graph.json"
    result = tieline(["export", "json", "--out", str(out)], data, cache, stdout=None, preexec_fn=lambda: os.close(1))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["nodes"]
    assert b"wrote" in result.stderr


@pytest.mark.parametrize("commands", [SOME, EVERY])
def test_every_command_on_a_broken_pipe_exits_141_and_says_nothing(story: tuple[Path, Path],
                                                                  commands: list[list[str]]) -> None:
    data, cache = story
    jobs = []
    for args in commands:
        reading, writing = os.pipe()
        os.close(reading)  # the reader is gone before tieline writes: every write meets a broken pipe
        jobs.append((args, {"stdout": writing, "pass_fds": (writing,)}))
    try:
        results = run_all(jobs, data, cache)
    finally:
        for _, job in jobs:
            os.close(job["stdout"])  # type: ignore[arg-type]
    for args, result in zip(commands, results):
        assert (result.returncode, result.stderr.decode()) == (141, ""), args


def test_a_reader_that_stops_early_gets_no_traceback(story: tuple[Path, Path]) -> None:
    data, cache = story
    command = f"{sys.executable} {REPO / 'cli.py'} timeline --data {data} | head -c 1"
    env = {**os.environ, "TIELINE_CACHE_DIR": str(cache)}
    result = subprocess.run(["bash", "-c", f"{command} >/dev/null; echo ${{PIPESTATUS[0]}}"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.stderr == ""
    assert result.stdout.strip() in {"0", "141"}  # 0 only when all of it fitted in the pipe before head left


def iso_8859_1_locale(root: Path) -> dict[str, str] | None:
    """An ISO-8859-1 locale made with localedef (no root needed), or None where that is impossible."""
    if shutil.which("localedef") is None:
        return None
    subprocess.run(["localedef", "-i", "de_DE", "-f", "ISO-8859-1", str(root / "de_DE.ISO-8859-1")],
                   capture_output=True, timeout=120, check=False)
    if not (root / "de_DE.ISO-8859-1").exists():
        return None
    return {"LOCPATH": str(root), "LC_ALL": "de_DE.ISO-8859-1"}


LOCALES = {
    "C without coercion": ({"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}, "ascii"),
    "PYTHONIOENCODING=ascii": ({"PYTHONIOENCODING": "ascii"}, "ascii"),
    "ISO-8859-1": (None, "latin-1"),
}


PLAIN: dict[tuple[str, ...], subprocess.CompletedProcess[bytes]] = {}
"""Each command's answer in a UTF-8 locale, run once for every locale compared with it."""


@pytest.mark.parametrize("commands", [SOME, EVERY])
@pytest.mark.parametrize("locale", list(LOCALES))
def test_every_command_degrades_to_what_the_locale_can_show(story: tuple[Path, Path], locale: str,
                                                            commands: list[list[str]],
                                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    data, cache = story
    env, encoding = LOCALES[locale]
    if env is None:
        env = iso_8859_1_locale(tmp_path_factory.mktemp("locale"))
        if env is None:
            pytest.skip("no localedef to make an ISO-8859-1 locale")
    missing = [args for args in commands if tuple(args) not in PLAIN]
    PLAIN.update(zip(map(tuple, missing), run_all([(args, {}) for args in missing], data, cache)))
    utf8 = [PLAIN[tuple(args)] for args in commands]
    results = run_all([(args, {"env": env}) for args in commands], data, cache)
    for args, plain, result in zip(commands, utf8, results):
        stderr = result.stderr.decode(encoding)  # the encoding holds it all
        assert "Traceback" not in stderr and "UnicodeEncodeError" not in stderr, (args, stderr)
        assert result.returncode == plain.returncode == 0, (args, stderr)
        if args[0] == "export":  # a file's bytes, whatever the terminal
            assert result.stdout == plain.stdout, args
            continue
        stdout = result.stdout.decode(encoding)
        if "--json" in args:
            assert json.loads(stdout) == json.loads(plain.stdout), args  # escapes: the same data, exactly
    shown = dict(zip(map(tuple, commands), results))
    path_text = shown[("path", "Пётр Сидоров", "Spain")].stdout.decode(encoding)
    assert "->" in path_text and "Sidorov" in path_text  # the arrow spelled out, the name transliterated


def test_an_argument_in_utf_8_is_read_as_utf_8_whatever_the_locale_says(story: tuple[Path, Path]) -> None:
    data, cache = story
    result = tieline(["search", "Сидоров", "--json"], data, cache,
                     env={"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"})
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in json.loads(result.stdout)["results"]][:1] == ["pyotr-sidorov"]


def test_an_argument_that_is_not_utf_8_keeps_the_locale_reading(story: tuple[Path, Path],
                                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    data, cache = story
    env = iso_8859_1_locale(tmp_path_factory.mktemp("locale"))
    if env is None:
        pytest.skip("no localedef to make an ISO-8859-1 locale")
    latin = "José Álvarez".encode("latin-1")  # as a Latin-1 terminal sends it: not UTF-8
    full = {**{k: v for k, v in os.environ.items() if not k.startswith("LC_")}, **env, "TIELINE_CACHE_DIR": str(cache)}
    result = subprocess.run([sys.executable.encode(), str(REPO / "cli.py").encode(), b"show", latin, b"--json",
                             b"--data", bytes(data)], capture_output=True, env=full, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["entity"]["id"] == "jose-alvarez"


@pytest.mark.parametrize("home", ["", "/nonexistent-tieline-home", "relative/home"])
def test_a_home_that_is_not_a_folder_means_no_cache_said_once(story: tuple[Path, Path], home: str,
                                                              tmp_path: Path) -> None:
    data, _ = story
    env = {"HOME": home, "XDG_CACHE_HOME": ""}
    results = [tieline(["path", "pyotr-sidorov", "spain"], data, None, env=env, cwd=tmp_path) for _ in range(2)]
    for result in results:
        assert result.returncode == 0, result.stderr
        notes = [line for line in result.stderr.decode().splitlines() if "no cache" in line]
        assert len(notes) == 1 and "TIELINE_CACHE_DIR" in notes[0], result.stderr
    assert not Path("/.cache/tieline").exists() and not list(tmp_path.iterdir())  # nothing made anywhere
    assert not home.startswith("/") or not Path(home).exists()


def test_a_home_that_is_a_folder_gets_its_cache_there(story: tuple[Path, Path], tmp_path: Path) -> None:
    data, _ = story
    result = tieline(["path", "pyotr-sidorov", "spain"], data, None, env={"HOME": str(tmp_path), "XDG_CACHE_HOME": ""})
    assert result.returncode == 0 and b"no cache" not in result.stderr
    assert (tmp_path / ".cache" / "tieline").is_dir()
