"""THE partial-date rule: ``2025``, ``2025-03`` and ``2025-03-11`` and the days they can mean.

A partial date widens to its whole period: as a start it means its first day, as an end its
last day (start ``2025-03`` → 2025-03-01; end ``2025`` → 2025-12-31). Used by validation, the
exports and the date filters.
"""

from __future__ import annotations

import datetime as _dt
import re

__all__ = ["PARTIAL_DATE", "is_partial_date", "date_bounds", "first_day", "last_day"]

PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z")
"""``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""


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
        last = _dt.date(y + (m == 12), m % 12 + 1, 1) - _dt.timedelta(days=1)
        return _dt.date(y, m, 1), last
    return _dt.date(y, 1, 1), _dt.date(y, 12, 31)


def first_day(value: str | None) -> _dt.date | None:
    """The first day of a partial date (a start's meaning), or None."""
    return date_bounds(value)[0] if value else None


def last_day(value: str | None) -> _dt.date | None:
    """The last day of a partial date (an end's meaning), or None."""
    return date_bounds(value)[1] if value else None
