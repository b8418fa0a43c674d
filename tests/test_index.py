"""The query index (graph/index.py): ``path``, ``neighbours``, ``show`` and ``search`` answered from it
give exactly what the networkx graph gives — same stdout, same stderr, same exit code — on the
bundled story, on random fact sets and on a generated graph; a damaged, foreign, stale or
unsafe index is never believed; builders never leave half a file.

The reference is the same command with ``--no-cache``: it loads the YAML and asks the
``networkx.MultiDiGraph``. The indexed run is the second with the cache (the first builds the
index), and each test checks that it really was answered from the index.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from cli import app
from graph import render
from graph.index import INDEX_FILE
from graph.index.read import stamp_of
from graph.index.tables import STAMP_FILE
from graph.pipeline import load_indexed

from test_properties import fact_sets, write_folder

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data"


def run(*args: Any) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def index_file(cache: Path) -> Path:
    (found,) = cache.glob(f"*/{INDEX_FILE}")
    return found


def restamp(path: Path) -> None:
    """Write the stamp beside an index as its writer would for the file as it now is."""
    (path.parent / STAMP_FILE).write_text(stamp_of(path.stat()), encoding="ascii")


def warmed(data: Path) -> None:
    """Build the cache and the query index of ``data``; fail unless a query now reads the index."""
    code, _, stderr = run("search", "zzzz-nothing", "--data", data)
    assert code in (0, 1), stderr
    assert load_indexed(data).indexed_in is not None, "the query index was not built"


def index_identity(data: Path) -> tuple[int, int]:
    """The index file of ``data`` as the file system knows it: a rebuilt one is another file."""
    from graph.store import Store

    st = (Store(data).folder / INDEX_FILE).stat()
    return st.st_ino, st.st_mtime_ns


def assert_same(data: Path, *args: Any) -> tuple[int, str, str]:
    """The command answered from the index and from the graph: the same bytes, the same exit code."""
    before = index_identity(data)
    indexed = run(*args, "--data", data)
    assert index_identity(data) == before, f"{args}: the index was dropped: it did not answer"
    reference = run(*args, "--data", data, "--no-cache")
    assert indexed == reference, f"{args}: index and graph differ"
    return indexed


BUNDLED_COMMANDS = [
    ("path", "Kirill Dmitriev", "Marco Rubio"),
    ("path", "Dmitriev", "Rubio", "--all"),
    ("path", "Dmitriev", "Rubio", "--all", "--json"),
    ("path", "Dmitriev", "Zelenskyy", "--routes", "5"),
    ("path", "Dmitriev", "Zelenskyy", "--routes", "4", "--json"),
    ("path", "Dmitriev", "Rubio", "--max-hops", "1"),
    ("path", "Dmitriev", "Rubio", "--via-type", "person"),
    ("path", "Dmitriev", "Rubio", "--avoid", "Steve Witkoff", "--all"),
    ("path", "Dmitriev", "Rubio", "--directed"),
    ("path", "Dmitriev", "Trump", "--directed", "--all"),
    ("path", "Dmitriev", "Rubio", "--relation", "participant_in"),
    ("path", "Dmitriev", "Rubio", "--min-certainty", "confirmed", "--all"),
    ("path", "Dmitriev", "Rubio", "--certainty", "reported"),
    ("path", "Dmitriev", "Rubio", "--as-of", "2025-02"),
    ("path", "Dmitriev", "Rubio", "--between", "2025-03", "2025-04", "--all"),
    ("path", "Dmitriev", "Rubio", "--at", "2025-04-02"),
    ("path", "Dmitriev", "Rubio", "--dated-only", "--all"),
    ("path", "Dmitriev", "Rubio", "--chronological", "--all"),
    ("path", "Dmitriev", "Zelenskyy", "--chronological", "--routes", "3", "--json"),
    ("path", "Dmitriev", "Dmitriev"),
    ("path", "Dmitriev", "Nobody At All"),
    ("path", "Dmitriev", "Rubio", "--via-type", "planet"),
    ("neighbours", "RDIF"),
    ("neighbours", "RDIF", "--depth", "2"),
    ("neighbours", "RDIF", "--depth", "3", "--json"),
    ("neighbours", "RDIF", "--depth", "2", "--limit", "4"),
    ("neighbours", "RDIF", "--depth", "2", "--type", "person"),
    ("neighbours", "Witkoff", "--direction", "out", "--depth", "2"),
    ("neighbours", "Witkoff", "--direction", "in", "--json"),
    ("neighbours", "Putin", "--as-of", "2025-01", "--json"),
    ("neighbours", "Putin", "--at", "2011"),
    ("neighbours", "Rubio", "--min-certainty", "confirmed", "--relation", "participant_in"),
    ("neighbors", "Russia", "--depth", "2", "--certainty", "reported"),
    ("neighbours", "RDIF", "--depth", "2", "--exclude-relation", "quoted", "--exclude-relation", "reported"),
    ("neighbours", "RDIF", "--depth", "3", "--exclude-type", "media", "--json"),
    ("neighbours", "Putin", "--depth", "2", "--exclude-type", "event", "--type", "person", "--json"),
    ("neighbours", "Witkoff", "--exclude-relation", "met_with", "--relation", "participated_in", "--json"),
    ("path", "Dmitriev", "Rubio", "--exclude-type", "event", "--all"),
    ("path", "Dmitriev", "Rubio", "--exclude-relation", "participated_in", "--exclude-type", "media", "--json"),
    ("path", "Dmitriev", "Rubio", "--exclude-relation", "nonsense"),
    ("show", "Russia", "--exclude-type", "country", "--json"),
    ("show", "Putin", "--exclude-relation", "met_with", "--as-of", "2025-03"),
    ("search", "russia", "--exclude-type", "country", "--json"),
    ("show", "RDIF"),
    ("show", "Kirill Dmitriev", "--json"),
    ("show", "Witkoff", "--min-certainty", "confirmed"),
    ("show", "Putin", "--as-of", "2025-03", "--json"),
    ("show", "Russia", "--dated-only"),
    ("show", "russia"),
    ("show", "Дмитриев"),
    ("show", "Dmitriev, Kirill"),
    ("show", "Kiril Dmitrev"),
    ("search", "witkof"),
    ("search", "Дмитриев", "--json"),
    ("search", "Зеленский"),
    ("search", "talks", "--type", "event", "--limit", "3"),
    ("search", "russia", "--min-certainty", "confirmed", "--json"),
    ("path", "Dmitriev", "Rubio", "--min-sources", "2"),
    ("neighbours", "RDIF", "--min-sources", "2", "--min-certainty", "confirmed"),
    ("search", "qqqqqq"),
]


@pytest.fixture(scope="module")
def bundled_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bundled-cache")


@pytest.mark.parametrize("args", BUNDLED_COMMANDS, ids=" ".join)
def test_the_index_answers_the_bundled_story_as_the_graph_does(args: tuple[str, ...], bundled_cache: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIELINE_CACHE_DIR", str(bundled_cache))
    warmed(BUNDLED)
    code, stdout, stderr = assert_same(BUNDLED, *args)
    assert "Traceback" not in stderr and (stdout or stderr)


def test_the_bundled_comparison_covers_answers_and_refusals(bundled_cache: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus above holds successes, empty answers and usage errors, so the comparison means something."""
    monkeypatch.setenv("TIELINE_CACHE_DIR", str(bundled_cache))
    warmed(BUNDLED)
    codes = {assert_same(BUNDLED, *args)[0] for args in BUNDLED_COMMANDS[::3] + BUNDLED_COMMANDS[-3:]}
    assert {0, 1, 2} <= codes


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(fact_sets())
def test_the_index_answers_random_fact_sets_as_the_graph_does(tmp_path_factory: pytest.TempPathFactory,
                                                              data: dict[str, Any]) -> None:
    import yaml

    folder = write_folder(tmp_path_factory.mktemp("facts"), yaml.safe_dump(data, allow_unicode=True))
    code, _, _ = run("validate", "--data", folder, "--no-cache")
    if code != 0:
        return  # random names collided: the property tests cover invalid sets
    warmed(folder)
    ids = [e["id"] for e in data["entities"]]
    for first, second in zip(ids, ids[1:] + ids[:1]):
        assert_same(folder, "path", first, second, "--all", "--json")
        assert_same(folder, "path", first, second, "--routes", "3", "--directed")
        assert_same(folder, "neighbours", first, "--depth", "2", "--json")
        assert_same(folder, "show", first, "--json")
        assert_same(folder, "show", first, "--certainty", "reported")
        assert_same(folder, "path", first, second, "--all", "--exclude-type", "event", "--json")
        assert_same(folder, "neighbours", first, "--depth", "2", "--exclude-type", "institution",
                    "--exclude-relation", "met_with", "--json")
    for entity in data["entities"][:3]:
        assert_same(folder, "search", entity["name"][:6], "--json")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated graph of 1,000 entities (bench/generate.py), with hubs and dates."""
    out = tmp_path_factory.mktemp("generated")
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--sizes", "1k", "--out", str(out)],
                   check=True, capture_output=True, timeout=300)
    return out / "1k"


def test_the_index_answers_a_generated_graph_as_the_graph_does(generated: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIELINE_CACHE_DIR", str(tmp_path / "cache"))
    warmed(generated)
    graph = json.loads(run("export", "json", "--data", generated, "--out", "-")[1])
    ids = sorted(node["id"] for node in graph["nodes"])
    pick = random.Random(7)
    for _ in range(6):
        a, b = pick.sample(ids, 2)
        assert_same(generated, "path", a, b, "--all", "--limit", "20", "--json")
        assert_same(generated, "path", a, b, "--routes", "3", "--as-of", "2020")
        assert_same(generated, "path", a, b, "--chronological", "--json")
        assert_same(generated, "neighbours", a, "--depth", "2", "--limit", "30", "--json")
        assert_same(generated, "show", b, "--min-certainty", "reported", "--json")
        assert_same(generated, "path", a, b, "--min-sources", "2", "--all", "--limit", "20", "--json")
        assert_same(generated, "neighbours", a, "--min-sources", "2", "--depth", "2", "--as-of", "2022")
        assert_same(generated, "show", a, "--min-sources", "2", "--json")
        assert_same(generated, "neighbours", a, "--depth", "2", "--exclude-type", "event", "--limit", "30", "--json")
        assert_same(generated, "path", a, b, "--exclude-relation", "met_with", "--json")
    assert_same(generated, "search", graph["nodes"][5]["name"][:5], "--json")


# --- what reads the index, and what it refuses -------------------------------------------------------

def test_a_warm_indexed_query_never_builds_the_graph(small_data: Path, _private_cache: Path) -> None:
    warmed(small_data)
    code = ("import sys, cli; sys.argv = ['tieline', 'path', 'Zelenskyy', 'Álvarez', '--data', sys.argv[1]]\n"
            "try:\n    cli.app()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('networkx', 'yaml', 'numpy')))")
    result = subprocess.run([sys.executable, "-c", code, str(small_data)], capture_output=True, text=True,
                            env={**os.environ, "TIELINE_CACHE_DIR": str(_private_cache)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "Zelenskyy" in result.stdout


def damage_truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damage_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[0:16] = b"not a database!!"
    path.write_bytes(bytes(data))


def damage_pages(path: Path) -> None:
    """Every page after the first few overwritten: SQLite's structure is broken where queries go."""
    data = bytearray(path.read_bytes())
    for start in range(8192 * 3, len(data), 8192):
        data[start + 100:start + 400] = os.urandom(300)
    path.write_bytes(bytes(data))


