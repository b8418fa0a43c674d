"""One rule for characters that draw nothing (graph/glyphs.py): what validation refuses in a name is
exactly what ``tieline show`` and ``--json`` never print raw — tested on every such code point."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from conftest import write_fact_set
from graph.glyphs import INVISIBLE_CATEGORIES, INVISIBLE_LETTERS, is_invisible

__all__: list[str] = []

INVISIBLE = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF and is_invisible(chr(c))]
SCHEMA = """\
entity_types:
  person: {label: Person}
certainty:
  confirmed: Stated as fact by the source.
relations:
  met_with: {label: met with, symmetric: true, subject: [person], object: [person]}
"""


def _escaped(text: str) -> str:
    """``text`` as a YAML double-quoted scalar: every character outside printable ASCII as an escape."""
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08X}" for c in text) + '"'


def test_the_rule_covers_what_it_names() -> None:
    named = {"\u00ad": "soft hyphen", "\U000e0049": "tag I", "\u200b": "zero width space", "\u202e": "bidi override",
             "\x1b": "escape", "\x85": "next line", "\u2028": "line separator", "\u3164": "hangul filler",
             "\ufe0f": "variation selector", "\ufeff": "byte order mark", "\u2066": "bidi isolate"}
    assert all(c in INVISIBLE for c in named), [n for c, n in named.items() if c not in INVISIBLE]
    assert not any(is_invisible(c) for c in "aЖ★ é\u00a0\u3000")  # letters, symbols, spaces draw something
    assert all(unicodedata.category(c) in INVISIBLE_CATEGORIES or ord(c) in INVISIBLE_LETTERS for c in INVISIBLE)


@pytest.fixture(scope="module")
def invisible_story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A person whose description holds every invisible character, between visible letters."""
    description = "".join(f"x{c}" for c in INVISIBLE) + "x"
    story = (f"dataset: {{name: Glyphs, date: '2025-01-01'}}\n"
             f"sources:\n  - {{id: s1, title: A source}}\n"
             f"entities:\n  - {{id: ann, type: person, name: Ann, description: {_escaped(description)}}}\n"
             f"  - {{id: bob, type: person, name: Bob}}\n"
             f"facts:\n  - {{subject: ann, relation: met_with, object: bob, sources: [s1], certainty: confirmed,"
             f" quote: {_escaped(description)}}}\n")
    return write_fact_set(tmp_path_factory.mktemp("glyphs") / "data", {"schema.yaml": SCHEMA, "story.yaml": story},
                          base=None)


@pytest.mark.parametrize("args", [["show", "ann"], ["show", "ann", "--json"], ["path", "ann", "bob"],
                                  ["path", "ann", "bob", "--json"]], ids=["show", "show-json", "path", "path-json"])
def test_no_answer_prints_a_character_validation_calls_invisible(invisible_story: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, [*args, "--data", str(invisible_story), "--no-cache"])
    assert result.exit_code == 0, result.output
    printed = {c for c in result.stdout if c not in "\n\t"}  # a tab separates plain rows' columns
    assert printed.isdisjoint(INVISIBLE), sorted(f"U+{ord(c):04X}" for c in printed & set(INVISIBLE))[:20]
    if "--json" in args:
        answer = json.loads(result.stdout)
        text = answer["entity"]["description"] if args[0] == "show" else answer["paths"][0]["hops"][0]["facts"][0]["quote"]
        assert text == "".join(f"x{c}" for c in INVISIBLE) + "x", "the JSON escapes them and keeps them"
    else:
        unwrapped = re.sub(r"\n\s*", "", result.stdout)
        assert "x<U+00AD>x" in unwrapped and "x<U+E0049>x" in unwrapped, "shown visibly, not dropped"


def test_validation_refuses_each_of_them_in_a_name(tmp_path: Path) -> None:
    entities = "".join(f"  - {{id: p{i}, type: person, name: {_escaped(f'A{c}B')}}}\n" for i, c in enumerate(INVISIBLE))
    story = ("dataset: {name: Glyphs, date: '2025-01-01'}\nsources:\n  - {id: s1, title: A source}\n"
             "entities:\n" + entities)
    data = write_fact_set(tmp_path / "data", {"schema.yaml": SCHEMA, "story.yaml": story}, base=None)
    result = CliRunner().invoke(app, ["validate", "--data", str(data), "--no-cache"])
    assert result.exit_code == 3
    flagged = [line for line in result.stderr.splitlines() if "holds " in line and "character 2" in line]
    assert len(flagged) == len(INVISIBLE)
