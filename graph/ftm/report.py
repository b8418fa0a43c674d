"""What an FtM import did with every line: counts per schema, and every kind of loss with full examples."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..wording import counted

__all__ = ["ImportReport", "COLUMNS", "EXAMPLES"]

EXAMPLES = 5
COLUMNS = ("read", "merged", "entities", "facts", "sources", "attributes", "in story", "dropped")
"""Per schema: lines read; lines merged into an earlier fragment of the same id; things written as
entities; facts made; Documents become sources; things kept as attributes of another; things already
in the story an import joins (its entity is used); things dropped (each kind of loss is listed below)."""


@dataclass
class ImportReport:
    """What an import made, and every kind of problem it met, counted, with a few examples (whole ids)."""

    lines: int = 0
    entities: int = 0
    facts: int = 0
    sources: int = 0
    countries: int = 0
    by_schema: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    problems: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def count(self, schema: str, column: str, n: int = 1) -> None:
        """Add ``n`` to one column of one schema's row."""
        self.by_schema[schema][column] += n

    def problem(self, kind: str, example: str, schema: str | None = None) -> None:
        """Count one problem of ``kind``; keep the first few examples (the smallest, so any line order gives the same)."""
        self.problems[kind] += 1
        examples = self.examples[kind]
        if example not in examples:
            examples.append(example)
            examples.sort()
            del examples[EXAMPLES:]

    def drop(self, schema: str, kind: str, example: str) -> None:
        """A whole thing of ``schema`` left out, and why."""
        self.count(schema, "dropped")
        self.problem(kind, example)

    def summary(self) -> str:
        """The lines a CLI prints: what was made, the table per schema, then each kind of problem with examples."""
        lines = [f"{counted(self.lines, 'FtM entity')} read: {counted(self.entities, 'entity')} "
                 f"({counted(self.countries, 'country')}), {counted(self.facts, 'fact')}, "
                 f"{counted(self.sources, 'source')}"]
        rows = sorted((s, c) for s, c in self.by_schema.items() if any(c.values()))
        if rows:
            width = max(len(s) for s, _ in rows)
            lines.append("  " + "schema".ljust(width) + "".join(f"{c:>11}" for c in COLUMNS))
            lines.extend("  " + s.ljust(width) + "".join(f"{counts[c]:>11,}" for c in COLUMNS) for s, counts in rows)
        for kind, count in sorted(self.problems.items()):
            more = " …" if count > len(self.examples[kind]) else ""
            lines.append(f"  {count:,} × {kind}: " + "; ".join(self.examples[kind]) + more)
        return "\n".join(lines)
