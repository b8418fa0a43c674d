"""Naming an entity on the command line: by id, name or alias, ignoring case, accents and punctuation.

Checked through `tieline show NAME --json` (what a user types) and through the name index itself.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest

from conftest import SMALL

ZEL = "volodymyr-zelenskyy"


def resolved(invoke: Callable[..., Any], text: str) -> str:
    """The id of the entity `tieline show TEXT` shows."""
    result = invoke("show", text, "--data", SMALL, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["entity"]["id"]


@pytest.mark.parametrize(("text", "entity"), [
    ("volodymyr-zelenskyy", ZEL),                 # id
    ("Volodymyr Zelenskyy", ZEL),                 # name
    ("Zelenskyy", ZEL),                           # one word of the name
    ("zelensky", ZEL),                            # alias, lower case
    ("ZELENSKIY", ZEL),                           # another alias, upper case
    ("volodymyr zelensky", ZEL),                  # a two-word alias
    ("Volodymyr", ZEL),                           # first name: every match is the same entity
    ("  Volodymyr   Zelenskyy ", ZEL),            # stray spaces
    ("volodymyr_zelenskyy", ZEL),                 # punctuation counts as a space
    ("José Álvarez", "jose-alvarez"),
    ("jose alvarez", "jose-alvarez"),
    ("JOSÉ ÁLVAREZ", "jose-alvarez"),
    ("Jose\u0301 A\u0301lvarez", "jose-alvarez"),  # decomposed accents (NFD), as some keyboards send
    ("jose-alvarez", "jose-alvarez"),
    ("Pepe Alvarez", "jose-alvarez"),              # alias without its accent
    ("clara nunez", "clara-nunez"),
    ("CLARA NÚÑEZ", "clara-nunez"),
    ("espana", "spain"),                           # accented alias typed without accent
    ("España", "spain"),
    ("Ivanov", "boris-ivanov"),                    # alias
    ("Petrov", "boris-petrov"),                    # surname only
    ("office of the president", "office-of-the-president"),
    ("Office-of-the-President", "office-of-the-president"),
])
def test_resolves(invoke: Callable[..., Any], text: str, entity: str) -> None:
    assert resolved(invoke, text) == entity


def test_nfd_input_really_is_decomposed() -> None:
    assert unicodedata.is_normalized("NFD", "Jose\u0301 A\u0301lvarez")
    assert "Jose\u0301 A\u0301lvarez" != "José Álvarez"


def test_ambiguous_name_lists_candidates_and_exits_2(invoke: Callable[..., Any]) -> None:
    result = invoke("show", "Boris", "--data", SMALL)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("tieline: 'Boris' matches 2 entities; say which:\n"
                             "  Boris Ivanov — person — id boris-ivanov\n"
                             "  Boris Petrov — person — id boris-petrov\n"
                             "  give the id (e.g. boris-ivanov)\n")


def test_unknown_name_suggests_close_names_and_exits_2(invoke: Callable[..., Any]) -> None:
    result = invoke("show", "Vlodymyr", "--data", SMALL)  # close, but not clearly: 0.8 alike at most
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("tieline: no entity matches 'Vlodymyr'; "
                             "did you mean: volodymyr-zelenskyy (Volodymyr Zelenskyy)\n")
    clear = invoke("show", "Zelenskyyy", "--data", SMALL)  # one clear candidate: answered for, and said
    assert clear.exit_code == 0 and clear.stdout.startswith("Volodymyr Zelenskyy  (person")
    assert clear.stderr == "tieline: showing Volodymyr Zelenskyy for 'Zelenskyyy' (id volodymyr-zelenskyy)\n"


def test_unknown_name_without_anything_close_points_to_search(invoke: Callable[..., Any]) -> None:
    result = invoke("show", "xyzzy", "--data", SMALL)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "tieline: no entity matches 'xyzzy'; try: tieline search TEXT\n"


@pytest.mark.parametrize("args", [
    ("path", "Boris", ZEL),
    ("path", ZEL, "Boris"),
    ("path", ZEL, "spain", "--avoid", "Boris"),
    ("neighbours", "Boris"),
])
def test_every_command_that_takes_a_name_refuses_an_ambiguous_one(invoke: Callable[..., Any],
                                                                   args: tuple[str, ...]) -> None:
    result = invoke(*args, "--data", SMALL, "--json")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("tieline: 'Boris' matches 2 entities; say which:\n")


@pytest.mark.parametrize("args", [
    ("path", "nobody", ZEL),
    ("path", ZEL, "nobody"),
    ("path", ZEL, "spain", "--avoid", "nobody"),
    ("neighbours", "nobody"),
    ("show", "nobody"),
])
def test_every_command_that_takes_a_name_refuses_an_unknown_one(invoke: Callable[..., Any],
                                                                 args: tuple[str, ...]) -> None:
    result = invoke(*args, "--data", SMALL, "--json")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "tieline: no entity matches 'nobody'; try: tieline search TEXT\n"


def test_name_index_directly() -> None:
    from graph.pipeline import load_compiled
    from graph.errors import AmbiguousEntity, EntityNotFound

    index = load_compiled(SMALL, use_cache=False).names
    assert index.resolve("ZELENSKIY") == ZEL
    assert index.resolve("trade council") == "trade-council"
    with pytest.raises(AmbiguousEntity) as ambiguous:
        index.resolve("boris")
    assert [(c.id, c.name, c.type) for c in ambiguous.value.candidates] == [
        ("boris-ivanov", "Boris Ivanov", "person"), ("boris-petrov", "Boris Petrov", "person")]
    with pytest.raises(EntityNotFound) as missing:
        index.resolve("Anna Kowalsky")
    assert missing.value.candidates[0] == ("anna-kowalska", "Anna Kowalska")
    with pytest.raises(EntityNotFound) as empty:
        index.resolve("  ")
    assert empty.value.candidates == []


def test_punctuation_alone_never_names_an_entity(invoke: Callable[..., Any], fact_set: Callable[..., Any]) -> None:
    """An alias of symbols only ("★") is found when typed, but "?" or "" must not match it."""
    people = (SMALL / "entities" / "people.yaml").read_text(encoding="utf-8")
    data = fact_set({"entities/people.yaml": people.replace("aliases: [Ivanov]", 'aliases: [Ivanov, "★"]')})
    for text in ("?", "", "!!!", "· ·"):
        result = invoke("show", text, "--data", data)
        assert (result.exit_code, result.stdout) == (2, ""), text
        assert result.stderr == f"tieline: no entity matches {text!r}; try: tieline search TEXT\n"
    result = invoke("show", "★", "--data", data, "--json")
    assert json.loads(result.stdout)["entity"]["id"] == "boris-ivanov"
