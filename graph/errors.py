"""tieline's exceptions: one base class; data errors carry file, line and column.

The library raises these; only ``cli.py`` turns them into messages and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "TielineError",
    "DataError",
    "DataErrors",
    "EntityNotFound",
    "AmbiguousEntity",
    "Candidate",
    "OutputError",
    "UsageError",
    "GraphTooLarge",
    "UsageError",
    "NoResult",
    "MeasureTooCostly",
    "IndexDamaged",
    "EXIT_CODES",
    "exit_code",
]


class TielineError(Exception):
    """Base class of every error tieline raises on purpose."""


@dataclass(frozen=True, order=True)
class DataError(TielineError):
    """One problem in the data, located at ``path:line:column`` (1-based; 0 = unknown)."""

    path: str
    line: int = 0
    column: int = 0
    message: str = ""

    def __reduce__(self) -> tuple[type, tuple[str, int, int, str]]:
        """Pickle by fields (an Exception's default rebuilds from args, which a frozen dataclass refuses)."""
        return (type(self), (self.path, self.line, self.column, self.message))

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class DataErrors(TielineError):
    """Every problem found in a data folder, sorted by file and line.

    ``folder``: the data folder they are in, as the user named it; ``wrote_nothing``: whether the
    command wrote nothing because of them; ``summary``: the closing line to print instead of the
    usual count (an import's input is not a data folder).
    """

    def __init__(self, errors: list[DataError], *, folder: str = "data", wrote_nothing: bool = True,
                 summary: str | None = None):
        self.errors = sorted(set(errors))
        self.folder = folder
        self.wrote_nothing = wrote_nothing
        self.summary = summary
        super().__init__(f"{len(self.errors)} problem{'s' if len(self.errors) != 1 else ''} in the data")

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class EntityNotFound(TielineError):
    """A name given on the command line matches no entity."""

    def __init__(self, query: str, candidates: list[tuple[str, str]]):
        self.query = query
        self.candidates = candidates  # (id, name) pairs, best first
        super().__init__(f"no entity matches {query!r}")


class Candidate(NamedTuple):
    """One of the entities a name may mean, with what tells it apart from the others."""

    id: str
    name: str
    type: str = ""
    country: str = ""  # the country's name
    description: str = ""


class AmbiguousEntity(TielineError):
    """A name given on the command line matches several entities."""

    def __init__(self, query: str, candidates: list[Candidate]):
        self.query = query
        self.candidates = candidates
        super().__init__(f"{query!r} matches {len(candidates)} entities")


class OutputError(TielineError):
    """An output file could not be written."""


class GraphTooLarge(TielineError):
    """A graph has more nodes than a renderer is allowed to draw."""

    def __init__(self, nodes: int, limit: int):
        self.nodes = nodes
        self.limit = limit
        super().__init__(
            f"the graph has {nodes} nodes, more than the limit of {limit} for a readable page; "
            f"narrow it with --focus ENTITY --depth N, --type or --relation, "
            f"or raise the limit with --max-nodes"
        )


class UsageError(TielineError):
    """A command was asked something it cannot do: an unknown type, relation or level, an output inside
    the data folder, a bad option (exit 2)."""


class NoResult(TielineError):
    """The question has no answer: no path, no match, no neighbours (exit code 1, not a failure)."""


class MeasureTooCostly(TielineError):
    """A measure cannot be computed on this graph in reasonable time (or did not converge)."""


class IndexDamaged(Exception):
    """The query index (graph/index/) proved unreadable while answering. Not a user's error: the
    command drops the index and answers from the graph (graph/commandline.py), so it never reaches
    the exit-code table."""


EXIT_CODES: tuple[tuple[type[TielineError], int], ...] = (
    (NoResult, 1), (UsageError, 2), (EntityNotFound, 2), (AmbiguousEntity, 2), (GraphTooLarge, 2),
    (MeasureTooCostly, 2),
    (DataErrors, 3), (OutputError, 4),
)
"""The one table from error to exit code (the first match wins): 1 no result, 2 usage, 3 invalid data,
4 output not written. An error not listed is a usage error. What the process's streams add (a closed
stdout: 4; a broken pipe: 141) is in graph/terminal.py."""


def exit_code(error: TielineError) -> int:
    """The process exit code for ``error``."""
    return next((code for kind, code in EXIT_CODES if isinstance(error, kind)), 2)