def damage_foreign(path: Path) -> None:
    """Another program's database in its place."""
    path.unlink()
    connection = sqlite3.connect(path)
    connection.executescript("CREATE TABLE meta(name, value); INSERT INTO meta VALUES ('format', 'other');"
                             "CREATE TABLE notes(text);")
    connection.commit()
    connection.close()


def damage_stale_key(path: Path) -> None:
    """A sound index of other data (its key does not match)."""
    connection = sqlite3.connect(path)
    connection.execute("UPDATE meta SET value = 'not-the-key' WHERE name = 'key'")
    connection.commit()
    connection.close()


def damage_lying_name(path: Path) -> None:
    """A sound index that says something else than the data: only the key keeps it from being believed."""
    connection = sqlite3.connect(path)
    connection.execute("UPDATE entities SET name = 'Forged Name'")
    connection.execute("UPDATE meta SET value = 'not-the-key' WHERE name = 'key'")
    connection.commit()
    connection.close()


@pytest.mark.parametrize("damage", [damage_truncate, damage_header, damage_pages, damage_foreign, damage_stale_key,
                                    damage_lying_name])
def test_a_damaged_index_is_never_believed_and_is_rebuilt(damage: Any, small_data: Path, _private_cache: Path) -> None:
    args = ("path", "Zelenskyy", "Álvarez", "--all", "--json")
    expected = run(*args, "--data", small_data, "--no-cache")
    warmed(small_data)
    path = index_file(_private_cache)
    damage(path)
    assert run(*args, "--data", small_data) == expected
    assert run("show", "Zelenskyy", "--data", small_data) == run("show", "Zelenskyy", "--data", small_data,
                                                                  "--no-cache")
    assert load_indexed(small_data).indexed_in is not None, "the damaged index was not replaced"
    assert run(*args, "--data", small_data) == expected


