"""The fast line reader (graph/yamlfast.py) reads what it takes exactly as libyaml's route does.

Wherever the line reader accepts a text, its value must be libyaml's: the same types, texts, tags of
plain scalars and every line and column; and libyaml must find no problem in that text. Whatever it
does not take goes to libyaml's route (the fallback), which the other tests hold to its messages.
Compared here on generated documents built from the tricky pieces of YAML, the broken corpus, the
bundled data, random fact sets as tests/test_properties.py makes them (written by PyYAML and by
tieline's own writer), and a generated bench set; then every `validate` message and every parsed
record of those folders, read with the line reader and with libyaml alone.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import yamlfast, yamlfile
from graph.errors import DataErrors
from graph.parse import parse_file
from graph.validate import load_facts
from graph.yamlfast import Unsupported, read_fast
from graph.yamlfile import Marked, MarkedList, Plain, parse_with_libyaml
from graph.yamlwrite import entity_lines, fact_lines
from test_properties import fact_sets, text_mutation, write_folder

__all__: list[str] = []

REPO = Path(__file__).resolve().parents[1]
BROKEN = REPO / "tests" / "fixtures" / "broken"
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def difference(fast: Any, reference: Any, where: str = "$") -> str | None:
    """Where two read documents differ in value, type, tag or mark; None when they are the same."""
    if type(fast) is not type(reference):
        return f"{where}: {type(fast).__name__} {fast!r} vs {type(reference).__name__} {reference!r}"
    if isinstance(fast, Plain) and fast.tag != reference.tag:
        return f"{where}: tag {fast.tag} vs {reference.tag}"
    if isinstance(fast, (Marked, MarkedList)):
        if (fast.line, fast.column) != (reference.line, reference.column) or fast.marks != reference.marks:
            return f"{where}: marks {(fast.line, fast.column, fast.marks)} vs " \
                   f"{(reference.line, reference.column, reference.marks)}"
        if isinstance(fast, Marked):
            if list(fast) != list(reference):
                return f"{where}: keys {list(fast)} vs {list(reference)}"
            pairs = [(f"{where}.{k}", fast[k], reference[k]) for k in fast]
        else:
            if len(fast) != len(reference):
                return f"{where}: {len(fast)} items vs {len(reference)}"
            pairs = [(f"{where}[{n}]", a, b) for n, (a, b) in enumerate(zip(fast, reference))]
        return next((d for d in (difference(a, b, w) for w, a, b in pairs) if d), None)
    return None if fast == reference else f"{where}: {fast!r} vs {reference!r}"


def read_both(text: str) -> bool:
    """Assert that the line reader, where it takes ``text``, reads it as libyaml; True if it took it."""
    reference, errors = parse_with_libyaml(text, "t.yaml")
    try:
        fast = read_fast(text)
    except Unsupported:
        return False
    assert errors == [], f"the line reader took a text libyaml refuses: {errors}\n{text}"
    found = difference(fast, reference)
    assert found is None, f"{found}\n{text}"
    return True


# --- generated documents from the tricky pieces of YAML -------------------------------------------

KEYS = ["id", "name", "a b", "x-y", "yes", "1", "null", "k.v", "(k)", "_", "a" * 130, "é", '"q"', "'q'", "<<",
        "? k", "a #b", "a:b", "-k", "~", "k "]
SCALARS = ["plain", "two  words", "yes", "No", "on", "~", "null", "", "2011", "2011-04", "2025-04-02", "1.10", "-5",
           "+49", "0x1F", "1e3", ".nan", "=", "<<", "a: b", "a:", "a #c", "a#c", "x :y", "-", "- a", "-a", "?x",
           ":x", "%x", "@x", "`x", "&a x", "*a", "!!str x", "!t x", "|", ">-", "[a, b]", "[]", "[ ]", "[a, [b]]",
           "[a, ]", "[a,,b]", "[it's, \"q, r\", 'x''y']", "[a #c]", "[a:b]", "[1, yes, ~, '']", "{}", "{ }", "{a: b}",
           '"double"', '"esc \\x41\\u00e9\\N\\t\\\\ \\" \\/"', '"bad \\q"', '"\\ud800"', '"open', "'single'",
           "'it''s'", "'open", '"a" #c', '"a"#c', '"a" b', "é ü", "a ] } ,", "trailing   ", "Zürich: yes",
           "a\tb", "x\r", "\x85", "\u2028", "\ufeff", "\x07", "---", "..."]
COMMENTS = ["", "  # note", " #", "#x"]
BLOCK_SCALARS = [("|", ["line", "  more", "", "# not a comment"]), (">-", ["folded", "text", "", "", "after"]),
                 ("|-", ["a"]), (">", ["a", "b"]), ("| # c", ["x", ""]), ("|+", ["kept", ""]), ("|2", ["x"]),
                 (">", [" lead"]), ("|", ["a", "   "]), (">-", ["a", "  b", "c"]), ("|", [])]


@st.composite
def documents(draw: Any, depth: int = 0) -> str:
    """A block document: mappings and sequences of the pieces above, indented by 1 to 4 spaces."""
    lines = draw(block(0, depth))
    gaps = draw(st.lists(st.sampled_from(["", "   ", "# comment", "  # indented comment"]), max_size=3))
    at = draw(st.integers(0, len(lines)))
    return "\n".join(lines[:at] + gaps + lines[at:]) + draw(st.sampled_from(["\n", "", "\n\n"]))


@st.composite
def block(draw: Any, indent: int, depth: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    as_sequence = draw(st.booleans())
    for _ in range(draw(st.integers(1, 4))):
        nested = depth < 3 and draw(st.integers(0, 3)) == 0
        step = draw(st.sampled_from([1, 2, 2, 4]))
        if as_sequence:
            if nested and draw(st.booleans()):  # "- key: value" and the item's mapping below it
                inner = draw(block(indent + 2, depth + 1))
                lines.append(pad + "- " + inner[0][indent + 2:])
                lines.extend(inner[1:])
            else:
                lines.append(pad + "- " + draw(st.sampled_from(SCALARS)) + draw(st.sampled_from(COMMENTS)))
        else:
            key = draw(st.sampled_from(KEYS))
            if nested:
                lines.append(pad + key + ":" + draw(st.sampled_from(COMMENTS)))
                lines.extend(draw(block(indent + draw(st.sampled_from([0, step])), depth + 1)))
            elif draw(st.integers(0, 4)) == 0:
                header, texts = draw(st.sampled_from(BLOCK_SCALARS))
                inner = " " * (indent + draw(st.sampled_from([0, 1, 2, 4])))
                lines.append(pad + key + ": " + header)
                lines.extend(inner + text if text else text for text in texts)
            else:
                value = draw(st.sampled_from(SCALARS))
                lines.append(pad + key + ":" + (" " + value if value else "") + draw(st.sampled_from(COMMENTS)))
    return lines


@SETTINGS
@given(documents())
def test_generated_documents_read_as_libyaml_reads_them(text: str) -> None:
    read_both(text)


TEXT_LINES = ["line", "two words", "", "# hash", "x: y", "- dash", "  more", '"q"', "é", "a  b ", "   "]


@st.composite
def block_scalar_documents(draw: Any) -> str:
    """A literal or folded scalar among keys, at the top or one level down, in a mapping or an item."""
    indent = draw(st.sampled_from([0, 2]))
    pad = " " * indent
    header = draw(st.sampled_from(["|", "|-", ">", ">-", "| # c", ">- #x", "|+", ">2"]))
    inner = " " * (indent + draw(st.sampled_from([1, 2, 4])))
    texts = draw(st.lists(st.sampled_from(TEXT_LINES), max_size=5))
    lines = (["top:"] if indent else []) + [pad + draw(st.sampled_from(["a: ", "- a: "])) + header]
    lines += [inner + text if text else "" for text in texts]
    lines += draw(st.sampled_from([[pad + "b: 1"], [], ["c: 2"], [pad + "# c", pad + "b: 1"]]))
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


@SETTINGS
@given(block_scalar_documents())
def test_block_scalars_read_as_libyaml_reads_them(text: str) -> None:
    read_both(text)


@pytest.mark.parametrize("text", [
    "a:\nb: 1\n", "a:\n- x\n- y\nb: z\n", "- a\n- b:\n", "a:\n  b:\n    c: [x, 'y', \"z\"]\n", "  a: 1\n  b: 2\n",
    "# only a comment\n", "", "a: 1\n  b: 2\n", "a:\n  - x\n  b: 1\n", "- a\nb: 1\n", "a: x\n b: y\n",
    "a: |\n  text\n", "entities:\n  - id: x\n    name: \"É \\u00e9\"\n    aliases: [A, 'B']\n",
])
def test_chosen_documents_read_as_libyaml_reads_them(text: str) -> None:
    read_both(text)


def test_a_file_the_line_reader_does_not_take_is_read_by_libyaml() -> None:
    """The fallback: valid YAML beyond the line reader (anchors and aliases, a flow mapping, a quote
    over two lines, CRLF) reads as it always did."""
    text = "base: &b {label: x}\nother: *b\nquote: \"two\n  lines\"\r\n"
    with pytest.raises(Unsupported):
        read_fast(text)
    value, errors = yamlfile.parse_yaml(text, "t.yaml")
    assert errors == [] and value == {"base": {"label": "x"}, "other": {"label": "x"}, "quote": "two lines"}
    assert value.marks["quote"] == (3, 1, 3, 8)


def test_the_line_reader_takes_the_layout_tieline_writes() -> None:
    entity = {"id": "x", "type": "person", "name": "Zoë \"Q\" O'Brien: yes", "aliases": ["A, B", "no", "2011"],
              "description": "line\nbreak \x07 \u2028", "country": "ru", "start": "2011",
              "attributes": {"n": 3, "flag": True, "tags": ["a", "b"]}}
    fact = {"subject": "x", "relation": "r", "object": "y", "sources": ["s"], "quote": "He said: \"no\" #1",
            "certainty": "confirmed"}
    text = "entities:\n" + "".join(entity_lines(entity)) + "facts:\n" + "".join(fact_lines(fact))
    assert read_both(text), text


# --- files: the broken corpus, the bundled data, random fact sets, a generated set ---------------

def yaml_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.yaml"))


def test_the_broken_corpus_and_the_bundled_data_read_as_libyaml_reads_them() -> None:
    taken = 0
    for path in yaml_files(BROKEN, REPO / "data"):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        taken += read_both(text)
    assert taken >= 20  # most files of both are in the reader's layout


def reference_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, every file is read by libyaml's route (the fallback for every file)."""
    def refuse(text: str) -> Any:
        raise Unsupported("the reference route, for the comparison")
    monkeypatch.setattr(yamlfast, "read_fast", refuse)


