"""THE name key: how tieline compares names, for validation, lookup, search, dedupe and the page.

:func:`name_key` turns any name, alias or id into the form names are compared in: case, accents,
punctuation and spacing do not matter (``Zelenskyy`` = ``zelenskyy``, ``Kirill Dmitriev`` =
``kirill-dmitriev``). A name made of symbols only (``★``) keeps its symbols, so punctuation typed
alone cannot match it, and it still collides with its twin.

Looser keys, for names written in another script or order:

- :func:`latin_key`: the name key of the name transliterated to Latin letters (``Дмитриев`` →
  ``dmitriev``, ``Зеленський`` → ``zelenskiy``, ``泽连斯基`` → ``zeliansiji``). Transliteration is
  `anyascii <https://pypi.org/project/anyascii/>`_ (ISC licence; ≈ 5 ms to import, tables read
  per Unicode block), imported only for text that is not ASCII.
- :func:`word_set_key`: the words of a key in alphabetical order (``Dmitriev, Kirill`` =
  ``Kirill Dmitriev``).
- :func:`sound_key`: the consonant skeleton of each word, in alphabetical order, with ``v`` and
  ``f`` as one sound (``zelenskiy`` = ``zelenskyy`` = ``zlnsk``; ``dymytryyf`` from Arabic =
  ``dmitriev``), for transliterations that differ in their vowels.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

__all__ = ["name_key", "id_key", "latin_key", "word_set_key", "sound_key", "word_sound", "loose_keys", "ascii_slug",
           "search_keys", "latin_table"]

_NOT_ALNUM_ASCII = re.compile(r"[^0-9a-z]+")
_APOSTROPHES = re.compile(r"['’ʼ`´]")
_VOWELS = re.compile(r"[aeiouyw]+")
_REPEATS = re.compile(r"(.)\1+")
_MIN_SOUND = 4
_ALPHABETS = ((0x00A0, 0x2E00), (0xA640, 0xA6A0), (0xA720, 0xA800), (0xFB00, 0xFE00))
"""Code points whose transliteration the page always carries: every alphabet and abjad before the
CJK blocks (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Indic, Georgian, …), about 7,000 letters."""


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


def latin_key(text: str) -> str:
    """The name key of ``text`` in Latin letters: ``Дмитриев, Кирилл`` → ``dmitriev kirill``.

    ASCII text gives its :func:`name_key` without importing the transliteration library. Apostrophes
    that transliterations put inside words (``Zelens'kiy``) are dropped, not read as spaces.
    """
    key = name_key(text)
    if key.isascii():
        return key
    from anyascii import anyascii

    latin = " ".join(_NOT_ALNUM_ASCII.sub(" ", _APOSTROPHES.sub("", anyascii(key)).lower()).split())
    return latin or key  # symbols only (★): the key as it is


def latin_table(texts: Iterable[str] = ()) -> list[list[Any]]:
    """The transliteration :func:`latin_key` uses, for the page to fold typed text with: runs of
    ``[first code point, "latin|latin|…"]`` for every letter or digit of :data:`_ALPHABETS` and of ``texts``
    (the page's names: CJK and other large scripts are carried for the characters the data holds)."""
    from anyascii import anyascii

    points = {cp for low, high in _ALPHABETS for cp in range(low, high)}
    points.update(ord(c) for text in texts for c in name_key(text) if not c.isascii())
    runs: list[list[Any]] = []
    for cp in sorted(points):
        char = chr(cp)
        latin = anyascii(char) if char.isalnum() and not unicodedata.combining(char) else ""
        if not latin or "|" in latin:
            continue
        if runs and runs[-1][0] + runs[-1][1].count("|") + 1 >= cp - 2:  # short gaps are filled
            gap = cp - (runs[-1][0] + runs[-1][1].count("|") + 1)
            runs[-1][1] += "|" * (gap + 1) + latin
        else:
            runs.append([cp, latin])
    return runs


def word_set_key(key: str) -> str:
    """The words of a key in alphabetical order: ``dmitriev kirill`` and ``kirill dmitriev`` → ``dmitriev kirill``."""
    return " ".join(sorted(key.split()))


def sound_key(latin: str) -> str:
    """The consonant skeleton of a Latin key, words sorted: ``volodymyr zelenskyy`` → ``fldmr zlnsk``.

    Vowels (with ``y`` and ``w``) are dropped, ``v`` counts as ``f``, doubled letters as one; a word
    with no consonant stays as it is. A word whose skeleton has fewer than four letters (``MIA``,
    ``Emre`` → ``mr``, ``Estonia`` → ``stn``) says too little: the key is then the words themselves, sorted.
    """
    words = [_skeleton(word) for word in latin.split()]
    if min(map(len, words), default=0) < _MIN_SOUND:
        return word_set_key(latin)  # too short to say anything (MIA, Emre): only the same words sound alike
    return " ".join(sorted(words))


def word_sound(word: str) -> str:
    """The consonant skeleton of one Latin word, as :func:`sound_key` reads it: ``zelenskyy`` → ``zlnsk``."""
    return _skeleton(word)


@functools.lru_cache(maxsize=1 << 17)  # names share their words: 45k words of 10k entities are 3k distinct
def _skeleton(word: str) -> str:
    """The consonant skeleton of one word (the word itself when it has no consonant)."""
    return _REPEATS.sub(r"\1", _VOWELS.sub("", word.replace("v", "f"))) or word


def loose_keys(text: str) -> tuple[str, str, str]:
    """``(latin_key, word_set_key, sound_key)`` of a name, alias or id text."""
    latin = latin_key(text)
    return latin, word_set_key(latin), sound_key(latin)


def ascii_slug(text: str) -> str:
    """An id made from any text: ASCII letters and digits joined by single hyphens (``José Álvarez`` →
    ``jose-alvarez``); empty when nothing of it is ASCII once accents are dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))


def search_keys(node: str, entity: Any, loose: bool = True) -> list[tuple[str, str, tuple[str, str, str] | None]]:
    """What :func:`graph.query.search_entities` compares of an entity: each of its name, aliases and id with its
    name key and, when ``loose``, its transliterated keys (:func:`graph.names.loose_keys`).
    The query index stores them (graph/index/), so a search there computes no key."""
    return [(name, id_key(name) if name is node else name_key(name), loose_keys(name) if loose else None)
            for name in (entity["name"], *entity["aliases"], node)]