def test_damage_met_while_answering_falls_back_to_the_graph(small_data: Path, _private_cache: Path) -> None:
    """An index whose header checks out but whose fact data is damaged: the answer comes from the graph."""
    expected = run("show", "Zelenskyy", "--json", "--data", small_data, "--no-cache")
    warmed(small_data)
    connection = sqlite3.connect(index_file(_private_cache))
    connection.execute("UPDATE fact_data SET data = '{not json'")
    connection.execute("UPDATE entity_data SET data = '[]'")
    connection.commit()
    connection.close()
    restamp(index_file(_private_cache))  # as if the damage had come from below the file system: the stamp passes
    assert run("show", "Zelenskyy", "--json", "--data", small_data) == expected
    assert run("show", "Zelenskyy", "--json", "--data", small_data) == expected


def test_an_index_others_may_write_is_ignored(small_data: Path, _private_cache: Path) -> None:
    warmed(small_data)
    path = index_file(_private_cache)
    os.chmod(path, 0o666)
    assert load_indexed(small_data).indexed_in is None, "an index others may write was read"
    assert path.stat().st_mode & 0o077 == 0, "a new private index replaces it"
    assert load_indexed(small_data).indexed_in is not None


def test_an_edit_makes_a_new_index(small_data: Path, _private_cache: Path) -> None:
    warmed(small_data)
    people = small_data / "entities" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace("Zelenskyy", "Zelenskyi"), encoding="utf-8")
    code, stdout, _ = run("search", "Zelenskyi", "--data", small_data, "--json")
    assert code == 0 and json.loads(stdout)["results"][0]["name"].startswith("Volodymyr Zelenskyi")
    assert load_indexed(small_data).indexed_in is not None


