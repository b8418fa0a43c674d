"""THE partial-date rule: ``2025``, ``2025-03`` and ``2025-03-11`` and the days they can mean.

A partial date widens to its whole period: as a start it means its first day, as an end its
last day (start ``2025-03`` → 2025-03-01; end ``2025`` → 2025-12-31). Used by validation, the
exports and the date filters.

In time, a fact is an interval of days (:func:`fact_span`): a fact with a start and an end lasted
from the first day of one to the last day of the other; an undated fact is timeless. A fact with
only a start depends on its relation (``momentary:`` in ``schema.yaml``): a *happening* (a
meeting, a signing) happened within that start's period, a *state* (heading a fund, membership)
holds from then on, its open end unbounded. An entity (:func:`entity_span`) exists from its start
on. :func:`period_text` words all of them the same way everywhere.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["PARTIAL_DATE", "is_partial_date", "date_bounds", "first_day", "last_day", "BEFORE_ALL", "AFTER_ALL",
           "Span", "fact_span", "fact_days", "entity_span", "overlaps", "day_text", "date_text", "period_text"]

PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")
"""``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` in ASCII digits (``\\d`` would take ``١٩٧٠`` and ``２０２５``)."""


def is_partial_date(text: str) -> bool:
    """Whether ``text`` is written as a partial date and names a real day, month or year."""
    if not PARTIAL_DATE.match(text):
        return False
    try:
        date_bounds(text)
    except ValueError:
        return False
    return True


def date_bounds(value: str) -> tuple[_dt.date, _dt.date]:
    """The first and last day a partial date can mean; ValueError when it is not one."""
    match = PARTIAL_DATE.match(value)
    if not match:
        raise ValueError(f"not a date as YYYY, YYYY-MM or YYYY-MM-DD: {value!r}")
    year, month, day = match.group(1), match.group(2), match.group(3)
    y = int(year)
    if day:
        d = _dt.date(y, int(month), int(day))
        return d, d
    if month:
        m = int(month)
        if not 1 <= m <= 12:
            raise ValueError("month must be in 1..12")
        last = _dt.date(y, 12, 31) if m == 12 else _dt.date(y, m + 1, 1) - _dt.timedelta(days=1)  # 9999-12 too
        return _dt.date(y, m, 1), last
    return _dt.date(y, 1, 1), _dt.date(y, 12, 31)


def first_day(value: str | None) -> _dt.date | None:
    """The first day of a partial date (a start's meaning), or None."""
    return date_bounds(value)[0] if value else None


def last_day(value: str | None) -> _dt.date | None:
    """The last day of a partial date (an end's meaning), or None."""
    return date_bounds(value)[1] if value else None


# --- intervals: what a fact's or an entity's dates mean in time -------------------------------------

BEFORE_ALL = -1
"""A day number before every real day (an open start)."""
AFTER_ALL = 10 ** 7
"""A day number after every real day (an open end)."""

Span = tuple[int, int]
"""An interval of days as day numbers (``date.toordinal()``), both ends included."""


@functools.lru_cache(maxsize=4096)
def fact_span(start: str | None, end: str | None, momentary: bool) -> Span | None:
    """The days a fact can be on, or None when it is undated (timeless).

    ``start`` and ``end``: from the first day of ``start`` to the last day of ``end``. Only an end:
    everything up to it. Only a start: a ``momentary`` fact (a happening) is within the period the
    start names (``2025-02-18`` that day, ``2025-03`` that month), it is not read as still going
    on; any other fact (a state) holds from the start's first day on, for ever.
    """
    if start is None and end is None:
        return None
    first = date_bounds(start)[0].toordinal() if start else BEFORE_ALL
    if end:
        return first, date_bounds(end)[1].toordinal()
    return first, date_bounds(start)[1].toordinal() if momentary else AFTER_ALL  # type: ignore[arg-type]


def fact_days(fact: Mapping[str, Any]) -> Span | None:
    """:func:`fact_span` of a fact as the graph keeps it (edge data: ``start``, ``end``, ``momentary``)."""
    return fact_span(fact.get("start"), fact.get("end"), bool(fact.get("momentary")))


def entity_span(start: str | None, end: str | None) -> Span:
    """The days an entity exists: from its start (or always) to its end (or for ever).

    An entity is read as a state even when it is a happening: a person born in 1975, a fund
    founded in 2011 and a meeting held in March 2025 all still exist — as facts about them — in April.
    """
    return fact_span(start, end, False) or (BEFORE_ALL, AFTER_ALL)


def overlaps(span: Span, window: Span) -> bool:
    """Whether two day intervals share at least one day."""
    return span[0] <= window[1] and span[1] >= window[0]


def day_text(day: int) -> str:
    """A day number as an ISO date, ``2025-02-18``."""
    return _dt.date.fromordinal(day).isoformat()


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def date_text(value: str) -> str:
    """A partial date in words at its own precision: ``18 February 2025``, ``March 2025``, ``2025``."""
    match = PARTIAL_DATE.match(value)
    if not match:
        return value
    year, month, day = match.groups()
    if day:
        return f"{int(day)} {_MONTHS[int(month) - 1]} {year}"
    return f"{_MONTHS[int(month) - 1]} {year}" if month else year


def _at(value: str) -> str:
    """``on 18 February 2025``, ``in March 2025``, ``in 2025``."""
    return ("on " if len(value) == 10 else "in ") + date_text(value)


def period_text(start: str | None, end: str | None, *, momentary: bool) -> str | None:
    """Dates in words, the way :func:`fact_span` reads them; None when there are none.

    The same start and end, or only a start of something ``momentary`` (a happening, an event):
    "on 18 February 2025", "in March 2025", "in 2025". Only a start of a state (heading a fund; a
    person or a fund as an entity): "since 2011". Both: "from 11 March 2025 to April 2025"; only an end: "until 2025".
    """
    if start and (end == start or (momentary and not end)):
        return _at(start)
    if start and end:
        return f"from {date_text(start)} to {date_text(end)}"
    if start:
        return f"since {date_text(start)}"
    return f"until {date_text(end)}" if end else None
