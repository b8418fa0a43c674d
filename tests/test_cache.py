"""The compiled-graph cache: what invalidates it, what it refuses to trust, and that it never changes an answer.

Real fact folders in tmp_path, a private TIELINE_CACHE_DIR (conftest), and the result of every
cached load compared with a load that uses no cache at all — including the order of nodes, edges
and adjacency, so a patched graph is indistinguishable from a fresh build.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import graph.parse as parse
import graph.validate as validate
from graph.files import data_files
import graph.store as store
from conftest import SMALL, write_fact_set
from graph.errors import DataErrors
from graph.build import Loader
from graph.model import Compiled
from graph.pipeline import load_compiled, load_indexed

REPO = Path(__file__).resolve().parents[1]
HEAVY_MODULES = ("yaml", "_yaml", "pyvis", "jinja2", "lxml", "rich")
Load = Callable[..., Compiled]


# --- helpers ----------------------------------------------------------------------------------------

def fingerprint(compiled: Compiled) -> tuple[Any, ...]:
    """Everything a command could observe of a loaded graph, dict order included."""
    g = compiled.graph
    adjacency = [
        [(n, list(side[n]), [list(keydict) for keydict in side[n].values()]) for n in g]
        for side in (g._succ, g._pred)
    ]
    return (
        list(g.graph), g.graph,
        [(n, list(d.items())) for n, d in g.nodes(data=True)],
        [(u, v, k, list(d.items())) for u, v, k, d in g.edges(keys=True, data=True)],
        adjacency,
        compiled.names.names,
        {key: sorted(ids) for key, ids in compiled.names.keys.items()},
        {key: sorted(ids) for key, ids in compiled.names.words.items()},
        {key: sorted(ids) for key, ids in compiled.names.sounds.items()},
        compiled.names.redirects,
    )


def fresh(data: Path) -> tuple[Any, ...]:
    return fingerprint(load_compiled(data, use_cache=False))


def outcome(data: Path) -> tuple[str, Any]:
    """("ok", fingerprint) of a cached load, or ("errors", the problems it reports)."""
    try:
        return "ok", fingerprint(load_compiled(data))
    except DataErrors as exc:
        return "errors", [str(e) for e in exc.errors]


def fresh_outcome(data: Path) -> tuple[str, Any]:
    try:
        return "ok", fresh(data)
    except DataErrors as exc:
        return "errors", [str(e) for e in exc.errors]


def store_folder(cache_dir: Path) -> Path:
    """The one per-data-folder cache folder inside ``cache_dir``."""
    (folder,) = [p for p in cache_dir.iterdir() if p.is_dir()]
    return folder


class Calls:
    """A step of the load that records its calls: passed to the pipeline in a :class:`Loader`."""

    def __init__(self, step: Callable[..., Any]):
        self.calls: list[tuple[Any, ...]] = []
        self.step = step

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(args)
        return self.step(*args, **kwargs)

    def reset(self) -> None:
        self.calls.clear()


@pytest.fixture
def parses() -> Calls:
    """The files the load parses (the second argument of the parse step is the data-relative path)."""
    return Calls(parse.parse_file)


@pytest.fixture
def full_links() -> Calls:
    """Calls to the link step: a full validation of every record (a patch makes none)."""
    return Calls(validate.check_and_link)


@pytest.fixture
def spied(parses: Calls, full_links: Calls) -> Load:
    """load_compiled with the parse and link steps watched by ``parses`` and ``full_links``."""
    loader = Loader(parse=parses, link=full_links)
    return lambda data, **options: load_compiled(data, loader=loader, **options)


def parsed_files(calls: Calls) -> list[str]:
    return sorted(args[1] for args in calls.calls)


# --- same answers with and without the cache -------------------------------------------------------

def test_a_cached_load_equals_a_fresh_one(small_data: Path) -> None:
    first = load_compiled(small_data)
    second = load_compiled(small_data)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert fingerprint(first) == fingerprint(second) == fresh(small_data)


def test_the_cache_is_only_written_where_the_user_said(small_data: Path, _private_cache: Path) -> None:
    load_compiled(small_data)
    folder = store_folder(_private_cache)
    assert (folder / "graph.cache").is_file()
    assert len(list((folder / "files").iterdir())) == len(data_files(small_data))
    for path in [folder, folder / "files", *folder.rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, f"{path} is readable or writable by others"
    assert sorted(p.name for p in small_data.rglob("*")) == sorted(p.name for p in SMALL.rglob("*"))


def test_no_cache_writes_nothing(small_data: Path, _private_cache: Path, invoke: Callable[..., Any]) -> None:
    result = invoke("path", "Zelenskyy", "Álvarez", "--data", small_data, "--no-cache")
    assert result.exit_code == 0, result.output
    load_compiled(small_data, use_cache=False)
    assert list(_private_cache.iterdir()) == []
    assert invoke("path", "Zelenskyy", "Álvarez", "--data", small_data).stdout == result.stdout
    assert list(_private_cache.iterdir()), "without --no-cache the cache is written"


def test_invalid_data_is_never_cached(fact_set: Callable[..., Path]) -> None:
    data = fact_set({"facts/extra.yaml": """
        facts:
          - subject: volodymyr-zelenskyy
            relation: met_with
            object: nobody-at-all
            sources: [kyiv-post-2024-05-01]
            certainty: confirmed
        """})
    for _ in range(2):
        with pytest.raises(DataErrors) as raised:
            load_compiled(data)
        assert "unknown entity 'nobody-at-all'" in str(raised.value)


# --- invalidation -----------------------------------------------------------------------------------

def test_editing_a_file_is_seen(small_data: Path) -> None:
    load_compiled(small_data)
    people = small_data / "entities" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace("President of Ukraine.", "Edited."),
                      encoding="utf-8")
    compiled = load_compiled(small_data)
    assert compiled.graph.nodes["volodymyr-zelenskyy"]["description"] == "Edited."
    assert fingerprint(compiled) == fresh(small_data)


def test_an_edit_keeping_size_and_time_right_after_the_cache_was_written_is_seen(small_data: Path) -> None:
    people = small_data / "entities" / "people.yaml"
    text = people.read_text(encoding="utf-8")
    people.write_text(text, encoding="utf-8")  # modified now: within the clock's reach of the cache
    load_compiled(small_data)
    before = people.stat()
    people.write_text(text.replace("President of Ukraine.", "President of Ukraina."), encoding="utf-8")
    os.utime(people, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert people.stat().st_size == before.st_size
    assert load_compiled(small_data).graph.nodes["volodymyr-zelenskyy"]["description"] == "President of Ukraina."


def test_adding_and_deleting_files_is_seen(small_data: Path) -> None:
    load_compiled(small_data)
    write_fact_set(small_data, {"entities/more.yaml": """
        entities:
          - id: new-person
            type: person
            name: Brand New Person
        """}, base=None)
    assert "new-person" in load_compiled(small_data).graph
    assert fingerprint(load_compiled(small_data)) == fresh(small_data)
    (small_data / "entities" / "more.yaml").unlink()
    assert "new-person" not in load_compiled(small_data).graph
    assert fingerprint(load_compiled(small_data)) == fresh(small_data)


def test_a_schema_change_is_seen(small_data: Path, full_links: Calls, spied: Load) -> None:
    spied(small_data)
    schema = small_data / "schema.yaml"
    schema.write_text(schema.read_text(encoding="utf-8").replace("label: met with", "label: sat down with"),
                      encoding="utf-8")
    full_links.reset()
    compiled = spied(small_data)
    assert len(full_links.calls) == 1, "a schema change rebuilds everything"
    labels = {d["label"] for _, _, d in compiled.graph.edges(data=True) if d["relation"] == "met_with"}
    assert labels == {"sat down with"}
    assert fingerprint(compiled) == fresh(small_data)


def test_a_new_tieline_version_invalidates(small_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_compiled(small_data)
    assert load_compiled(small_data).from_cache
    monkeypatch.setattr(store, "__version__", "999.0")
    assert not load_compiled(small_data).from_cache


@pytest.mark.parametrize("module", ["query.py", "index/read.py", "export/graphml.py", "ftm/importer.py"])
def test_an_edit_to_any_module_of_tieline_invalidates_the_cache_and_the_index(
        small_data: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, module: str) -> None:
    """The cache key reads every module under graph/, sub-packages included (graph/index/ is one)."""
    code = tmp_path / "graph"
    shutil.copytree(Path(store.__file__).parent, code, ignore=shutil.ignore_patterns("__pycache__", "*.js", "*.css"))
    monkeypatch.setattr(store, "_PACKAGE", code)
    assert module in [name for name, *_ in store.code_files()]
    load_indexed(small_data)
    assert load_indexed(small_data).indexed_in is not None, "the second query answers from the index"
    with (code / module).open("a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    compiled = load_indexed(small_data)
    assert compiled.indexed_in is None, "an index built by other code is not believed"
    assert not compiled.from_cache, "nor a cache: the graph is built again"
    assert load_indexed(small_data).indexed_in is not None, "and indexed again"


def test_a_relative_cache_dir_is_taken_from_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``TIELINE_CACHE_DIR=relcache`` is ./relcache: the cache and the query index are written and believed there."""
    data = write_fact_set(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIELINE_CACHE_DIR", "relcache")
    load_indexed(Path("data"))
    assert load_indexed(Path("data")).indexed_in is not None
    assert list((tmp_path / "relcache").glob("*/index.sqlite")) and data.is_dir()


# --- per-file reuse ---------------------------------------------------------------------------------

def test_editing_one_file_parses_only_that_file(small_data: Path, parses: Calls, spied: Load) -> None:
    spied(small_data)
    assert len(parses.calls) == len(data_files(small_data))
    parses.reset()
    assert spied(small_data).from_cache
    assert parses.calls == []
    roles = small_data / "facts" / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    spied(small_data)
    assert parsed_files(parses) == ["facts/roles.yaml"]


def test_deleting_a_file_parses_nothing_and_leaves_no_stale_cache(small_data: Path, parses: Calls,
                                                                  _private_cache: Path, spied: Load) -> None:
    spied(small_data)
    parses.reset()
    (small_data / "facts" / "meetings.yaml").unlink()
    compiled = spied(small_data)
    assert parses.calls == []
    assert fingerprint(compiled) == fresh(small_data)
    files = list((store_folder(_private_cache) / "files").iterdir())
    assert len(files) == len(data_files(small_data))


def test_parallel_parsing_gives_the_same_graph(small_data: Path, _private_cache: Path) -> None:
    assert fingerprint(load_compiled(small_data, loader=Loader(parallel_min_bytes=0))) == fresh(small_data)
    assert len(list((store_folder(_private_cache) / "files").iterdir())) == len(data_files(small_data))
    assert load_compiled(small_data).from_cache


# --- what the cache refuses to trust ----------------------------------------------------------------

@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_graph_file_is_rebuilt(small_data: Path, _private_cache: Path, damage: str) -> None:
    expected = fingerprint(load_compiled(small_data))
    path = store_folder(_private_cache) / "graph.cache"
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[:-50]
    elif damage == "flip":
        data[-20] ^= 0xFF
    elif damage == "garbage":
        data = bytearray(b"\x00\xff not a cache " * 100)
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    compiled = load_compiled(small_data)
    assert not compiled.from_cache
    assert fingerprint(compiled) == expected
    assert load_compiled(small_data).from_cache, "the damaged file was replaced"


def test_a_damaged_per_file_cache_is_parsed_again(small_data: Path, _private_cache: Path, parses: Calls,
                                                  spied: Load) -> None:
    expected = fingerprint(spied(small_data))
    (store_folder(_private_cache) / "graph.cache").unlink()
    for path in (store_folder(_private_cache) / "files").iterdir():
        path.write_bytes(b"M" + b"\x00garbage" * 10)
    parses.reset()
    assert fingerprint(spied(small_data)) == expected
    assert len(parses.calls) == len(data_files(small_data))


def test_a_graph_file_others_may_write_is_ignored(small_data: Path, _private_cache: Path) -> None:
    load_compiled(small_data)
    path = store_folder(_private_cache) / "graph.cache"
    path.chmod(0o620)
    assert not load_compiled(small_data).from_cache
    assert path.stat().st_mode & 0o077 == 0, "rewritten private"
    path.chmod(0o602)
    assert not load_compiled(small_data).from_cache


@pytest.mark.parametrize("mode", [0o770, 0o707])
def test_a_cache_folder_others_may_write_is_not_used(small_data: Path, _private_cache: Path, parses: Calls,
                                                     mode: int, spied: Load) -> None:
    spied(small_data)
    folder = store_folder(_private_cache)
    folder.chmod(mode)
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    for _ in range(2):
        parses.reset()
        compiled = spied(small_data)
        assert not compiled.from_cache
        assert len(parses.calls) == len(data_files(small_data)), "not even per-file results are read"
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before, "nothing written there"
    assert fingerprint(compiled) == fresh(small_data)


def test_a_cache_owned_by_another_user_is_ignored(small_data: Path, monkeypatch: pytest.MonkeyPatch,
                                                  parses: Calls, spied: Load) -> None:
    spied(small_data)
    parses.reset()
    someone_else = os.getuid() + 1
    monkeypatch.setattr(os, "getuid", lambda: someone_else)
    assert not spied(small_data).from_cache
    assert len(parses.calls) == len(data_files(small_data))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_graph_file_chowned_to_another_user_is_ignored(small_data: Path, _private_cache: Path) -> None:
    load_compiled(small_data)
    path = store_folder(_private_cache) / "graph.cache"
    os.chown(path, 4242, 4242)
    assert not load_compiled(small_data).from_cache


# --- patching the graph after an edit ---------------------------------------------------------------

def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated fact set of 400 entities in 10 story files (see bench/generate.py)."""
    folder = tmp_path_factory.mktemp("synthetic") / "data"
    _generator().generate(400, folder, seed=7)
    return folder


def test_the_benchmark_generator_is_deterministic_and_valid(synthetic: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    info = _generator().generate(400, again, seed=7)
    files = sorted(p.relative_to(again) for p in again.rglob("*.yaml"))
    assert files == sorted(p.relative_to(synthetic) for p in synthetic.rglob("*.yaml"))
    assert all((again / f).read_bytes() == (synthetic / f).read_bytes() for f in files)
    compiled = load_compiled(again, use_cache=False)
    assert (compiled.graph.number_of_nodes(), compiled.graph.number_of_edges()) == (400, 1200)
    assert info["entities"] == 400 and info["facts"] == 1200
    a, b = (compiled.names.resolve(name) for name in info["path"])
    from graph.query import find_paths
    assert find_paths(compiled.graph, a, b), "the benchmark's path exists"


@pytest.fixture
def story_set(synthetic: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(synthetic, data)
    load_compiled(data)  # the cache now holds this state
    return data


def story(data: Path, number: int) -> Path:
    return data / "stories" / f"story-{number:03d}.yaml"


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def first_match(path: Path, pattern: str) -> re.Match[str]:
    match = re.search(pattern, path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, pattern
    return match


def entity_blocks(path: Path) -> Iterator[tuple[str, str]]:
    """(id, text) of each entity block in a generated story file."""
    text = path.read_text(encoding="utf-8").split("\nfacts:\n")[0]
    for block in text.split("\n  - id: ")[1:]:
        yield block.split("\n")[0], "  - id: " + block + "\n"


def fact_blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8").split("\nfacts:\n")[1]
    return ["  - subject: " + b for b in text.split("  - subject: ")[1:]]


def _quote(data: Path) -> None:
    line = first_match(story(data, 3), r"^    quote: .*$").group(0)
    edit(story(data, 3), line, '    quote: "Edited: a new \u201cquote\u201d & more."')


def _rename(data: Path) -> None:
    line = first_match(story(data, 4), r"^    name: .*$").group(0)
    edit(story(data, 4), line, "    name: Zzyzx Renamed-Person")


def _new_file(data: Path) -> None:
    (entity_id, _), = list(entity_blocks(story(data, 2)))[:1]
    (data / "stories" / "aaa-new.yaml").write_text(
        "entities:\n  - id: aaa-newcomer\n    type: country\n    name: Aaa Newcomer Land\n"
        "    aliases: [Newcomerland]\n  - id: zzz-newcomer\n    type: country\n    name: Zzz Land\n"
        "facts:\n  - subject: aaa-newcomer\n    relation: negotiates_with\n    object: zzz-newcomer\n"
        f"    sources: [{_a_source(data)}]\n    certainty: confirmed\n", encoding="utf-8")


def _a_source(data: Path) -> str:
    return first_match(data / "sources.yaml", r"^  - id: (.*)$").group(1)


def _drop_facts(data: Path) -> None:
    blocks = fact_blocks(story(data, 5))
    edit(story(data, 5), blocks[0] + blocks[1], "")


def _move_fact(data: Path) -> None:
    block = fact_blocks(story(data, 6))[0]
    edit(story(data, 6), block, "")
    story(data, 7).write_text(story(data, 7).read_text(encoding="utf-8") + block, encoding="utf-8")


def _delete_file(data: Path) -> None:
    story(data, 8).unlink()


def _steal_alias(data: Path) -> None:
    other = first_match(story(data, 1), r"^    name: (.*)$").group(1)
    line = first_match(story(data, 2), r"^    name: .*$").group(0)
    edit(story(data, 2), line, line + f"\n    aliases: [{other}]")


def _unrelated_entity(data: Path) -> tuple[str, str]:
    """(id, block) of an entity of story 1 that story 2 never mentions: outside any patch context."""
    story2 = story(data, 2).read_text(encoding="utf-8")
    for entity_id, block in entity_blocks(story(data, 1)):
        if "type: person" in block and entity_id not in story2:
            return entity_id, block
    raise AssertionError("no unrelated entity")


def _steal_unrelated_name(data: Path) -> None:
    _, block = _unrelated_entity(data)
    name = re.search(r"^    name: (.*)$", block, re.MULTILINE).group(1)
    line = first_match(story(data, 2), r"^    name: .*$").group(0)
    edit(story(data, 2), line, line + f"\n    aliases: [{name}]")


def _duplicate_entity(data: Path) -> None:
    _, block = _unrelated_entity(data)
    edit(story(data, 2), "entities:\n", "entities:\n" + block)


def _unknown_source(data: Path) -> None:
    edit(story(data, 3), "    sources: [", "    sources: [no-such-source, ")


def _duplicate_fact(data: Path) -> None:
    block = fact_blocks(story(data, 9))[0]
    story(data, 4).write_text(story(data, 4).read_text(encoding="utf-8") + block, encoding="utf-8")


def _reverse_fact(data: Path) -> None:
    """The first meeting of story 9, written the other way round in story 4 (no ids: the same meeting)."""
    block = next(b for b in fact_blocks(story(data, 9)) if "relation: met_with" in b)
    subject = re.search(r"subject: (.*)", block).group(1)
    object_ = re.search(r"object: (.*)", block).group(1)
    reversed_block = block.replace(f"subject: {subject}", "subject: \0").replace(
        f"object: {object_}", f"object: {subject}").replace("subject: \0", f"subject: {object_}")
    story(data, 4).write_text(story(data, 4).read_text(encoding="utf-8") + reversed_block, encoding="utf-8")


def _retype_country(data: Path) -> None:
    for number in range(1, 11):
        for entity_id, block in entity_blocks(story(data, number)):
            if "    type: country\n" in block:
                edit(story(data, number), block, block.replace("type: country", "type: city"))
                return
    raise AssertionError("no country")


def _dataset_moved(data: Path) -> None:
    text = (data / "dataset.yaml").read_text(encoding="utf-8")
    (data / "dataset.yaml").unlink()
    story(data, 10).write_text(text + story(data, 10).read_text(encoding="utf-8").split("\n", 1)[1],
                               encoding="utf-8")


def _second_dataset(data: Path) -> None:
    text = (data / "dataset.yaml").read_text(encoding="utf-8")
    story(data, 10).write_text(text + story(data, 10).read_text(encoding="utf-8").split("\n", 1)[1],
                               encoding="utf-8")


def _drop_source(data: Path) -> None:
    text = (data / "sources.yaml").read_text(encoding="utf-8")
    last = text.rindex("\n  - id: ")
    (data / "sources.yaml").write_text(text[:last + 1], encoding="utf-8")


VALID_EDITS = {"quote": _quote, "rename": _rename, "new file": _new_file, "drop facts": _drop_facts,
               "move fact": _move_fact, "dataset moved": _dataset_moved,
               "steal alias": _steal_alias, "steal an unrelated name": _steal_unrelated_name}  # shared names are legal
INVALID_EDITS = {"delete file": _delete_file, "duplicate entity": _duplicate_entity, "unknown source": _unknown_source,
                 "duplicate fact": _duplicate_fact, "reversed symmetric fact": _reverse_fact,
                 "retype country": _retype_country,
                 "second dataset": _second_dataset, "drop source": _drop_source}


@pytest.mark.parametrize("name", VALID_EDITS)
def test_a_patched_graph_is_identical_to_a_fresh_build(story_set: Path, name: str, full_links: Calls,
                                                       parses: Calls, spied: Load) -> None:
    VALID_EDITS[name](story_set)
    compiled = spied(story_set)
    assert full_links.calls == [], "patched, not rebuilt"
    assert len(parses.calls) <= 2, "only the edited files are parsed"
    assert fingerprint(compiled) == fresh(story_set)
    assert spied(story_set).from_cache, "and the patched graph was cached"


@pytest.mark.parametrize("name", INVALID_EDITS)
def test_an_edit_breaking_a_rule_across_files_is_reported_as_by_a_full_check(story_set: Path, name: str) -> None:
    INVALID_EDITS[name](story_set)
    result = outcome(story_set)
    assert result[0] == "errors", result[0]
    assert result == fresh_outcome(story_set)
    assert outcome(story_set) == result, "still reported on the next run"


def test_retyping_a_country_only_named_as_country_in_another_file_is_reported(story_set: Path) -> None:
    (story_set / "stories" / "atlantis.yaml").write_text(
        "entities:\n  - id: atlantis\n    type: country\n    name: Atlantis\n", encoding="utf-8")
    (story_set / "stories" / "citizen.yaml").write_text(
        "entities:\n  - id: an-atlantean\n    type: person\n    name: An Atlantean\n    country: atlantis\n",
        encoding="utf-8")
    assert outcome(story_set)[0] == "ok"
    edit(story_set / "stories" / "atlantis.yaml", "type: country", "type: city")
    result = outcome(story_set)
    assert result == fresh_outcome(story_set)
    assert result[0] == "errors" and "'atlantis' is a city, not a country" in result[1][0]


def test_renamed_entity_is_found_by_its_new_name_only(story_set: Path) -> None:
    old_name = first_match(story(story_set, 4), r"^    name: (.*)$").group(1).strip('"')
    _rename(story_set)
    index = load_compiled(story_set).names
    node = index.resolve("Zzyzx Renamed-Person")
    with pytest.raises(Exception):
        assert index.resolve(old_name) != node


def test_a_sequence_of_edits_with_broken_states_in_between(story_set: Path) -> None:
    for step in (_quote, _steal_alias, _rename, _new_file, _unknown_source, _drop_facts):
        step(story_set)
        assert outcome(story_set) == fresh_outcome(story_set), step.__name__
    for number in (2, 3):  # repair the broken files: the cache must still agree
        text = story(story_set, number).read_text(encoding="utf-8")
        text = re.sub(r"\n    aliases: \[[^\]\n]*\]\n(    aliases:)", r"\n\1", text)
        story(story_set, number).write_text(text.replace("no-such-source, ", ""), encoding="utf-8")
        assert outcome(story_set) == fresh_outcome(story_set)


def test_a_large_edit_rebuilds_instead_of_patching(story_set: Path, full_links: Calls, spied: Load) -> None:
    for number in range(1, 5):
        edit(story(story_set, number), "\nfacts:\n", "\n# reviewed\nfacts:\n")
    compiled = spied(story_set)
    assert len(full_links.calls) == 1
    assert fingerprint(compiled) == fresh(story_set)


# --- what a warm query imports ----------------------------------------------------------------------

def imported_modules(*args: str | Path) -> set[str]:
    """The modules `python -X importtime cli.py ARGS` imports (the process must succeed)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([sys.executable, "-X", "importtime", str(REPO / "cli.py"), *map(str, args)],
                            capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY_MODULES)


def test_a_warm_query_imports_no_yaml_pyvis_jinja2_lxml_or_rich(small_data: Path) -> None:
    args = ("path", "Zelenskyy", "Álvarez", "--data", small_data)
    cold = imported_modules(*args)
    assert "yaml" in cold, "the first run parses the YAML (and proves the parsing of this output works)"
    assert "networkx" in cold
    warm = imported_modules(*args)
    assert "sqlite3" in warm, "a warm path is answered from the query index"
    assert heavy(warm) == [] and "networkx" not in warm and "numpy" not in warm
    validate = imported_modules("validate", "--data", small_data)
    assert "networkx" in validate and heavy(validate) == []


def test_help_imports_neither_networkx_nor_yaml() -> None:
    modules = imported_modules("--help")
    assert "typer" in modules
    assert [m for m in modules if m.split(".")[0] in ("networkx", "yaml", "pyvis", "jinja2", "lxml")] == []