def test_builders_racing_leave_one_whole_index(small_data: Path, _private_cache: Path) -> None:
    """Four processes build at once; each answers, and the index left is whole and current."""
    env = {**os.environ, "TIELINE_CACHE_DIR": str(_private_cache)}
    command = [sys.executable, "-m", "cli", "path", "Zelenskyy", "Álvarez", "--data", str(small_data)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
            for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in runs]
    assert all(p.returncode == 0 for p in runs) and len({out for out, _ in outputs}) == 1
    assert not list(_private_cache.glob("*/.*.tmp")), "a builder left its temporary file"
    connection = sqlite3.connect(index_file(_private_cache))
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    assert load_indexed(small_data).indexed_in is not None


def test_the_index_is_plain_sqlite_a_user_can_read(small_data: Path, _private_cache: Path) -> None:
    warmed(small_data)
    connection = sqlite3.connect(index_file(_private_cache))
    names = {name for name, in connection.execute("SELECT name FROM entities")}
    connection.close()
    assert "Volodymyr Zelenskyy" in names and len(names) == 15


# --- neighbours --limit ------------------------------------------------------------------------------------

def test_neighbours_lists_the_nearest_and_says_how_many_more() -> None:
    code, stdout, _ = run("neighbours", "RDIF", "--depth", "2", "--limit", "3", "--data", BUNDLED)
    whole = json.loads(run("neighbours", "RDIF", "--depth", "2", "--limit", "1000", "--json", "--data", BUNDLED)[1])
    total = len(whole["neighbours"])
    assert code == 0 and total == whole["total"] > 3
    assert f"{total} within 2 hops of Russian Direct Investment Fund" in stdout
    assert stdout.rstrip().endswith(f"… and {total - 3} more (use --limit)")
    first = json.loads(run("neighbours", "RDIF", "--depth", "2", "--limit", "3", "--json", "--data", BUNDLED)[1])
    assert first["neighbours"] == whole["neighbours"][:3] and first["total"] == total
    default = json.loads(run("neighbours", "RDIF", "--depth", "3", "--json", "--data", BUNDLED)[1])
    assert len(default["neighbours"]) == min(default["total"], 100)


