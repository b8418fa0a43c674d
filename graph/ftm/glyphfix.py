"""Names as the loader accepts them: invisible characters removed, lookalike letters put in their word's alphabet.

Real sanctions lists hold spellings like ``Mакhtab`` (Latin M and h, Cyrillic а к); the loader
refuses a word mixing alphabets (it is how lookalike names are forged). An import mends what it
can — each lookalike letter written in the alphabet of the rest of its word — and says so; what it
cannot mend is left out, counted. The rules themselves live in graph/glyphs.py; this only applies them.
"""

from __future__ import annotations

import re
import unicodedata

from ..glyphs import invisible_problem as _invisible_problem, mixed_script_problem as _mixed_script_problem

__all__ = ["readable_name"]

_CHARACTER = re.compile(r"\(character (\d+)\)")
_LATIN, _LOOKALIKE = "A-Za-z\u00c0-\u024f", "\u0370-\u03ff\u0400-\u04ff"  # Latin; Greek and Cyrillic letters
_MIXED_WORD = re.compile(f"[{_LATIN}][^\\W\\d_]*[{_LOOKALIKE}]|[{_LOOKALIKE}][^\\W\\d_]*[{_LATIN}]")  # in one word
_PAIRS = ("aа", "AА", "bЬ", "BВ", "cс", "CС", "eе", "EЕ", "HН", "iі", "IІ", "jј", "JЈ", "KК", "kк", "MМ", "mм",
          "oо", "OО", "pр", "PР", "sѕ", "SЅ", "TТ", "tт", "xх", "XХ", "yу", "YУ", "hһ", "dԁ", "nп", "uи",
          "AΑ", "BΒ", "EΕ", "HΗ", "IΙ", "KΚ", "MΜ", "NΝ", "OΟ", "oο", "PΡ", "TΤ", "XΧ", "YΥ", "ZΖ", "vν")
_TO: dict[str, dict[str, str]] = {"LATIN": {}, "CYRILLIC": {}, "GREEK": {}}
for _latin, _other in _PAIRS:
    _script = "GREEK" if "GREEK" in unicodedata.name(_other) else "CYRILLIC"
    _TO["LATIN"].setdefault(_other, _latin)
    _TO[_script].setdefault(_latin, _other)


def readable_name(text: str) -> tuple[str | None, str | None]:
    """(the name as the loader accepts it, or None; what was mended, or None when nothing was)."""
    name = " ".join(text.split())
    if name.isprintable() and (name.isascii() or not _MIXED_WORD.search(name)):
        if name.isascii() or not _invisible_problem(name):
            return name or None, None  # most names, at C speed
    mended = []
    for _ in range(len(name)):
        problem = _invisible_problem(name)
        found = _CHARACTER.search(problem or "")
        if not found:
            break
        index = int(found.group(1)) - 1
        name = name[:index] + name[index + 1:]
        mended.append("invisible character removed")
    name = " ".join(name.split())
    if _mixed_script_problem(name):
        name = " ".join(_one_alphabet(word) for word in name.split(" "))
        if _mixed_script_problem(name):
            return None, None
        mended.append("lookalike letters written in their word's alphabet")
    if not name or _invisible_problem(name):
        return None, None
    return name, "; ".join(dict.fromkeys(mended)) or None


def _script(char: str) -> str | None:
    words = unicodedata.name(char, "").split()[:2]
    return next((s for s in ("LATIN", "CYRILLIC", "GREEK") if s in words), None)


def _one_alphabet(word: str) -> str:
    """``word`` with each letter of a minority alphabet replaced by its lookalike in the majority one."""
    counts: dict[str, int] = {}
    for char in word:
        script = _script(char)
        if script:
            counts[script] = counts.get(script, 0) + 1
    if len(counts) < 2:
        return word
    main = max(counts, key=lambda s: (counts[s], s == "LATIN", s))
    return "".join(_TO[main].get(c, c) if _script(c) not in (None, main) else c for c in word)
