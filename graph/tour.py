"""The guided tour: a ``tour:`` section of steps that the HTML page walks a reader through.

Phase 1 (:func:`tour_step`, called by :func:`graph.parse.parse_file`) shapes one step against
:data:`graph.fields.TOUR_FIELDS` and keeps the place of every id it lists; phase 2
(:func:`check_tour`, a rule of :data:`graph.validate.RULES`) checks that the tour is written in one file
and that every entity and fact it names exists, reporting each unknown id at its own line and
column with a suggestion. A step names ``entities`` or a ``path`` (two ids) or ``facts``; an id
merged away by a ``same`` resolution is read as the id it was merged under.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .fields import TOUR_FIELDS, Checker, field_names, read_fields, shown
from .yamlfile import Marked, MarkedList

if TYPE_CHECKING:
    from .validate import Linker

__all__ = ["tour_step", "check_tour", "TOUR_KEYS"]

TOUR_KEYS = field_names(TOUR_FIELDS)
_ID_LISTS = ("entities", "path", "facts")


def tour_step(check: Checker, record: Marked, rel: str, rejected: list[Any]) -> dict[str, Any] | None:
    """One step of ``tour`` shape-checked, with the place of each listed id; None when unusable."""
    what = f"tour step {shown(record['title'])}" if isinstance(record.get("title"), str) else "a tour step"
    check.unknown_keys(record, TOUR_KEYS, what)
    found = len(check.errors)
    check.required(record, ("title", "caption"), what)
    step = {"file": rel, "line": record.line, "column": record.column,
            "marks": {key: record.mark_of(key) for key in _ID_LISTS if key in record},
            **read_fields(check, record, TOUR_FIELDS, what)}
    step["item_marks"] = {key: list(value.marks) if isinstance(value, MarkedList) else [record.mark_of(key)]
                          for key in _ID_LISTS if (value := record.get(key)) is not None}
    if not any(step[key] for key in _ID_LISTS):
        check.error(record.line, record.column, f"{what} shows nothing: give 'entities', 'path' (two ids) "
                                                "or 'facts'")
    if step["path"] and len(step["path"]) != 2:
        check.at(record, "path", f"'path' of {what} names two entities (from, to), found {len(step['path'])}")
    return step if len(check.errors) == found else None


def check_tour(link: Linker) -> None:
    """One file holds the tour; every entity and fact a step names exists (a merged id is redirected)."""
    steps = link.records("tour")
    if len({step["file"] for step in steps}) > 1:
        first = steps[0]
        for step in steps:
            if step["file"] != first["file"]:
                link.error(step, None, f"a second 'tour' section (the first is in {first['file']}:{first['line']}); "
                                       "keep the tour in one file, its steps in order")
                break
    link.tour = []
    for number, step in enumerate(steps, 1):
        if step["file"] != steps[0]["file"]:
            continue
        ok = _check_ids(link, step, number)
        if ok:
            link.tour.append({key: step[key] for key in TOUR_KEYS})


def _check_ids(link: Linker, step: dict[str, Any], number: int) -> bool:
    """Report each unknown id of a step where it is written; redirect merged ids. True when all exist."""
    ok = True
    for key in _ID_LISTS:
        known = link.facts if key == "facts" else link.entities
        kind = "fact" if key == "facts" else "entity"
        marks = step["item_marks"].get(key, [])
        ids = []
        for index, item in enumerate(step[key]):
            item = item if key == "facts" else link.redirects.get(item, item)
            ids.append(item)
            if item not in known:
                line, column = marks[index] if index < len(marks) else step["marks"].get(key, (step["line"], 0))
                link.error({"file": step["file"], "line": line, "column": column, "marks": {}}, None,
                           f"unknown {kind} {item!r} in '{key}' of tour step {number}{link.suggest(item, known)}")
                ok = False
        step[key] = ids
    return ok