def test_a_same_size_edit_with_its_times_restored_makes_a_new_index(small_data: Path) -> None:
    """The index is trusted by the files' stat only when size, times, change time and inode all match."""
    warmed(small_data)
    people = small_data / "entities" / "people.yaml"
    before = people.stat()
    text = people.read_text(encoding="utf-8")
    assert "Zelenskyy" in text
    people.write_text(text.replace("Zelenskyy", "Zelenskyi"), encoding="utf-8")
    os.utime(people, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert people.stat().st_size == before.st_size and people.stat().st_mtime_ns == before.st_mtime_ns
    code, stdout, _ = run("search", "Zelenskyi", "--data", small_data, "--json")
    assert code == 0 and json.loads(stdout)["results"][0]["name"].startswith("Volodymyr Zelenskyi")


def test_a_long_neighbours_listing_prints_in_aligned_tables(generated: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Past 100 rows, the listing comes as tables of 100 rows with one header and fixed columns."""
    monkeypatch.setenv("TIELINE_CACHE_DIR", str(tmp_path / "cache"))
    warmed(generated)
    graph = json.loads(run("export", "json", "--data", generated, "--out", "-")[1])
    degree: dict[str, int] = {}
    for edge in graph["edges"]:
        for end in (edge["source"], edge["target"]):
            degree[end] = degree.get(end, 0) + 1
    hub = max(sorted(degree), key=degree.get)
    monkeypatch.setattr(render, "is_plain", lambda: False)  # at a terminal: rich tables
    code, stdout, _ = assert_same(generated, "neighbours", hub, "--depth", "2", "--limit", "250")
    total = json.loads(run("neighbours", hub, "--depth", "2", "--limit", "1", "--json", "--data", generated)[1])["total"]
    assert code == 0 and total > 250
    lines = stdout.splitlines()
    assert sum(1 for line in lines if line.startswith("hops ")) == 1
    assert lines[-1] == f"… and {total - 250:,} more (use --limit)"
    rows = [line for line in lines if "│" in line]
    assert len({tuple(i for i, c in enumerate(line) if c == "│") for line in rows}) == 1, "columns do not line up"
    assert sum(1 for line in rows if not line.startswith(" ")) == 250
