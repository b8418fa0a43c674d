"""Synthetic fact sets in tieline's own format, for the benchmark: 1k, 10k, 100k or 1m entities.

    .venv/bin/python bench/generate.py --sizes 1k,10k,100k      # → bench/data/<size>/
    .venv/bin/python bench/generate.py --sizes 100k --ftm       # also bench/data/<size>.ftm.json
    .venv/bin/python bench/generate.py --sizes 1m               # ≈ 0.9 GB of YAML in 100 files; minutes

Each set is a curator's folder: ``schema.yaml``, ``dataset.yaml``, ``sources.yaml`` and the
entities and facts spread over up to 100 story files. About three facts per entity, realistic
names with accents and aliases, partial dates, quotes with quotation marks, colons and ampersands,
several sources per set. Every name and alias is unique (the loader refuses an alias shared by
two entities) and every fact respects the schema's allowed types, so the set passes
``tieline validate``. A spanning tree of facts keeps the graph connected. Output is a pure
function of the size and the seed; ``bench/data/`` is git-ignored and never committed.

``bench/data/<size>.json`` records what the benchmark needs: the two ends of a long path.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from typing import Any
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from graph.names import name_key  # noqa: E402
from graph.yamlwrite import entity_lines, fact_lines, source_lines  # noqa: E402

__all__ = ["SIZES", "generate", "write_ftm", "parse_size", "set_folder"]

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
DEFAULT_SEED = 20250402
GENERATOR_VERSION = "3"  # bump when the output changes: run.py regenerates stale sets

SCHEMA = """\
# Benchmark vocabulary (a subset of the bundled schema).
entity_types:
  person: {label: Person, color: "#4e79a7", shape: dot}
  institution: {label: Institution, color: "#f28e2b", shape: square}
  country: {label: Country, color: "#59a14f", shape: triangle}
  media: {label: News organisation, color: "#b07aa1", shape: diamond}
  event: {label: Event, color: "#e15759", shape: star}
  city: {label: City, color: "#76b7b2", shape: triangleDown}

certainty:
  confirmed: Stated as fact by the source.
  reported: Attributed by the source to others' reporting.
  planned: Announced or expected to happen.
  possible: Described as possible.
  alleged: Claimed by one party and not established.

relations:
  heads: {label: heads, inverse: is headed by, subject: [person], object: [institution, country]}
  member_of: {label: is a member of, inverse: has member, subject: [person], object: [institution]}
  advises: {label: advises, inverse: is advised by, subject: [person], object: [person, institution]}
  met_with: {label: met with, symmetric: true, momentary: true, subject: [person], object: [person]}
  negotiates_with:
    label: negotiates with
    symmetric: true
    subject: [person, institution, country]
    object: [person, institution, country]
  participated_in:
    label: took part in
    momentary: true
    inverse: had participant
    subject: [person, institution, country, media]
    object: [event]
  held_in: {label: took place in, momentary: true, inverse: hosted, subject: [event], object: [country, city]}
  sanctions:
    label: sanctions
    inverse: is sanctioned by
    subject: [country, institution]
    object: [person, institution, country]
  subsidiary_of: {label: is a subsidiary of, inverse: has subsidiary, subject: [institution], object: [institution]}
  reported:
    label: reported
    momentary: true
    inverse: was reported by
    subject: [media]
    object: [event, person, institution, country]
  located_in: {label: is in, inverse: contains, subject: [city, institution, media], object: [country]}
  concerns:
    label: concerns
    momentary: true
    inverse: is the subject of
    subject: [event]
    object: [person, institution, country, media, event, city]
