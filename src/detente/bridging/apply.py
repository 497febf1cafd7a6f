"""Apply a set of edits to a draft, check the result is a valid spec, and judge it with
:func:`detente.check`; each edit's redline."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from detente.bridging.edits import Edit, Redline, canonical
from detente.bridging.operators import OPERATORS
from detente.checker.check import check
from detente.language.checks import check_agreement
from detente.language.located import Loaded, Origins
from detente.language.model import Agreement, Phase


class InvalidCandidate(ValueError):
    """The edits give a spec that does not validate (a dangling reference …)."""


def apply_edits(draft: Agreement, edits: tuple[Edit, ...]) -> Agreement:
    """The draft with every edit applied, in canonical order, re-validated as a spec."""
    a = draft
    for e in canonical(edits):
        a = OPERATORS[e.operator].apply(a, e)
    data = a.model_dump(mode="json", by_alias=True, exclude_none=True)
    try:
        valid = Agreement.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidCandidate(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    errors = [
        p
        for p in check_agreement(Loaded(valid, data, Origins(), "<proposal>"))
        if p.severity == "error"
    ]
    if errors:
        raise InvalidCandidate(errors[0].message)
    return valid


@dataclass(frozen=True)
class Judged:
    """One candidate's verdicts: expectation label → holds / violated / unknown."""

    draft: int
    edits: tuple[Edit, ...]
    verdicts: tuple[tuple[str, str], ...] = ()
    invalid: str | None = None
    seconds: float = 0.0
    states: int = 0

    @property
    def violated(self) -> int:
        """How many expectations do not hold (violated or unknown)."""
        return sum(1 for _, v in self.verdicts if v != "holds")

    @property
    def ok(self) -> bool:
        return self.invalid is None and self.violated == 0

    @property
    def distance(self) -> int:
        return sum(e.distance for e in self.edits)


@dataclass
class Judge:
    """Judges candidates of a list of drafts (shipped once to each worker)."""

    drafts: list[Agreement]
    max_states: int | None = 200_000
    _cache: dict[int, Any] = field(default_factory=dict)

    def __call__(self, draft: int, edits: tuple[Edit, ...]) -> Judged:
        started = time.perf_counter()
        try:
            a = apply_edits(self.drafts[draft], edits)
        except InvalidCandidate as exc:
            return Judged(draft, edits, invalid=str(exc), seconds=time.perf_counter() - started)
        r = check(a, max_states=self.max_states, max_memory=None)
        return Judged(
            draft,
            edits,
            tuple((e.name, e.verdict) for e in r.expectations),
            None,
            time.perf_counter() - started,
            r.states_explored,
        )

    def batch(self, items: list[tuple[int, tuple[Edit, ...]]]) -> list[Judged]:
        return [self(d, e) for d, e in items]


def _phase_words(p: Phase) -> str:
    days = f"{p.duration_days} days" if p.duration_days is not None else "open-ended"
    rule = p.at_expiry.rule.replace("_", " ")
    if p.at_expiry.negotiation:
        rule += f" the talks of clause {p.at_expiry.negotiation} are open"
    return f"{p.name}: {days}; when its days run out: {rule}"


def redlines(before: Agreement, after: Agreement, edits: tuple[Edit, ...]) -> list[Redline]:
    """Each edit's words before and after, with its new words marked as a proposal."""
    out: list[Redline] = []
    old = {c.id: c for c in before.clauses}
    new = {c.id: c for c in after.clauses}
    for e in canonical(edits):
        kind, _, ident = e.target.partition(" ")
        if kind == "phase":
            out.append(
                Redline(
                    e.target,
                    _phase_words(before.phase(ident)),
                    _phase_words(after.phase(ident)),
                    e.words,
                )
            )
            continue
        b = old.get(ident)
        c = new.get(ident)
        out.append(
            Redline(
                e.target if kind == "clause" else f"clause {ident}",
                None if b is None else " ".join(b.text.split()),
                None if c is None else " ".join(c.text.split()),
                e.words,
            )
        )
    return out
