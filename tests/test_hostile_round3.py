"""Hostile input, round 3 (issue 27): the query index, cache debris, time, size and analyses, the alias
budget and bind mounts — each class tried through the command line with a variant of our own.

The terminal and the process (closed stdout, locales, broken pipes, HOME) are in test_hostile_process.py.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from graph.index import INDEX_FILE
from graph.index.read import stamp_of
from graph.index.tables import STAMP_FILE
from graph.pipeline import load_indexed
from tests.conftest import write_fact_set

REPO = Path(__file__).resolve().parents[1]


def index_file(cache: Path) -> Path:
    (found,) = cache.glob(f"*/{INDEX_FILE}")
    return found


def warm(invoke: Any, data: Path) -> None:
    assert invoke("search", "zzzz", "--data", data).exit_code in (0, 1)
    assert load_indexed(data).indexed_in is not None, "no index was built"


def restamp(path: Path) -> None:
    """The stamp an attacker who knows the format would forge for the file as it now is."""
    (path.parent / STAMP_FILE).write_text(stamp_of(path.stat()), encoding="ascii")


# --- 8a: the query index believes only a file that is exactly ours and unchanged ---------------------

def test_an_index_edited_in_place_is_never_served(invoke: Any, small_data: Path, _private_cache: Path) -> None:
    expected = invoke("show", "Anna Kowalska", "--data", small_data, "--no-cache").stdout
    warm(invoke, small_data)
    connection = sqlite3.connect(index_file(_private_cache))
    connection.execute("UPDATE entities SET name = 'FORGED ' || name")  # valid rows, valid JSON: only the stamp tells
    connection.commit()
    connection.close()
    result = invoke("show", "Anna Kowalska", "--data", small_data)
    assert result.exit_code == 0 and result.stdout == expected and "FORGED" not in result.stdout


def test_one_flipped_byte_with_its_times_restored_is_seen(invoke: Any, small_data: Path, _private_cache: Path) -> None:
    expected = invoke("search", "Kowalska", "--json", "--data", small_data, "--no-cache").stdout
    warm(invoke, small_data)
    path = index_file(_private_cache)
    before = path.stat()
    data = bytearray(path.read_bytes())
    at = data.index(b"Kowalska")
    data[at] ^= 0x01  # "Jowalska": a valid file that answers wrongly
    with open(path, "r+b") as handle:
        handle.write(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r: only the change time moved
    result = invoke("search", "Kowalska", "--json", "--data", small_data)
    assert result.exit_code == 0 and result.stdout == expected


def test_a_view_over_an_endless_query_is_refused_and_the_graph_answers(small_data: Path, _private_cache: Path,
                                                                       invoke: Any) -> None:
    """A hand-made index: real meta rows, a forged stamp, and `steps` replaced by a VIEW over an
    endless recursive CTE. Refused by its schema; `path`, `show` and `search` answer at once."""
    commands = [("path", "Anna Kowalska", "José Álvarez"), ("show", "Anna Kowalska"), ("search", "Kowalska")]
    expected = [invoke(*c, "--data", small_data, "--no-cache").stdout for c in commands]
    warm(invoke, small_data)
    path = index_file(_private_cache)
    connection = sqlite3.connect(path)
    connection.executescript("""
        DROP TABLE steps;
        CREATE VIEW steps(node, dir, pos, other, fact, symmetric) AS
            WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n) SELECT x, 0, x, '', 0, 0 FROM n;
        DROP TABLE entities;
        CREATE VIEW entities AS WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n)
            SELECT x AS num, 'a' AS id, 'a' AS name, 'person' AS type, '[]' AS aliases, NULL AS start,
                   NULL AS "end", '[]' AS keys FROM n;
    """)
    connection.commit()
    connection.close()
    restamp(path)
    env = {**os.environ, "TIELINE_CACHE_DIR": str(_private_cache)}
    for command, answer in zip(commands, expected):
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(REPO / "cli.py"), *command, "--data", str(small_data)],
                                capture_output=True, text=True, env=env, timeout=60, check=False)
        assert result.returncode == 0 and result.stdout == answer, (command, result.stderr)
        assert time.monotonic() - started < 30, command


def test_every_statement_of_the_index_is_bounded_in_work(invoke: Any, small_data: Path) -> None:
    """The second line behind the schema check: a statement that would never end is stopped."""
    from graph.errors import IndexDamaged

    warm(invoke, small_data)
    graph = load_indexed(small_data).graph
    started = time.monotonic()
    with pytest.raises(IndexDamaged):
        graph.rows("WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n")
    assert time.monotonic() - started < 20
    assert graph.rows("SELECT count(*) FROM entities")[0][0] == 15  # the next statement has its own budget


def test_an_index_with_one_table_more_is_refused(invoke: Any, small_data: Path, _private_cache: Path) -> None:
    warm(invoke, small_data)
    path = index_file(_private_cache)
    connection = sqlite3.connect(path)
    connection.execute("CREATE TRIGGER t AFTER INSERT ON meta BEGIN SELECT 1; END")
    connection.commit()
    connection.close()
    restamp(path)
    from graph.index.read import open_index
    from graph.files import data_files
    from graph.store import Store

    assert open_index(small_data, Store(small_data), data_files(small_data)) is None


# --- 9: debris of interrupted writers is swept, and only that ----------------------------------------

SLOW_INDEX = """
import os, sys, time
sys.path.insert(0, {repo!r})
import graph.index.write as write
original = write._write
def slow(path, *args, **kwargs):
    original(path, *args, **kwargs)
    print("written", flush=True)
    time.sleep(600)
