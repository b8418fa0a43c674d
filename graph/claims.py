"""THE rule of claims and their statements: which fact entries state one claim, the ids of their
statements, and how many independent sources a set of sources is.

A fact entry in YAML is one source's *statement*. Entries written without an ``id`` that join the
same subject and object by the same relation (either direction for a symmetric relation) state one
*claim*: the graph keeps one edge per claim, keyed by the claim's id (the id of its first statement,
in load order: files by path, then line), and lists every statement under ``statements`` once there
are two or more. Entries with an ``id`` are claims of their own, except that one id written in two
stories (folders with their own schema.yaml) for the same ends and relation is one claim.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .fields import STATEMENT_FIELDS, field_names
from .names import name_key

__all__ = ["STATEMENT_KEYS", "claim_key", "statement_id", "source_groups",
           "independent_count", "statements_of"]

STATEMENT_KEYS = field_names(STATEMENT_FIELDS)
"""What the graph keeps of each statement of a claim (under the edge's ``statements``)."""


def claim_key(fact: Mapping[str, Any], symmetric: bool) -> tuple[str, ...]:
    """What makes two fact entries one claim: the given id, else relation and ends (unordered when symmetric)."""
    if fact["id"] is not None:
        return ("id", fact["id"])
    ends = (fact["subject"], fact["object"])
    return ("made", fact["relation"], *(sorted(ends) if symmetric else ends))


def statement_id(claim_id: str, sources: Iterable[str], taken: set[str]) -> str:
    """The id of a claim's second or later statement: ``claim@source`` (``claim@a+b`` for several
    sources), then ``-2``, ``-3``… should that be taken."""
    base = f"{claim_id}@{'+'.join(sources)}"
    found, n = base, 1
    while found in taken:
        n += 1
        found = f"{base}-{n}"
    return found


def statements_of(fact: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A claim's statements: its ``statements``, or the fact itself when it has one statement."""
    return fact.get("statements") or [fact]


def source_groups(registry: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """Each source id → (publisher key, reprinter key): what independence compares.

    Two sources count as one when they have the same ``publisher``, or when one's publisher is the
    other's ``reprinted_by`` (a reprint of its publisher's report); names compared as name keys. A
    source without a publisher stands for itself.
    """
    groups = {}
    for source_id, source in registry.items():
        publisher = name_key(source.get("publisher") or "")
        reprinter = name_key(source.get("reprinted_by") or "")
        groups[source_id] = (publisher or "\0" + source_id, reprinter)
    return groups


def independent_count(sources: Iterable[str], groups: Mapping[str, tuple[str, str]]) -> int:
    """How many independent sources ``sources`` are (see :func:`source_groups`)."""
    keys = [groups.get(s, ("\0" + s, "")) for s in dict.fromkeys(sources)]
    if len(keys) < 2:
        return len(keys)
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (publisher, reprinter) in enumerate(keys):
        for j in range(i):
            other_publisher, other_reprinter = keys[j]
            if publisher == other_publisher or (reprinter and reprinter == other_publisher) \
                    or (other_reprinter and other_reprinter == publisher):
                parent[root(i)] = root(j)
    return len({root(i) for i in range(len(keys))})
