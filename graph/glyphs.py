"""THE rule for characters that draw nothing: what validation refuses in names and ids, and what
every text tieline prints (terminal answers, ``--json``) writes visibly instead.

Invisible: control and format characters (Unicode categories Cc and Cf: C0 and C1 controls, DEL,
the soft hyphen, zero-width characters, bidi controls, the BOM, tag characters), line and paragraph
separators (Zl, Zp), and the letters and marks that draw nothing (fillers, variation selectors,
:data:`INVISIBLE_LETTERS`). Lookalike letters (a Cyrillic ``а`` in a Latin word) are the other half
of what a reader cannot see: :func:`mixed_script_problem`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

__all__ = ["INVISIBLE_CATEGORIES", "INVISIBLE_LETTERS", "JOINERS", "is_invisible", "has_invisible",
           "replace_invisible", "invisible_problem", "mixed_script_problem"]

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
INVISIBLE_LETTERS = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0, *range(0x180B, 0x1810),
     *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])
"""Fillers and selectors that draw nothing although Unicode files them as letters or marks."""
JOINERS = "\u200c\u200d"
"""Zero-width (non-)joiners: needed between letters of Arabic, Persian and Indic scripts."""
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")  # alphabets whose letters look alike (a/а/α)


def is_invisible(char: str) -> bool:
    """True when ``char`` (one character) draws nothing or controls the terminal."""
    return unicodedata.category(char) in INVISIBLE_CATEGORIES or ord(char) in INVISIBLE_LETTERS


def has_invisible(text: str) -> bool:
    """True when some character of ``text`` is invisible (at C speed for the usual text)."""
    if text.isprintable() and (text.isascii() or INVISIBLE_LETTERS.isdisjoint(map(ord, text))):
        return False  # every invisible category makes str.isprintable() false
    return any(map(is_invisible, text))


def replace_invisible(text: str, replacement: Callable[[str], str]) -> str:
    """``text`` with each invisible character ``c`` replaced by ``replacement(c)``."""
    if not has_invisible(text):
        return text
    return "".join(replacement(c) if is_invisible(c) else c for c in text)


def invisible_problem(text: str) -> str | None:
    """``an invisible character, U+200D ZERO WIDTH JOINER (character 4)``, or None when all can be seen.

    A zero-width (non-)joiner between two letters of a script that needs it (Persian, Arabic, Indic
    scripts) is fine in a name.
    """
    if not has_invisible(text):
        return None
    for index, char in enumerate(text):
        if is_invisible(char):
            if char in JOINERS and _joins_letters(text, index):
                continue
            kind = "a control character" if unicodedata.category(char) == "Cc" else "an invisible character"
            return f"{kind}, U+{ord(char):04X} {unicodedata.name(char, '(unnamed)')} (character {index + 1})"
    return None


def _joins_letters(text: str, index: int) -> bool:
    """True when ``text[index]`` stands between two letters or marks of scripts that use joiners."""
    if index == 0 or index == len(text) - 1:
        return False
    return all(unicodedata.category(c)[0] in "LM" and _script(c) is None for c in (text[index - 1], text[index + 1]))


def _script(char: str) -> str | None:
    """``LATIN``, ``CYRILLIC`` or ``GREEK`` for a letter of those alphabets, else None."""
    words = unicodedata.name(char, "").split()[:2]
    return next((script for script in _LOOKALIKE_SCRIPTS if script in words), None)


def mixed_script_problem(text: str, shown: Callable[[str], str] = repr) -> str | None:
    """Why a word of ``text`` mixes Latin, Cyrillic or Greek letters (a lookalike), or None.

    A name may hold words in different alphabets (``Иван Smith``); one word may not (``Аlice``
    with a Cyrillic А). ``shown`` quotes the word in the message.
    """
    if text.isascii():
        return None
    word: list[str] = []
    for char in text + " ":
        if char.isalpha() or unicodedata.category(char)[0] == "M":
            word.append(char)
            continue
        if word:
            letters = [(c, _script(c)) for c in word if _script(c)]
            counts: dict[str, int] = {}
            for _, script in letters:
                counts[script] = counts.get(script, 0) + 1
            if len(counts) > 1:
                rare = min(counts, key=lambda s: (counts[s], s))
                common = max(counts, key=lambda s: (counts[s], s))
                odd = next(c for c, script in letters if script == rare)
                return (f"mixes {rare.title()} and {common.title()} letters in the word {shown(''.join(word))} "
                        f"({odd} is U+{ord(odd):04X} {unicodedata.name(odd)}), a lookalike; "
                        "write each word in one alphabet")
        word = []
    return None