write._write = slow
import cli
sys.argv = ["tieline", "search", "zzzz", "--data", {data!r}]
cli.main()
"""


def test_a_builder_killed_mid_write_leaves_debris_the_next_build_sweeps(small_data: Path, _private_cache: Path,
                                                                        invoke: Any) -> None:
    env = {**os.environ, "TIELINE_CACHE_DIR": str(_private_cache)}
    killed = subprocess.Popen([sys.executable, "-c", SLOW_INDEX.format(repo=str(REPO), data=str(small_data))],
                              stdout=subprocess.PIPE, env=env, cwd=REPO)
    assert killed.stdout is not None
    while b"written" not in killed.stdout.readline():
        assert killed.poll() is None, "the builder ended before writing"
    running = subprocess.Popen([sys.executable, "-c", SLOW_INDEX.format(repo=str(REPO), data=str(small_data))],
                               stdout=subprocess.PIPE, env=env, cwd=REPO)
    assert running.stdout is not None
    try:
        while b"written" not in running.stdout.readline():
            assert running.poll() is None
        killed.send_signal(signal.SIGKILL)
        killed.wait(30)
        (folder,) = {p.parent for p in _private_cache.glob("*/files")}
        debris = sorted(folder.glob(f".{INDEX_FILE}.*.tmp"))
        assert len(debris) == 2  # the killed builder's, and the running one's
        old = time.time() - 3600
        for path in debris:
            os.utime(path, (old, old))  # both look abandoned by their age: only the lock tells them apart
        foreign = folder / ".notes.txt.abcdefgh.tmp"
        foreign.write_text("not ours")
        os.utime(foreign, (old, old))
        (small_data / "facts" / "meetings.yaml").write_text(
            (small_data / "facts" / "meetings.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert invoke("search", "Kowalska", "--data", small_data).exit_code == 0  # a new index is written
        left = sorted(folder.glob(f".{INDEX_FILE}.*.tmp"))
        assert len(left) == 1, "the killed builder's debris stays, or the running builder's file went"
        assert foreign.exists(), "a file that is not ours was swept"
    finally:
        running.kill()
        running.wait(30)
        killed.kill()
        killed.wait(30)


def test_fresh_debris_is_left_alone(tmp_path: Path) -> None:
    from graph.atomic import sweep_debris

    fresh = tmp_path / f".{INDEX_FILE}.abcd1234.tmp"
    fresh.write_text("x")
    assert sweep_debris(tmp_path, (INDEX_FILE,)) == 0 and fresh.exists()
    old = time.time() - 3600
    os.utime(fresh, (old, old))
    assert sweep_debris(tmp_path, (INDEX_FILE,)) == 1 and not fresh.exists()


# --- 14: partial dates in ASCII digits; 9999-12 a month ------------------------------------------------

@pytest.mark.parametrize("digits", ["١٩٧٠", "２０２５", "۲۰۲۵-۰۳", "2025-٠٣", "𝟚𝟘𝟚𝟝"])
def test_a_date_in_other_digits_is_refused_in_data_and_on_the_command_line(invoke: Any, fact_set: Any,
                                                                          digits: str) -> None:
    data = fact_set({"entities/more.yaml": f"""
        entities:
          - id: dated-person
            type: person
            name: Dated Person
            start: "{digits}"
        """})
    result = invoke("validate", "--data", data)
    assert result.exit_code == 3 and "more.yaml:5:" in result.stderr, result.stderr
    for option in (("--as-of", digits), ("--at", digits), ("--between", digits, "2026")):
        result = invoke("path", "Anna Kowalska", "José Álvarez", *option, "--data", fact_set(name="plain"))
        assert result.exit_code == 2 and "Traceback" not in result.stderr, (option, result.stderr)


def test_the_last_month_of_9999_is_a_month(invoke: Any, fact_set: Any) -> None:
    data = fact_set({"entities/more.yaml": """
        entities:
          - id: far-future
            type: event
            name: Far Future
            start: "9999-12"
            end: "9999-12-31"
        """})
    assert invoke("validate", "--data", data).exit_code == 0
    result = invoke("timeline", "--as-of", "9999-12", "--data", data, "--json")
    assert result.exit_code in (0, 1) and "Traceback" not in result.stderr
    assert invoke("show", "Far Future", "--as-of", "9999-12", "--data", data).exit_code == 0


# --- 15: a depth past the graph ends at once -------------------------------------------------------------

def test_an_enormous_depth_answers_at_once(invoke: Any, small_data: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    near = invoke("neighbours", "Anna Kowalska", "--depth", "100000000", "--json", "--data", small_data)
    exported = invoke("export", "json", "--focus", "Anna Kowalska", "--depth", "100000000", "--data", small_data,
                      "--out", tmp_path / "focus.json")
    assert near.exit_code == 0 and exported.exit_code == 0
    assert time.monotonic() - started < 10
    assert json.loads(near.stdout)["neighbours"] == json.loads(invoke(
        "neighbours", "Anna Kowalska", "--depth", "50", "--json", "--data", small_data).stdout)["neighbours"]


# --- 16: route searches bound their work ------------------------------------------------------------------

def middles(n: int, backwards: bool) -> str:
    """Two people joined through ``n`` middle people; ``backwards``: every route runs back in time."""
    lines = ["entities:", "  - {id: end-a, type: person, name: End A}", "  - {id: end-b, type: person, name: End B}"]
    lines += [f"  - {{id: mid-{i}, type: person, name: Middle {i}}}" for i in range(n)]
    lines.append("facts:")
    first, second = ("2024", "2020") if backwards else ("2020", "2024")
    for i in range(n):
        lines.append(f"  - {{subject: end-a, relation: met_with, object: mid-{i}, sources: [el-pais-2024-06-10], "
                     f"start: '{first}', certainty: confirmed}}")
        lines.append(f"  - {{subject: mid-{i}, relation: met_with, object: end-b, sources: [el-pais-2024-06-10], "
                     f"start: '{second}', certainty: confirmed}}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fact_set(tmp_path_factory.mktemp("wide") / "data", {"facts/middles.yaml": middles(3000, True)})


@pytest.mark.parametrize("options", [("--chronological",), ("--routes", "5000", "--json")])
def test_a_route_search_over_thousands_of_middles_stops_at_its_work_bound_and_says_so(invoke: Any, wide: Path,
                                                                                      options: tuple[str, ...]) -> None:
    started = time.monotonic()
    result = invoke("path", "End A", "End B", *options, "--data", wide)
    assert time.monotonic() - started < 60
    if "--chronological" in options:
        assert result.exit_code == 1 and "gave up" in result.stderr, result.stderr
    else:
        answer = json.loads(result.stdout)
        assert result.exit_code == 0 and answer["gave_up"] is True and 0 < len(answer["paths"]) < 3000
        assert "stopped after" in result.stderr and "work" in result.stderr


def test_a_route_search_within_its_bound_says_nothing_of_it(invoke: Any, small_data: Path) -> None:
    result = invoke("path", "Anna Kowalska", "José Álvarez", "--routes", "20", "--json", "--data", small_data)
    assert result.exit_code == 0 and "gave_up" not in json.loads(result.stdout) and result.stderr == ""


# --- 17: a projection too large to hold is refused, naming its size ----------------------------------------

def test_a_projection_through_a_huge_institution_is_a_usage_error(invoke: Any, fact_set: Any) -> None:
    n = 1500  # 1,124,250 pairs: past the bound, and cheap to refuse
    people = "\n".join(f"  - {{id: member-{i}, type: person, name: Member {i}}}" for i in range(n))
    facts = "\n".join(f"  - {{subject: member-{i}, relation: member_of, object: big-union, "
                      f"sources: [el-pais-2024-06-10], certainty: confirmed}}" for i in range(n))
    data = fact_set({"facts/union.yaml": f"entities:\n  - {{id: big-union, type: institution, name: Big Union}}\n"
                                         f"{people}\nfacts:\n{facts}\n"})
    for command in ("rank", "clusters"):
        result = invoke(command, "--project", "institution", "--data", data)
        assert result.exit_code == 2 and "Traceback" not in result.stderr, result.stderr
        assert "pairs of people" in result.stderr and "Big Union alone has 1,500 members" in result.stderr
    assert invoke("rank", "--project", "event", "--data", data).exit_code == 0


# --- 18: betweenness past 1e308 shortest paths --------------------------------------------------------------

@pytest.fixture(scope="module")
def lattice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,030 layers of two people, each joined to both of the next: 2^1029 shortest paths end to end
    (more than a double holds), 2,060 people: igraph counts in doubles there."""
    width, layers = 2, 1030
    lines = ["entities:"]
    lines += [f"  - {{id: p{layer:04d}-{i}, type: person, name: P {layer} {i}"
              + (", country: spain" if layer == 0 else ", country: ukraine" if layer == layers - 1 else "") + "}"
              for layer in range(layers) for i in range(width)]
    lines.append("facts:")
    lines += [f"  - {{id: f{layer}-{i}-{j}, subject: p{layer:04d}-{i}, relation: met_with, "
              f"object: p{layer + 1:04d}-{j}, sources: [el-pais-2024-06-10], certainty: confirmed}}"
              for layer in range(layers - 1) for i in range(width) for j in range(width)]
    return write_fact_set(tmp_path_factory.mktemp("lattice") / "data", {"facts/lattice.yaml": "\n".join(lines) + "\n"})


