"""How alike two entities' names are, as curators write them: the comparison `dedupe` and `xref` share.

Each name or alias becomes a :class:`NameForm`: its name key and transliteration
(:mod:`graph.names`), and its *core* — the transliterated words with what does not tell two
entities apart set aside: honorifics at the head of a person's name (``President``, ``Dr``:
rigour's list), legal forms of an organisation (``ООО``, ``PJSC``, ``Aktiengesellschaft``: rigour's
organisation types, from OCCRP's list and ISO 20275), name particles (``al``, ``el``, ``de``,
``von``: rigour's stop words, with the patronymic ``bin``, ``ibn``, ``bint``) and a possessive
(``Zelenskyy‘s``). `rigour <https://pypi.org/project/rigour/>`_ (OpenSanctions) is imported only
here, and only by the commands that compare names.

:func:`likeness` says how alike the closest names of two entities are (0..1), and why in words;
:func:`block_keys` files an entity under the keys that bring likely pairs together (so that
entities are never compared all against all); :func:`territory_code` reads a country entity's
code from rigour's territory data (``Britain`` = ``United Kingdom`` = ``UK`` = ``gb``,
``BiH`` = ``Bosnia`` = ``ba``).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .names import latin_key, name_key, sound_key, word_set_key, word_sound

__all__ = ["NameForm", "Profile", "name_form", "profile", "likeness", "block_keys", "territory_code", "SHORT",
           "initials_of", "is_person", "particles", "block_sound"]

PERSON_TYPES = frozenset({"person"})
"""Entity types whose names are people's: honorifics and particles are set aside, a surname alone matches."""
PATRONYMICS = frozenset({"bin", "ibn", "bint", "binti"})
"""'son/daughter of' in Arabic names, set aside like rigour's particles (rigour tags them, but only
through its name-symbol tables, ≈ 5 s to load)."""
SHORT = "short"
"""The role of an entity in a block where only pairs with a short form count: a surname alone, an acronym."""
_MIN_FUZZY_LENGTH = 5  # letters under which two different names are never "similar" (СПС, ЦСТ)
_FUZZY_MIN = 80
_MAX_ACRONYM = 8
_SOUND_ALIKE = "names that sound alike (another transliteration or a typo)"


def is_person(entity_type: str) -> bool:
    """Whether names of this type are people's."""
    return entity_type in PERSON_TYPES


@functools.cache
def particles() -> frozenset[str]:
    """Name particles set aside: rigour's stop words (al, el, de, von, of…) and the patronymics."""
    from rigour._core import stopwords_list

    return frozenset(w for w in map(name_key, stopwords_list()) if w.isascii()) | PATRONYMICS


@dataclass(frozen=True, slots=True)
class NameForm:
    """One name or alias, ready to compare (every key computed once)."""

    text: str
    key: str          # graph.names.name_key
    latin: str        # graph.names.latin_key
    core: tuple[str, ...]  # Latin words, in order, with honorifics, legal forms, particles, possessive set aside
    aside: tuple[str, ...]  # the words set aside
    acronym: str | None  # the name read as an acronym (OCCRP, U.K → uk), when it looks like one
    initials: frozenset[str]  # what the name abbreviates to (Christian Democratic Union → cdu)
    core_text: str    # the core's words joined
    words: str        # graph.names.word_set_key of the Latin key
    core_words: str   # the core's words, sorted
    sound: str        # graph.names.sound_key of the core


def name_form(text: str, person: bool) -> NameForm:
    """The :class:`NameForm` of a name of a person (``person``) or of anything else."""
    key = name_key(text)
    latin = latin_key(key)  # the same as of the text: name_key is idempotent
    words = latin.split()
    kept = words
    if person:
        if words and words[0] in _prefix_heads():
            from rigour.names import remove_person_prefixes

            kept = latin_key(remove_person_prefixes(text)).split() or words
    else:
        from rigour.names import remove_org_types

        stripped = remove_org_types(key)
        if stripped != key:
            kept = latin_key(stripped).split() or words
    if len(kept) > 1 and kept[-1] == "s":  # a possessive: Zelenskyy's, Zelenskyy‘s
        kept = kept[:-1]
    small = particles()
    core = tuple(w for w in kept if w not in small or len(w) == 1) or tuple(kept)  # an initial is no particle
    aside = tuple(w for w in words if w not in core)
    core_text = " ".join(core)
    return NameForm(text, key, latin, core, aside, _acronym(text, words), initials_of(words, small), core_text,
                    word_set_key(latin), " ".join(sorted(core)), sound_key(core_text))


@functools.cache
def _prefix_heads() -> frozenset[str]:
    """The first words of rigour's honorifics (``president``, ``dr``, ``his``): only a name starting with
    one is handed to rigour."""
    from rigour._core import person_name_prefixes_list

    return frozenset(latin_key(p).split()[0] for p in person_name_prefixes_list() if latin_key(p).split())