def outcome(folder: Path) -> tuple[list[Any], list[str]]:
    """Every parsed record of ``folder`` and every message `validate` gives (empty when valid)."""
    parsed = [parse_file(p.read_bytes(), p.relative_to(folder).as_posix()) for p in yaml_files(folder)]
    try:
        load_facts(folder)
        messages: list[str] = []
    except DataErrors as exc:
        messages = [str(e) for e in exc.errors]
    return parsed, messages


def same_outcome(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = outcome(folder)
    with monkeypatch.context() as patch:
        reference_only(patch)
        reference = outcome(folder)
    assert fast[1] == reference[1]
    assert fast[0] == reference[0]


@pytest.mark.parametrize("case", sorted(p.name for p in BROKEN.iterdir() if p.is_dir()))
def test_every_message_on_the_broken_corpus_is_the_same(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    same_outcome(BROKEN / case, monkeypatch)


def test_the_bundled_data_parses_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    same_outcome(REPO / "data", monkeypatch)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=fact_sets(), writer=st.sampled_from(["pyyaml", "tieline", "damaged"]), draws=st.data())
def test_random_fact_sets_give_the_same_records_and_messages(tmp_path_factory: pytest.TempPathFactory,
                                                            data: dict[str, Any], writer: str, draws: Any) -> None:
    if writer == "tieline":
        text = ("entities:\n" + "".join(line for e in data["entities"] for line in entity_lines(e))
                + "facts:\n" + "".join(line for f in data["facts"] for line in fact_lines(f)))
        text = yaml.safe_dump({"sources": data["sources"]}, allow_unicode=True, sort_keys=False) + text
    else:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        if writer == "damaged":
            text = text_mutation(text, draws)
    folder = write_folder(tmp_path_factory.mktemp("set"), text)
    read_both(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    with pytest.MonkeyPatch.context() as patch:
        same_outcome(folder, patch)


def test_a_generated_set_parses_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    generate.generate(1500, tmp_path / "set")
    fast = outcome(tmp_path / "set")
    assert fast[1] == []
    same_outcome(tmp_path / "set", monkeypatch)
    taken = [p for p in yaml_files(tmp_path / "set") if p.name != "schema.yaml"]
    assert all(read_both(p.read_text(encoding="utf-8")) for p in taken)


def test_the_value_classes_load_no_pyyaml() -> None:
    """graph.yamlfile, which a warm query's modules import for the value classes, loads no PyYAML:
    the line reader asks PyYAML's resolver only when it reads a file."""
    import subprocess

    code = "import sys, graph.yamlfile, graph.fields; print('yaml' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.split() == ["False"]
