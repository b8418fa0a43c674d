"""THE name key: how tieline compares names, for validation, lookup, search and the page.

One function, :func:`name_key`, turns any name, alias or id into the form names are compared
in: case, accents, punctuation and spacing do not matter (``Zelenskyy`` = ``zelenskyy``,
``Kirill Dmitriev`` = ``kirill-dmitriev``). A name made of symbols only (``★``) keeps its
symbols, so punctuation typed alone cannot match it, and it still collides with its twin.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["name_key", "id_key"]

_NOT_ALNUM_ASCII = re.compile(r"[^0-9a-z]+")


def name_key(text: str) -> str:
    """The comparison key of a name: ``"  Zelenskyy, V."`` → ``"zelenskyy v"``; ``"★"`` → ``"★"``.

    Empty only when ``text`` is blank.
    """
    if text.isascii():  # most names: the same result, twice as fast
        key = " ".join(_NOT_ALNUM_ASCII.sub(" ", text.lower()).split())
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        key = " ".join("".join(c if c.isalnum() else " " for c in stripped).split())
    return key or " ".join(text.casefold().split())


def id_key(entity_id: str) -> str:
    """The name key of an entity id, read as words: ``kirill-dmitriev`` → ``kirill dmitriev``."""
    return name_key(entity_id.replace("-", " "))