def _acronym(text: str, words: list[str]) -> str | None:
    """``OCCRP``, ``CDU``, ``U.K`` read as the letters they abbreviate; None for a name that is not one."""
    if len(words) == 1:
        word = words[0]
        if 2 <= len(word) <= _MAX_ACRONYM and text.isupper():
            return word
        return None
    if len(words) > 1 and all(len(w) == 1 for w in words):
        return "".join(words)  # U.K, U. S. A.
    return None


def initials_of(words: list[str], small: frozenset[str]) -> frozenset[str]:
    """The acronyms a name of several words gives: every word's initial, and without the small words."""
    if len(words) < 2 or any(len(w) == 1 for w in words):
        return frozenset()
    every = "".join(w[0] for w in words)
    big = "".join(w[0] for w in words if w not in small)
    return frozenset(a for a in (every, big) if len(a) >= 2)


@dataclass(slots=True)
class Profile:
    """An entity, ready to compare: its names and what the graph says of it."""

    id: str
    type: str
    name: str
    forms: tuple[NameForm, ...]
    territory: str | None  # a country entity's code in rigour's territory data
    country: str | None
    start: str | None
    end: str | None


def profile(node: str, data: Mapping[str, Any], territorial: bool = False) -> Profile:
    """The :class:`Profile` of an entity; ``territorial``: it is a country (its code is looked up)."""
    person = is_person(data["type"])
    texts = dict.fromkeys(t for t in (data["name"], *(data.get("aliases") or ())) if t.strip())
    forms = tuple(name_form(t, person) for t in texts)
    code = territory_code(data) if territorial else None
    return Profile(node, data["type"], data["name"], forms, code, data.get("country"), data.get("start"),
                   data.get("end"))


def territory_code(data: Mapping[str, Any]) -> str | None:
    """A country entity's code: its ``ftm_country`` attribute, else its name or an alias in rigour's
    territory data (``Britain``, ``UK``, ``U.K``, ``Великобритания`` → ``gb``); None when none is known."""
    code = (data.get("attributes") or {}).get("ftm_country")
    if isinstance(code, str) and code:
        return code.lower()
    for text in (data["name"], *(data.get("aliases") or ())):
        found = _territory(text) if isinstance(text, str) else None
        if found:
            return found
    return None


def _territory(text: str) -> str | None:
    """The territory code a name or code stands for."""
    key = name_key(text)
    joined = key.replace(" ", "") if all(len(w) == 1 for w in key.split()) else key  # U.K → uk
    if 2 <= len(joined) <= 3 and joined.isalpha():
        from rigour.territories import lookup_by_identifier

        found = lookup_by_identifier(joined)
        if found is not None:
            return found.code
    return _territory_names().get(key)


@functools.cache
def _territory_names() -> dict[str, str]:
    """Name key → territory code, from rigour's territory data: its strong names, then its weak ones.

    Read here with tieline's name key: rigour's own name table transliterates all 29,000 names first
    (≈ 3 s), tieline's keys keep each script as written, and a name in another script is in the data.
    """
    from rigour._core import territories_jsonl
    from rigour.data import iter_jsonl_text
    from rigour.territories import get_territory

    strong: dict[str, str] = {}
    weak: dict[str, str] = {}
    for record in iter_jsonl_text(territories_jsonl()):
        code, territory = record["code"], get_territory(record["code"])
        names = [*record.get("names_strong", []), *((territory.name, territory.full_name) if territory else ())]
        for name in names:
            if name:
                strong.setdefault(name_key(name), code)
        for name in record.get("names_weak", []):
            weak.setdefault(name_key(name), code)
    return {**weak, **strong}


# --- blocks ----------------------------------------------------------------------------------------

def block_keys(entity: Profile, common: Collection[str] = ()) -> dict[tuple[str, ...], bool]:
    """The blocks an entity is filed in, each with whether it is there in the :data:`SHORT` role.

    Symmetric blocks (every pair of members counts): word sets, sounds, word prefixes (a typo late in
    a word), every pair of words by sound but a pair of two ``common`` words (``Mining Institute``,
    ``Maria Anna``: they say little), the territory. Asymmetric ones (only pairs with a short
    member): a word's sound, where a one-word name (a surname of four letters or more) meets the
    first and last words of longer ones, and an acronym, where ``CDU`` meets ``Christian Democratic Union``.
    """
    blocks: dict[tuple[str, ...], bool] = {}
    person = is_person(entity.type)

    def add(block: tuple[str, ...], short: bool = False) -> None:
        blocks[block] = blocks.get(block, False) or short

    for form in entity.forms:
        core = form.core
        add(("words", form.words))
        add(("words", form.core_words))
        add(("sound", form.sound))
        add(("prefix", *sorted(w[:4] for w in core)))
        if 2 <= len(core) <= 6:  # by sound: Mohammed/Mohammad bin Salman
            sounds = [block_sound(w) for w in core if len(w) > 2]
            for i, a in enumerate(sounds):
                for b in sounds[i + 1:]:
                    if a not in common or b not in common:
                        add(("pair", *sorted((a, b))))
        if len(core) == 1 and len(core[0]) > 3:
            add(("word", block_sound(core[0])), True)
        elif len(core) > 1:
            for word in {core[0], core[-1]} if person else {core[0]}:
                if len(word) > 3:
                    add(("word", block_sound(word)))
        if form.acronym:
            add(("acronym", form.acronym), True)
        for initials in form.initials:
            add(("acronym", initials))
    if entity.territory:
        add(("territory", entity.territory))
    return blocks


