"""THE YAML writer: fact-file records → YAML text in the curator's layout, deterministic and diffable.

Used by ``bench/generate.py`` (synthetic sets) and ``graph/ftm`` (imports). Each record becomes
the block a curator would write (``data/README.md``), keys in the documented order, texts plain
when that reads back as the same text and double-quoted otherwise. No PyYAML: the output is a
pure function of the records, and writing 100k records costs string joins only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .dates import PARTIAL_DATE

__all__ = ["scalar", "value_text", "source_lines", "entity_lines", "fact_lines", "schema_text"]

_PLAIN = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z0-9\u00c0-\u024f .,;'()&/\u2013\u2014-]*\Z")
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
# characters json.dumps leaves raw that YAML would read as line breaks or refuses to carry
_UNSAFE = re.compile("[\u0085\u2028\u2029\ufeff\ufffe\uffff\u007f-\u009f\ud800-\udfff]")
SOURCE_KEYS = ("title", "publisher", "published", "url", "reprinted_by", "accessed", "note")
ENTITY_KEYS = ("description", "country", "start", "end")
FACT_KEYS = ("quote", "start", "end", "certainty", "note")


def scalar(text: str, flow: bool = False) -> str:
    """``text`` as a YAML scalar: plain when that is safe and reads back as the same text, else quoted."""
    if PARTIAL_DATE.match(text):  # written plain, read back as text by our loader
        return text
    if _PLAIN.match(text) and text.lower() not in _RESERVED and not text.endswith(" ") \
            and not (flow and any(c in text for c in ",[]{}")):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def value_text(value: Any, flow: bool = False) -> str:
    """An attribute value as YAML: yes/no, a number, a text, or a flow list of those."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return f"[{', '.join(value_text(v, flow=True) for v in value)}]"
    return scalar(str(value), flow)


def source_lines(source: Mapping[str, Any]) -> Iterator[str]:
    """One ``sources`` item."""
    yield f"  - id: {source['id']}\n"
    for key in SOURCE_KEYS:
        if source.get(key):
            yield f"    {key}: {scalar(source[key]) if key != 'url' else source[key]}\n"


def entity_lines(entity: Mapping[str, Any]) -> Iterator[str]:
    """One ``entities`` item."""
    yield f"  - id: {entity['id']}\n"
    yield f"    type: {entity['type']}\n"
    yield f"    name: {scalar(entity['name'])}\n"
    if entity.get("aliases"):
        yield f"    aliases: [{', '.join(scalar(a, flow=True) for a in entity['aliases'])}]\n"
    for key in ENTITY_KEYS:
        if entity.get(key):
            yield f"    {key}: {scalar(entity[key])}\n"
    if entity.get("attributes"):
        yield "    attributes:\n"
        for key, value in entity["attributes"].items():
            yield f"      {key if _KEY.match(key) else scalar(key)}: {value_text(value)}\n"


def fact_lines(fact: Mapping[str, Any]) -> Iterator[str]:
    """One ``facts`` item."""
    if fact.get("id"):
        yield f"  - id: {scalar(fact['id'])}\n"
        yield f"    subject: {fact['subject']}\n"
    else:
        yield f"  - subject: {fact['subject']}\n"
    yield f"    relation: {fact['relation']}\n"
    yield f"    object: {fact['object']}\n"
    yield f"    sources: [{', '.join(fact['sources'])}]\n"
    for key in FACT_KEYS:
        if fact.get(key):
            yield f"    {key}: {scalar(fact[key])}\n"


def schema_text(entity_types: Mapping[str, Mapping[str, Any]], certainty: Mapping[str, str],
                relations: Mapping[str, Mapping[str, Any]], header: str = "") -> str:
    """A whole ``schema.yaml``: types, certainty levels and relations in the order given."""
    lines = [header] if header else []
    lines.append("entity_types:\n")
    for type_id, spec in entity_types.items():
        lines.append(f"  {type_id}:\n")
        lines.extend(_spec_lines(spec, ("label", "description", "color", "shape")))
    lines.append("\ncertainty:\n")
    lines.extend(f"  {level}: {scalar(text)}\n" for level, text in certainty.items())
    lines.append("\nrelations:\n" if relations else "\nrelations: {}\n")
    for relation_id, spec in relations.items():
        lines.append(f"  {relation_id}:\n")
        lines.extend(_spec_lines(spec, ("label", "inverse", "symmetric", "momentary", "description", "subject",
                                        "object", "allow_self")))
    return "".join(lines)


def _spec_lines(spec: Mapping[str, Any], keys: Iterable[str]) -> Iterator[str]:
    for key in keys:
        value = spec.get(key)
        if value is None or value is False or value == []:
            continue
        if key == "color":
            yield f'    {key}: "{value}"\n'
        else:
            yield f"    {key}: {value_text(value)}\n"