"""

SYMMETRIC = frozenset({"met_with", "negotiates_with"})
"""The relations the schema above marks symmetric."""

# relation → (subject types, object types, weight of random facts)
SYMMETRIC = {"met_with", "negotiates_with"}
"""The relations the generated schema declares symmetric."""
RELATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...], int]] = {
    "heads": (("person",), ("institution", "country"), 3),
    "member_of": (("person",), ("institution",), 10),
    "advises": (("person",), ("person", "institution"), 8),
    "met_with": (("person",), ("person",), 12),
    "negotiates_with": (("person", "institution", "country"), ("person", "institution", "country"), 5),
    "participated_in": (("person", "institution", "country", "media"), ("event",), 12),
    "held_in": (("event",), ("country", "city"), 4),
    "sanctions": (("country", "institution"), ("person", "institution", "country"), 3),
    "subsidiary_of": (("institution",), ("institution",), 3),
    "reported": (("media",), ("event", "person", "institution", "country"), 6),
    "located_in": (("city", "institution", "media"), ("country",), 3),
    "concerns": (("event",), ("person", "institution", "country", "media", "event", "city"), 6),
}
TYPE_SHARE = {"person": 0.58, "institution": 0.2, "event": 0.1, "media": 0.05, "city": 0.07}
CERTAINTY = ["confirmed"] * 6 + ["reported"] * 2 + ["planned", "possible", "alleged"]

FIRST = """Anna Boris Carlos Dmitri Elena Fatima Gabriel Hana Ivan Jana Karim Lena Mikhail Nadia Olga Pavel
Rania Sergei Tatiana Umar Vera Walid Xenia Yusuf Zoë José François Jürgen Renée Agnès Émile Inés Léa
Nuño Ramón Magdalena Chloé Andrés Björn Zoltán Ahmed Aigerim Akira Alejandro Amara Anders Aylin Beatriz Chen
Darius Deniz Dilnoza Eitan Emre Farah Giorgi Hiroshi Ilya Ingrid Jamal Kateryna Kenji Layla Lucía Malik Marek
Mariam Mateo Mei Nikolai Noor Oksana Omar Petra Priya Rashid Rustam Sanjay Selin Simone Sofia Tamar Tomás
Viktor Wei Yasmin Yerlan Yuki Zainab Aleksandr Anastasia Arkady Bogdan Daria Denis Evgeny Galina Gennady Igor
Irina Kirill Konstantin Larisa Lyudmila Maxim Natalia Oleg Polina Roman Ruslan Svetlana Timur Valentina Vadim
Yaroslav Yulia Zhanna Marco Steve Donald Keith Michael Sarah Laura Peter Hannah Thomas Julia Daniel Rebecca
Samuel Rachel Nathan Claire Oliver Emma Henry Grace Lucas Alice Jonas Marta Stefan Ursula Dragan Milica""".split()
LAST = """Abramov Aliyev Andersen Antonov Babic Baranov Becker Belov Bogdanov Borisov Brandt Carvalho Castillo
Chen Chernov Costa Dahl Davydov Dietrich Dmitriev Dragomir Egorov Eriksen Fedorov Ferreira Fischer Fomin Frolov
García González Gromov Gusev Hakobyan Hansen Horvat Ibragimov Ivanova Jankowski Jensen Kaminski Karimov Kasparov
Khan Kim Kiselev Klein Koch Kovač Kowalski Kozlov Krüger Kuznetsov Larsen Lebedev Lindqvist López Makarov Mammadov
Medvedev Meyer Mironov Morozov Müller Nazarov Nemeth Nielsen Novák Novikov Nowak Orlov Osipov Pavlov Petrov
Popescu Popov Quispe Rahimov Rodríguez Romanov Rossi Rubio Saidov Sánchez Schmidt Schneider Semenov Shevchenko
Smirnov Sokolov Solovyov Stepanov Suleimanov Svensson Tanaka Tarasov Tkachenko Usmanov Vasiliev Vinogradov
Volkov Vorobyov Wagner Weber Wiśniewski Witkoff Yakovlev Yilmaz Zaitsev Zakharov Zhukov Zielinski Alvarez Bauer
Bianchi Coleman Dimitrov Dubois Evans Fontaine García-Márquez Haddad Ishikawa Jovanović Kaplan Lambert Moreau
Nakamura O'Brien Oyelaran Park Quinn Reyes Sato Tremblay Umarov Varga Walsh Xu Yamamoto Zhou Abdullah Bakr
Chaudhry D'Angelo Esposito Farouk Gallagher Hussein Iglesias Jaber Kowalczyk Lindgren MacLeod Nasser
Okonkwo Petrenko Rahman Salazar Tanner Ulyanov Valdez Whitaker Yousef Zamora""".split()
COUNTRIES = """Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia Austria Azerbaijan
Bahamas Bahrain Bangladesh Barbados Belarus Belgium Belize Benin Bhutan Bolivia Botswana Brazil Brunei
Bulgaria Burundi Cambodia Cameroon Canada Chad Chile China Colombia Comoros Croatia Cuba Cyprus Czechia
Denmark Djibouti Dominica Ecuador Egypt Eritrea Estonia Eswatini Ethiopia Fiji Finland France Gabon Gambia
Georgia Germany Ghana Greece Grenada Guatemala Guinea Guyana Haiti Honduras Hungary Iceland India Indonesia
Iran Iraq Ireland Israel Italy Jamaica Japan Jordan Kazakhstan Kenya Kiribati Kuwait Kyrgyzstan Laos Latvia
Lebanon Lesotho Liberia Libya Liechtenstein Lithuania Luxembourg Madagascar Malawi Malaysia Maldives Mali
Malta Mauritania Mauritius Mexico Micronesia Moldova Monaco Mongolia Montenegro Morocco Mozambique Myanmar
Namibia Nauru Nepal Netherlands Nicaragua Niger Nigeria Norway Oman Pakistan Palau Panama Paraguay Peru
Philippines Poland Portugal Qatar Romania Russia Rwanda Samoa Senegal Serbia Seychelles Singapore Slovakia
Slovenia Somalia Spain Sudan Suriname Sweden Switzerland Syria Tajikistan Tanzania Thailand Togo Tonga Tunisia
Turkey Turkmenistan Tuvalu Uganda Ukraine Uruguay Uzbekistan Vanuatu Venezuela Vietnam Yemen Zambia Zimbabwe
""".split() + ["United States", "United Kingdom", "Saudi Arabia", "South Africa", "South Korea", "North Korea",
               "New Zealand", "Sri Lanka", "Costa Rica", "El Salvador", "Côte d'Ivoire", "Papua New Guinea",
               "United Arab Emirates", "Bosnia and Herzegovina", "North Macedonia", "Timor-Leste",
               "São Tomé and Príncipe", "Trinidad and Tobago", "Dominican Republic", "Sierra Leone"]
CITY_HEAD = """Nov Stara Port Bel Krasno Zel Vel Ros Mar Ala Kar Sev Lug Ost Brez Dub Gor Kam Lip Sol Yas Bor Tal
Ner Vit Zar Ust Kir Ten Sar Ash Bay Dar Kam Orm Pri San Val Mon Fort Lago Rio Ain Bir El Ka Tash Sam""".split()
CITY_TAIL = """grad sk burg ovo ino ovka pol ia ara abad ville ford haven mouth stadt dorf evo ograd kent tau
yar ir ar sund vik holm ice ovets ets""".split()
INST_ADJ = """Northern Southern Eastern Western Central National Federal Joint Sovereign United Atlantic Pacific
Baltic Caspian Arctic Continental Strategic Global Regional Independent Public State Private Allied Civic
Republican Democratic Heritage Pioneer Frontier Horizon Meridian Summit Harbour Granite Silver Golden""".split()
INST_FIELD = """Energy Investment Development Trade Shipping Mining Defence Security Media Research Policy
Infrastructure Aviation Banking Agriculture Technology Railway Telecom Insurance Steel Chemical Logistics Health
Water Grain Nuclear Gas Oil Space Maritime Export Credit Housing""".split()
INST_KIND = """Fund Bank Agency Council Ministry Institute Foundation Corporation Group Holding Commission
Authority Company Trust Bureau Committee Centre Association Consortium Partnership""".split()
MEDIA_KIND = """Herald Times Gazette Post Courier Observer Tribune Chronicle Radio Television Monitor Review
Dispatch Messenger Journal Daily Standard Telegraph Express Voice""".split()
EVENT_KIND = """talks summit meeting visit call forum conference negotiations inquiry hearing signing ceremony
election referendum briefing interview exercise""".split()
EVENT_TOPIC = ("energy prices|a ceasefire|grain exports|prisoner exchanges|sanctions relief|a trade agreement|"
               "arms control|investment|maritime security|debt restructuring|water rights|a pipeline route|"
               "airspace|cyber security|border crossings|fisheries").split("|")
MONTHS = ("January February March April May June July August September October November December").split()
DESCRIPTIONS = {
    "person": ["Senior adviser on {field} policy.", "Former {field} minister, now a consultant.",
               "Chief executive of a {field} company.", "Diplomat who has led several delegations.",
               "Member of parliament; sits on the {field} committee.", "Journalist covering {field} & trade."],
    "institution": ["A {field} body set up in {year}.", "State-owned {field} conglomerate.",
                    "Non-profit that funds {field} research.", "Regulator for the {field} sector."],
    "country": ["Sovereign state."],
    "media": ["News outlet; publishes in several languages.", "Public broadcaster.",
              "Investigative newsroom (\"independent\", donor-funded)."],
    "event": ["Closed-door {kind}; minutes not published.", "Publicly announced {kind}.",
              "A {kind} reported by several outlets: details differ."],
    "city": ["Regional capital.", "Port city.", "City on the border."],
}
QUOTES = [
    "{s} said the two sides had \u201cmade real progress\u201d on {topic}.",
    "According to {s}, \"there is no agreement yet\" on {topic}.",
    "{s}, who {lbl} {o}, declined to comment.",
    "Officials confirmed that {s} {lbl} {o}: \u201cthe talks were constructive.\u201d",
    "\u201cWe are ready to discuss {topic},\u201d {s} told reporters.",
    "Sources close to {o} said {s} {lbl} {o} last month & will do so again.",
    "{s} {lbl} {o} \u2014 a move critics called \u2018premature\u2019.",
    "Asked about {topic}, {s} replied: 'It's too early to say.'",
]
NOTES = ["Date approximate: the source says \"last month\".", "Two outlets disagree on the date.",
         "Translated from Russian by the curator.", "See also the follow-up report.", "Unclear who initiated it."]
PUBLISHERS = ["Radio Free Europe/Radio Liberty", "Reuters", "Associated Press", "Agence France-Presse",
              "BBC News", "Meduza", "Novaya Gazeta Europe", "The Moscow Times", "Kyiv Independent",
              "Al Jazeera", "Financial Times", "Der Spiegel", "Le Monde", "El País", "NHK World"]

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def normalize(text: str) -> str:
    """The loader's name key (graph.names.name_key), so generated names never collide."""
    return name_key(text)