def block_sound(word: str) -> str:
    """A word as blocks file it: its consonant skeleton when that has three letters or more (``Mohammed``,
    ``Mohammad`` → ``mhmd``), else the word itself (``Maria`` stays ``maria``, not ``mr``)."""
    sound = word_sound(word)
    return sound if len(sound) >= 3 else word


# --- comparing ---------------------------------------------------------------------------------------

def likeness(a: Profile, b: Profile) -> tuple[float, str]:
    """How alike the closest names of two entities are (0..1), and why in words."""
    if a.territory and a.territory == b.territory:
        return 0.95, f"the same country in rigour's territory data ({a.territory})"
    person = is_person(a.type) and is_person(b.type)
    best = (0.0, "")
    for form_a in a.forms:
        for form_b in b.forms:
            found = _forms_likeness(form_a, form_b, person)
            if found[0] > best[0]:
                best = found
                if found[0] >= 1.0:
                    return best
    return best


def _forms_likeness(a: NameForm, b: NameForm, person: bool) -> tuple[float, str]:
    """How alike two names are, and why."""
    if a.key == b.key:
        return 1.0, "same name"
    if a.latin == b.latin:
        return 0.95, "same name after transliteration"
    if a.words == b.words:
        return 0.9, "same words in another order"
    if a.core_words == b.core_words:
        aside = sorted(set(a.aside) ^ set(b.aside)) or sorted(set(a.aside) | set(b.aside))
        return 0.9, f"same name once {', '.join(repr(w) for w in aside)} {'is' if len(aside) == 1 else 'are'} set aside"
    if a.sound == b.sound and len(a.core_text) >= _MIN_FUZZY_LENGTH:
        return 0.85, _SOUND_ALIKE
    for short, long in ((a, b), (b, a)):
        if short.acronym and short.acronym in long.initials:
            return 0.85, f"{short.text.strip()} is the initials of {long.text.strip()}"
    fuller = _fuller_form(a.core, b.core)
    if fuller:
        return fuller
    part = _one_word_of(a.core, b.core, person)
    if part:
        return part
    return _fuzzy(a.core_text, b.core_text)


def _alike(word: str, other: str) -> bool:
    return word == other or (len(word) > 3 and len(other) > 3 and word_sound(word) == word_sound(other))


def _fuller_form(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[float, str] | None:
    """Each word of one name (two at least) in the other, alike or as an initial: the same words by
    sound (Sergei/Sergey Lavrov), with initials (V. Putin), or a fuller form; else None."""
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) < 2:
        return None
    left, initials = list(longer), False
    for word in shorter:
        match = next((w for w in left if _alike(word, w)), None)
        if match is None and len(word) == 1:
            match = next((w for w in left if w[0] == word), None)
            initials = initials or match is not None
        if match is None:
            return None
        left.remove(match)
    if left:
        return 0.8, "one name is a fuller form of the other"
    return (0.8, "the same name with initials") if initials else (0.85, _SOUND_ALIKE)


def _one_word_of(a: tuple[str, ...], b: tuple[str, ...], person: bool) -> tuple[float, str] | None:
    """A one-word name that is the surname (a person) or the first word (anything else) of the other."""
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) != 1 or len(longer) < 2 or len(shorter[0]) < 3:
        return None
    word = shorter[0]
    if person and any(_alike(word, w) for w in (longer[-1], longer[0])):
        return 0.7, f"one name is the surname of the other ({word.capitalize()})"
    if not person and len(word) >= 4 and _alike(word, longer[0]):
        return 0.6, f"one name is the first word of the other ({word.capitalize()})"
    return None


def _fuzzy(a: str, b: str) -> tuple[float, str]:
    if min(len(a), len(b)) < _MIN_FUZZY_LENGTH:
        return 0.0, ""
    from rapidfuzz import fuzz

    ratio = fuzz.token_sort_ratio(a, b)
    return (0.9 * ratio / 100, f"similar names ({ratio:.0f}%)") if ratio >= _FUZZY_MIN else (0.0, "")
