"""The query index (``write.py`` writes it, ``read.py`` answers from it): the compiled graph as one SQLite file, so that a query never rebuilds the graph.

``path``, ``neighbours``, ``show`` and ``search`` answer from it with the standard library only
(``sqlite3``, ``json``): no networkx, no PyYAML. :class:`IndexGraph` stands in for the
``networkx.MultiDiGraph`` that :mod:`graph.query`, :mod:`graph.view` and :mod:`graph.timeline`
walk — the same nodes, the same adjacency in the same order, the same attributes — reading each
entity, each adjacency list and each fact only when the walk reaches it. The questions themselves
are asked by the same code over either graph, so the answers are the same (``tests/test_index.py``
compares the two, byte for byte).

The file sits beside the compiled cache (:mod:`graph.store`: the same folder, the same ownership
rules) and holds::

    meta(name, value)                    format, the data key it was built from, the cache header,
                                         the graph's attributes but sources, the entity types present
    entities(num, id, name, type, aliases, start, end, keys)  one row per entity, in the graph's order;
                                         keys: what search compares (graph.names.search_keys)
    entity_data(num, data)               the entity's attributes (JSON)
    facts(num, id, relation, certainty, start, end, momentary) / fact_data(num, data)
                                         the same for facts (numbered in the order of their ids)
    steps(node, dir, pos, other, fact, symmetric) adjacency: dir 0 out, 1 in; pos the graph's order;
                                         other the neighbour's id
    sources(id, data)                    the sources facts cite
    name_keys(kind, key, ids)            the name index (graph.model.NameIndex): key, words, sound,
                                         redirect

It is written aside and renamed into place (readers keep the file they opened; two builders never
leave half a file), opened read-only and immutable, and trusted only when its format, its data key
(:class:`graph.store.Manifest`) and its size check out. Extension loading stays off and the schema is
not trusted to run functions. Any damage met while answering raises :class:`IndexDamaged`: the
caller drops the index and answers from the graph instead.
"""

from __future__ import annotations

from .read import IndexGraph, IndexNames, open_index
from .tables import INDEX_FILE, INDEX_FORMAT
from .write import PENDING, build_index, build_pending, drop_index

__all__ = ["INDEX_FORMAT", "INDEX_FILE", "IndexGraph", "IndexNames", "build_index", "build_pending", "open_index",
           "drop_index", "PENDING"]