def finite_numbers(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite_numbers(v) for v in value.values())
    if isinstance(value, list):
        return all(finite_numbers(v) for v in value)
    return True


@pytest.mark.slow
def test_betweenness_past_1e308_paths_is_counted_not_nan(invoke: Any, lattice: Path, tmp_path: Path) -> None:
    result = invoke("rank", "--by", "betweenness", "--json", "--top", "3", "--data", lattice)
    assert result.exit_code == 0, result.stderr
    ranking = json.loads(result.stdout)["ranking"]  # bare NaN would not even parse
    assert finite_numbers(ranking) and ranking[0]["score"] > 0.2  # the middle layers lie on about a quarter
    result = invoke("brokers", "Spain", "Ukraine", "--json", "--data", lattice)
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["brokers"] and finite_numbers(found)
    out = tmp_path / "metrics.graphml"
    assert invoke("export", "graphml", "--metrics", "--data", lattice, "--out", out).exit_code == 0
    import networkx as nx

    read = nx.read_graphml(out)  # an independent reader
    scores = [float(d["betweenness"]) for _, d in read.nodes(data=True) if "betweenness" in d]
    assert len(scores) == read.number_of_nodes() and all(math.isfinite(s) for s in scores)
    assert b">NaN<" not in out.read_bytes()


