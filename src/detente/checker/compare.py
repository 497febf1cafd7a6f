"""``detente compare``: drafts side by side, diffing the typed model (not YAML text).

Each later draft is compared with the first: which clauses it adds, removes or
changes, and for a changed clause which fields of its norm differ; then the matrix of
drafts × expectations with whom each protects and each verdict in a word.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from detente.checker.check import AUTO, DEFAULT_MAX_STATES, check
from detente.checker.result import CheckResult
from detente.language.model import Agreement, Clause


@dataclass(frozen=True)
class ClauseChange:
    """One clause that differs between the first draft and another."""

    clause: str
    change: str  # added, removed, changed
    fields: list[str] = field(default_factory=list)
    before: str | None = None
    after: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "change": self.change,
            "fields": self.fields,
            "before": self.before,
            "after": self.after,
        }


@dataclass
class Comparison:
    """Drafts, their differences from the first, and their verdicts."""

    drafts: list[str]
    changes: dict[str, list[ClauseChange]]
    results: list[CheckResult]
    expectations: list[tuple[str, str | None]]  # (label, protects)

    def verdict(self, draft: int, expectation: str) -> str:
        for e in self.results[draft].expectations:
            if e.name == expectation:
                return e.verdict
        return "—"

    def to_json(self) -> dict[str, Any]:
        return {
            "drafts": self.drafts,
            "changes": {d: [c.to_json() for c in cs] for d, cs in self.changes.items()},
            "matrix": [
                {
                    "expectation": name,
                    "protects": protects,
                    "verdicts": {d: self.verdict(i, name) for i, d in enumerate(self.drafts)},
                }
                for name, protects in self.expectations
            ],
            "results": [r.to_json() for r in self.results],
        }

    def rows(self) -> list[dict[str, Any]]:
        """The drafts × expectations matrix: one row per expectation, a column per draft."""
        return [
            {"expectation": name, "protects": protects}
            | {d: self.verdict(i, name) for i, d in enumerate(self.drafts)}
            for name, protects in self.expectations
        ]

    def change_rows(self) -> list[dict[str, Any]]:
        return [{"draft": d} | c.to_json() for d, cs in self.changes.items() for c in cs]

    def to_frame(self, table: str = "matrix") -> Any:
        """The ``matrix`` (drafts × expectations, the default) or the clause ``changes``
        (one row per changed clause of each later draft) as a pandas DataFrame; needs the
        ``frames`` extra (pandas)."""
        from detente.frames import frame

        if table == "matrix":
            return frame(self.rows(), ["expectation", "protects", *self.drafts])
        if table == "changes":
            return frame(self.change_rows(), CHANGE_COLUMNS)
        raise ValueError(f"no table {table!r}; the tables are matrix and changes")

    def _repr_html_(self) -> str:
        from detente.frames import html_table

        return html_table(
            self.rows(), ["expectation", "protects", *self.drafts], "Drafts × expectations"
        )


CHANGE_COLUMNS = ["draft", "clause", "change", "fields", "before", "after"]


def _describe(c: Clause) -> str:
    return f"{c.kind}: {' '.join(c.text.split())}"


def _diff(a: Any, b: Any, prefix: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in dict.fromkeys([*a, *b]):
            _diff(a.get(key), b.get(key), f"{prefix}.{key}" if prefix else str(key), out)
    elif a != b:
        out.append(prefix)


def clause_changes(before: Agreement, after: Agreement) -> list[ClauseChange]:
    """The clause-level differences from ``before`` to ``after``, in clause order."""
    old = {c.id: c for c in before.clauses}
    new = {c.id: c for c in after.clauses}
    out: list[ClauseChange] = []
    for cid, c in old.items():
        if cid not in new:
            out.append(ClauseChange(cid, "removed", [], _describe(c), None))
    for cid, c in new.items():
        if cid not in old:
            out.append(ClauseChange(cid, "added", [], None, _describe(c)))
            continue
        o = old[cid]
        a_dump = o.model_dump(mode="json", exclude_none=True)
        b_dump = c.model_dump(mode="json", exclude_none=True)
        if a_dump == b_dump:
            continue
        fields: list[str] = []
        if o.kind != c.kind:
            fields.append(f"kind ({o.kind} → {c.kind})")
            for key in ("title", "text", "phase"):
                if a_dump.get(key) != b_dump.get(key):
                    fields.append(key)
        else:
            _diff(a_dump, b_dump, "", fields)
        out.append(ClauseChange(cid, "changed", fields, _describe(o), _describe(c)))
    old_ph = {p.id: p.model_dump(mode="json", exclude_none=True) for p in before.phases}
    for p in after.phases:
        d = p.model_dump(mode="json", exclude_none=True)
        if p.id in old_ph and old_ph[p.id] != d:
            fields = []
            _diff(old_ph[p.id], d, "", fields)
            out.append(ClauseChange(f"phase {p.id}", "changed", fields))
    return out


def compare(
    drafts: Sequence[Agreement | str | os.PathLike[str]],
    *,
    max_states: int | None = DEFAULT_MAX_STATES,
    max_memory: int | Literal["auto"] | None = AUTO,
    max_seconds: float | None = None,
) -> Comparison:
    """Compare drafts: their clause differences from the first and their verdicts (each
    draft checked within the bounds, as :func:`check` does)."""
    from detente.language.loader import load

    agreements = [d if isinstance(d, Agreement) else load(d) for d in drafts]
    results = [
        check(a, max_states=max_states, max_memory=max_memory, max_seconds=max_seconds)
        for a in agreements
    ]
    first = agreements[0]
    changes = {a.id: clause_changes(first, a) for a in agreements[1:]}
    labels: dict[str, str | None] = {}
    for a in agreements:
        for e in a.expectations:
            labels.setdefault(e.label, e.protects)
    return Comparison([a.id for a in agreements], changes, results, list(labels.items()))