def slug(text: str) -> str:
    return normalize(text).replace(" ", "-")


def parse_size(name: str) -> int:
    """``"10k"`` → 10000, ``"2m"`` → 2000000; a plain number is taken as is."""
    return SIZES.get(name) or int(name.lower().replace("k", "000").replace("m", "000000"))


def set_folder(name: str) -> Path:
    return DATA / name


class _Names:
    """Hands out names whose keys (and whose aliases' keys) no other entity uses."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def claim(self, name: str) -> bool:
        key = normalize(name)
        if not key or key in self.used or not _SLUG.match(slug(name)):
            return False
        self.used.add(key)
        return True

    def aliases(self, candidates: list[str]) -> list[str]:
        return [a for a in candidates if self.claim(a)]


def _person(rng: random.Random, names: _Names) -> tuple[str, list[str]]:
    while True:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        if not names.claim(name):
            name = f"{first} {rng.choice('ABCDEFGHIJKLMNOPRSTVW')}. {last}"
            if not names.claim(name):
                name = f"{first} {rng.choice(FIRST)} {last}-{rng.choice(LAST)}"
                if not names.claim(name):
                    continue
        options = [f"{first[0]}. {last}", f"{last}, {first}", f"{first} {last} Jr."]
        return name, names.aliases(rng.sample(options, rng.choice((0, 0, 1, 1, 2))))


def _institution(rng: random.Random, names: _Names, countries: list[str]) -> tuple[str, list[str]]:
    while True:
        adj, field, kind = rng.choice(INST_ADJ), rng.choice(INST_FIELD), rng.choice(INST_KIND)
        form = rng.random()
        if form < 0.4:
            name = f"{adj} {field} {kind}"
        elif form < 0.8:
            name = f"{rng.choice(countries)} {field} {kind}"
        else:
            name = f"{kind} of {field} of {rng.choice(countries)}"
        if rng.random() < 0.5:
            name += f" {rng.choice(('No. ', ''))}{rng.randint(2, 999)}"
        if names.claim(name):
            acronym = "".join(w[0] for w in name.split() if w[0].isupper())
            return name, names.aliases([acronym] if len(acronym) > 2 and rng.random() < 0.6 else [])


def _city(rng: random.Random, names: _Names) -> tuple[str, list[str]]:
    while True:
        name = rng.choice(CITY_HEAD) + rng.choice(CITY_TAIL)
        if rng.random() < 0.3:
            name = f"{rng.choice(('New', 'Upper', 'Lower', 'Old', 'San', 'Saint'))} {name}"
        if rng.random() < 0.5:
            name += f"-{rng.choice(('on-Sea', 'Novy', 'Bay', 'Hills', 'Springs', str(rng.randint(2, 99))))}"
        if names.claim(name):
            return name, []


def _media(rng: random.Random, names: _Names, places: list[str]) -> tuple[str, list[str]]:
    while True:
        name = f"The {rng.choice(places)} {rng.choice(MEDIA_KIND)}"
        if rng.random() < 0.3:
            name += f" {rng.choice(('Online', 'Weekly', 'International', 'Live'))}"
        if names.claim(name):
            return name, names.aliases([name[4:]] if rng.random() < 0.5 else [])


def _event(rng: random.Random, names: _Names, places: list[str]) -> tuple[str, list[str], str]:
    while True:
        year, month = rng.randint(2014, 2025), rng.randint(1, 12)
        kind, place = rng.choice(EVENT_KIND), rng.choice(places)
        name = f"{kind.capitalize()} on {rng.choice(EVENT_TOPIC)} in {place} ({MONTHS[month - 1]} {year})"
        if rng.random() < 0.3:
            name = f"{rng.randint(2, 40)}th {name}"
        if names.claim(name):
            return name, [], f"{year}-{month:02d}"


def _entities(rng: random.Random, n: int) -> list[dict]:
    """``n`` entities: countries first, then the others shuffled; unique names and aliases."""
    names = _Names()
    n_countries = max(10, min(len(COUNTRIES), n // 50))
    country_names = rng.sample(COUNTRIES, n_countries)
    entities = []
    for name in country_names:
        names.claim(name)
        entities.append({"type": "country", "name": name, "aliases": []})
    rest = n - n_countries
    kinds = [t for t, share in TYPE_SHARE.items() for _ in range(round(share * rest))]
    kinds = (kinds + ["person"] * rest)[:rest]
    rng.shuffle(kinds)
    city_names: list[str] = []
    for kind in kinds:
        if kind == "person":
            name, aliases = _person(rng, names)
        elif kind == "institution":
            name, aliases = _institution(rng, names, country_names)
        elif kind == "city":
            name, aliases = _city(rng, names)
            city_names.append(name)
        elif kind == "media":
            name, aliases = _media(rng, names, city_names[-200:] or country_names)
        else:
            name, aliases, when = _event(rng, names, city_names[-200:] or country_names)
            entities.append({"type": kind, "name": name, "aliases": aliases, "start": when})
            continue
        entities.append({"type": kind, "name": name, "aliases": aliases})
    for entity in entities:
        entity["id"] = slug(entity["name"])
        _decorate(rng, entity, entities[:n_countries])
    return entities


def _decorate(rng: random.Random, entity: dict, countries: list[dict]) -> None:
    kind = entity["type"]
    if rng.random() < 0.7:
        entity["description"] = rng.choice(DESCRIPTIONS[kind]).format(
            field=rng.choice(INST_FIELD).lower(), year=rng.randint(1950, 2024), kind=rng.choice(EVENT_KIND))
    if kind in ("person", "institution", "city", "media"):
        entity["country"] = rng.choice(countries)["id"]
    if kind == "person" and rng.random() < 0.6:
        entity["start"] = str(rng.randint(1940, 2000))
    elif kind == "institution" and rng.random() < 0.5:
        entity["start"] = f"{rng.randint(1950, 2024)}-{rng.randint(1, 12):02d}"
        if rng.random() < 0.1:
            entity["end"] = "2025"
    attributes = {}
    if kind == "person" and rng.random() < 0.15:
        attributes["sanctioned"] = True
    if kind == "institution" and rng.random() < 0.3:
        attributes["employees"] = rng.randint(10, 90_000)
    if rng.random() < 0.1:
        attributes["tags"] = rng.sample(["energy", "finance", "diplomacy", "security", "media", "trade"], 2)
    if attributes:
        entity["attributes"] = attributes


def _compatible(relations: dict) -> dict[tuple[str, str], list[tuple[str, bool]]]:
    """(type a, type b) → relations joining them, with whether a is the object."""
    pairs: dict[tuple[str, str], list[tuple[str, bool]]] = {}
    for rel, (subjects, objects, _) in relations.items():
        for s in subjects:
            for o in objects:
                pairs.setdefault((s, o), []).append((rel, False))
                pairs.setdefault((o, s), []).append((rel, True))
    return pairs


def _facts(rng: random.Random, entities: list[dict], sources: list[str], per_entity: float) -> list[dict]:
    """A spanning tree (each entity joined to an earlier one) plus random facts up to ``per_entity``."""
    pairs = _compatible(RELATIONS)
    by_type: dict[str, list[int]] = {}
    seen: set[tuple[str, str, str]] = set()
    facts: list[dict] = []

    def add(rel: str, s: int, o: int) -> bool:
        subject, obj = entities[s]["id"], entities[o]["id"]
        if s == o or (subject, rel, obj) in seen or (obj, rel, subject) in seen and rel in SYMMETRIC:
            return False  # a symmetric fact written both ways is one fact written twice: the loader refuses it
        seen.add((subject, rel, obj))
        if rel in SYMMETRIC:  # the loader refuses a symmetric fact written both ways
            seen.add((obj, rel, subject))
        facts.append(_fact(rng, rel, entities[s], entities[o], sources))
        return True

    for index, entity in enumerate(entities):
        kind = entity["type"]
        options = [t for t in by_type if (kind, t) in pairs]
        if options:
            other_type = rng.choice(options)
            other = rng.choice(by_type[other_type])
            rel, reverse = rng.choice(pairs[(kind, other_type)])
            add(rel, other, index) if reverse else add(rel, index, other)
        by_type.setdefault(kind, []).append(index)
    names, weights = list(RELATIONS), [w for *_, w in RELATIONS.values()]
    target = int(per_entity * len(entities))
    while len(facts) < target:
        rel = rng.choices(names, weights)[0]
        subjects, objects, _ = RELATIONS[rel]
        s_pool, o_pool = by_type.get(rng.choice(subjects)), by_type.get(rng.choice(objects))
        if s_pool and o_pool:
            add(rel, rng.choice(s_pool), _pick(rng, o_pool))
    return facts


def _pick(rng: random.Random, pool: list[int]) -> int:
    """Objects are chosen with a bias to the first ones: some entities are hubs, as in real data."""
    return pool[min(len(pool) - 1, int(len(pool) * rng.random() ** 2))]


def _fact(rng: random.Random, rel: str, subject: dict, obj: dict, sources: list[str]) -> dict:
    fact = {"subject": subject["id"], "relation": rel, "object": obj["id"],
            "sources": [sources[min(len(sources) - 1, int(len(sources) * rng.random() ** 1.5))]
                        for _ in range(rng.choice((1, 1, 1, 2)))],
            "certainty": rng.choice(CERTAINTY)}
    if len(fact["sources"]) == 2 and fact["sources"][0] == fact["sources"][1]:
        fact["sources"].pop()
    if rng.random() < 0.55:
        label = rel.replace("_", " ")
        fact["quote"] = rng.choice(QUOTES).format(s=subject["name"], o=obj["name"], lbl=label,
                                                  topic=rng.choice(EVENT_TOPIC))
    if rng.random() < 0.5:
        year = rng.randint(2015, 2025)
        fact["start"] = f"{year}-{rng.randint(1, 12):02d}" if rng.random() < 0.7 else str(year)
        if rng.random() < 0.2:
            fact["end"] = str(year + rng.randint(1, 3))
    if rng.random() < 0.08:
        fact["note"] = rng.choice(NOTES)
    return fact


def _sources(rng: random.Random, count: int) -> list[dict]:
    result = []
    for number in range(1, count + 1):
        publisher = rng.choice(PUBLISHERS)
        year, month, day = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
        sid = f"{slug(publisher)[:24].strip('-')}-{year}-{month:02d}-{day:02d}-{number}"
        source = {"id": sid, "publisher": publisher, "published": f"{year}-{month:02d}-{day:02d}",
                  "title": f"{rng.choice(FIRST)} {rng.choice(LAST)} on {rng.choice(EVENT_TOPIC)}: "
                           f"\u201c{rng.choice(('No deal yet', 'Talks continue', 'A breakthrough', 'Sanctions stay'))}"
                           f"\u201d ({number})"}
        if rng.random() < 0.7:
            source["url"] = f"https://news.example.org/{year}/{month:02d}/{sid}"
        result.append(source)
    return result


def generate(n: int, folder: Path, seed: int = DEFAULT_SEED, per_entity: float = 3.0) -> dict:
    """Write a fact set of ``n`` entities to ``folder`` (replaced); return its description."""
    rng = random.Random(f"{seed}:{n}")
    entities = _entities(rng, n)
    sources = _sources(rng, max(12, n // 200))
    facts = _facts(rng, entities, [s["id"] for s in sources], per_entity)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "stories").mkdir(parents=True)
    (folder / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    (folder / "dataset.yaml").write_text(
        f"dataset:\n  name: Synthetic benchmark set, {n:,} entities\n  date: 2025-04-02\n"
        f"  description: Generated by bench/generate.py (seed {seed}); not real facts.\n", encoding="utf-8")
    (folder / "sources.yaml").write_text(
        "sources:\n" + "".join(line for s in sources for line in source_lines(s)), encoding="utf-8")
    n_files = max(10, min(100, n // 100))
    owner = {e["id"]: i * n_files // len(entities) for i, e in enumerate(_shuffled(rng, entities))}
    files: list[list[list[str]]] = [[[], []] for _ in range(n_files)]
    for entity in entities:
        files[owner[entity["id"]]][0].extend(entity_lines(entity))
    for fact in facts:
        files[owner[fact["subject"]]][1].extend(fact_lines(fact))
    for number, (entity_text, fact_text) in enumerate(files, start=1):
        text = f"# Story {number:03d}: synthetic, for the benchmark.\n"
        text += "entities:\n" + "".join(entity_text) if entity_text else ""
        text += "\nfacts:\n" + "".join(fact_text) if fact_text else ""
        (folder / "stories" / f"story-{number:03d}.yaml").write_text(text, encoding="utf-8")
    persons = [e for e in entities if e["type"] == "person"]
    info = {"generator": GENERATOR_VERSION, "seed": seed, "entities": len(entities), "facts": len(facts),
            "sources": len(sources), "files": n_files + 3,
            "bytes": sum(p.stat().st_size for p in folder.rglob("*.yaml")),
            "path": [persons[0]["name"], persons[-1]["name"]],
            "edit_file": f"stories/story-{n_files // 2:03d}.yaml"}
    return info


def write_ftm(folder: Path, out: Path) -> int:
    """The set in ``folder`` as a FollowTheMoney stream at ``out`` (graph/ftm's export); its line count."""
    from graph import load_graph
    from graph.ftm import export_ftm

    return export_ftm(load_graph(folder), out).total


FTM_FIRST = ("Maria", "Ivan", "José", "Анна", "Olena", "Ahmad", "Wei", "Søren", "Zoë", "Łukasz", "Fatima", "Kenji")
FTM_LAST = ("Osetrova", "Petrov", "Álvarez", "Коваленко", "Al-Khatib", "Wang", "Nørgaard", "Brown", "Nowak", "Sato")


def write_ftm_stream(count: int, out: Path, seed: int = DEFAULT_SEED) -> int:
    """A synthetic FtM stream of ``count`` lines shaped like OpenSanctions' (its line count), written as it goes.

    Per 20 lines: 6 Person, 3 Company, 3 Address, 2 Ownership, 1 Directorship, 1 Family, 2 Sanction,
    1 Payment and 1 second fragment of a person (a later line adding an alias and a date). Names
    in several scripts, weak aliases, addresses shared by several owners, two sanctioning bodies
    spelled two ways. Lines are in a seeded random order within blocks of 10,000.
    """
    rng = random.Random(seed)
    blocks = max(1, count // 20)
    written = 0
    with open(out, "w", encoding="utf-8") as handle:
        block: list[str] = []
        for n in range(blocks):
            for line in _ftm_block(n, blocks, rng):
                if written >= count:
                    break
                block.append(line)
                written += 1
            if len(block) >= 10_000 or n == blocks - 1:
                rng.shuffle(block)
                handle.write("".join(block))
                block = []
    return written


def _ftm_block(n: int, blocks: int, rng: random.Random) -> list[str]:
    def line(entity_id: str, schema: str, **props: Any) -> str:
        return json.dumps({"id": entity_id, "schema": schema, "properties": props}, ensure_ascii=False) + "\n"

    def other(kind: str, index: int) -> str:
        return f"{kind}-{rng.randrange(blocks)}-{index}"

    out = []
    for i in range(6):
        name = f"{rng.choice(FTM_FIRST)} {rng.choice(FTM_LAST)} {n}-{i}"
        out.append(line(f"p-{n}-{i}", "Person", name=[name], birthDate=[f"{1940 + rng.randrange(60)}"],
                        nationality=[rng.choice(("ru", "ua", "us", "de", "cy"))],
                        weakAlias=[rng.choice(FTM_FIRST)], addressEntity=[f"a-{n}-{i % 3}"],
                        topics=["sanction"] if i % 3 == 0 else []))
    for i in range(3):
        out.append(line(f"c-{n}-{i}", "Company", name=[f"{rng.choice(FTM_LAST)} Holdings {n}-{i} Ltd"],
                        jurisdiction=[rng.choice(("cy", "vg", "ru", "gb"))], incorporationDate=["2004-05-17"],
                        addressEntity=[f"a-{n}-{i}"], registrationNumber=[f"HE{n * 3 + i}"]))
        out.append(line(f"a-{n}-{i}", "Address", full=[f"{n}-{i} Main Street, Nicosia"], country=["cy"]))
    for i in range(2):
        out.append(line(f"own-{n}-{i}", "Ownership", owner=[f"p-{n}-{i}"], asset=[other("c", i)],
                        percentage=[str(10 + rng.randrange(90))], startDate=["2019"]))
        spelling = rng.choice((("OFAC", "us"), ("Office of Foreign Assets Control", "us"),
                               ("Council of the European Union", "eu"), ("EU Council", "eu")))
        out.append(line(f"san-{n}-{i}", "Sanction", entity=[f"p-{n}-{i * 3}"], authority=[spelling[0]],
                        country=[spelling[1]], program=["RUSSIA-EO14024"], startDate=["2022-04-06"],
                        sourceUrl=[f"https://example.org/list/{n % 100}"]))
    out.append(line(f"dir-{n}", "Directorship", director=[f"p-{n}-1"], organization=[f"c-{n}-0"], role=["director"]))
    out.append(line(f"fam-{n}", "Family", person=[f"p-{n}-2"], relative=[other("p", 3)],
                    relationship=[rng.choice(("son", "daughter", "spouse", "sister"))]))
    out.append(line(f"pay-{n}", "Payment", payer=[f"c-{n}-1"], beneficiary=[other("c", 2)], amount=["1000"],
                    date=["2021-03-01"]))
    out.append(line(f"p-{n}-4", "Person", alias=[f"Alias {n}"], birthDate=["1971-02-03"]))
    return out


def _shuffled(rng: random.Random, items: list[dict]) -> list[dict]:
    copy = list(items)
    rng.shuffle(copy)
    return copy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k, 10k, 100k, 1m or a number")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DATA, help="parent folder (default bench/data)")
    parser.add_argument("--ftm", action="store_true", help="also write each set as an FtM stream, <size>.ftm.json")
    args = parser.parse_args(argv)
    for name in args.sizes.split(","):
        name = name.strip()
        info = generate(parse_size(name), args.out / name, args.seed)
        (args.out / f"{name}.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        print(f"{args.out / name}: {info['entities']:,} entities, {info['facts']:,} facts, "
              f"{info['files']} files, {info['bytes'] / 1e6:.1f} MB", file=sys.stderr)
        if args.ftm:
            stream = args.out / f"{name}.ftm.json"
            count = write_ftm(args.out / name, stream)
            print(f"{stream}: {count:,} FtM entities, {stream.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