# --- 19: the alias budget is the whole load's -----------------------------------------------------------------

def test_aliases_within_each_file_but_past_the_budget_together_are_refused(invoke: Any, fact_set: Any) -> None:
    quote = "q" * 50_000
    files = {}
    for f in range(40):  # each file repeats ~950,000 characters: within its own margin of 1,000,000
        facts = "\n".join(f"  - {{subject: anna-kowalska, relation: participated_in, object: madrid-forum, "
                          f"id: f{f}-{i}, sources: [el-pais-2024-06-10], certainty: confirmed, "
                          f"quote: {'&q ' + repr(quote) if i == 0 else '*q'}}}" for i in range(20))
        files[f"facts/copies-{f:02d}.yaml"] = f"facts:\n{facts}\n"
    data = fact_set(files)
    result = invoke("validate", "--data", data)
    assert result.exit_code == 3, result.stderr
    assert "for the whole folder" in result.stderr and "40 file(s)" in result.stderr
    one = fact_set({"facts/copies-00.yaml": files["facts/copies-00.yaml"]}, name="one")
    assert invoke("validate", "--data", one).exit_code == 0  # one such file alone is fine


# --- 20: the data folder through a bind mount is still the data folder ------------------------------------------

@pytest.fixture
def bound(small_data: Path, tmp_path: Path) -> Any:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(small_data), str(elsewhere)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("mount --bind is not available here")
    yield elsewhere
    subprocess.run(["umount", str(elsewhere)], capture_output=True, check=False)


def test_an_output_through_a_bind_mount_of_the_data_folder_is_refused(invoke: Any, small_data: Path, bound: Path) -> None:
    before = sorted(p.name for p in small_data.rglob("*"))
    result = invoke("export", "json", "--data", small_data, "--out", bound / "graph.json")
    assert result.exit_code == 2 and "inside the data folder" in result.stderr
    result = invoke("build", "--data", bound, "--out-dir", small_data / "out")
    assert result.exit_code == 2 and "inside the data folder" in result.stderr
    assert sorted(p.name for p in small_data.rglob("*")) == before


def test_a_cache_through_a_bind_mount_of_the_data_folder_is_never_written(invoke: Any, small_data: Path,
                                                                         bound: Path) -> None:
    before = sorted(p.name for p in small_data.rglob("*"))
    result = invoke("path", "Anna Kowalska", "José Álvarez", "--data", small_data,
                    env={"TIELINE_CACHE_DIR": str(bound / ".cache")})
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in small_data.rglob("*")) == before
