"""What the status page shows, built from the monitor's report: the questions a monitoring
cell asks (what is late, what comes next, on whose word), answered in a few chosen columns
with the rest behind ``<details>``.

Nothing here reads the norms: statuses, phases and dates are the monitor's
(:mod:`detente.monitor`), their words and legend :mod:`detente.reports.statuses`. This
module only arranges them and finds, for each obligation, the logged events it rests on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from detente.language.model import Agreement
from detente.monitor import MonitorReport
from detente.monitor.report import ObligationStatus
from detente.reports import statuses
from detente.reports.cells import cell_text

#: ``notes`` that open with "Publisher: NAME." name the outlet (before the log had a column).
_PUBLISHER = re.compile(r"^\s*Publisher:\s*(.+?)(?:\.\s|\.$|$)", re.S)

#: How the monitor's agreement status reads in the header.
AGREEMENT_WORDS = {
    "in_force": "in force",
    "completed": "completed",
    "terminated": "terminated",
}


@dataclass(frozen=True)
class Source:
    """A source as a short link: the host (or the text) shown, the whole address kept."""

    text: str
    href: str | None
    publisher: str | None
    reporter: str | None


def source_of(columns: Mapping[str, Any]) -> Source:
    """The source of an event row, its publisher (the ``publisher`` column, else the
    "Publisher: …" opening ``notes``) and who reported it."""
    raw = str(columns.get("source") or "")
    href = raw if raw.startswith(("https://", "http://")) else None
    if href:
        host = urlsplit(href).hostname or href
        text = host.removeprefix("www.")
    else:
        text = raw
    publisher = columns.get("publisher")
    if not publisher:
        found = _PUBLISHER.match(str(columns.get("notes") or ""))
        publisher = found.group(1).strip() if found else None
    reporter = columns.get("reported_by")
    return Source(text, href, str(publisher) if publisher else None, reporter or None)


#: At most this many sources, and event ids, in one row: a row rests on every event logged
#: for it, which can be thousands, and the page would grow with the log.
SHOWN = 5


def distinct_sources(found: Sequence[Mapping[str, Any]]) -> list[Source]:
    """The different sources of ``found``, in log order, the first :data:`SHOWN` of them and
    a count of the rest."""
    seen: dict[tuple[str, str | None, str | None, str | None], Source] = {}
    for e in found:
        one = source_of(e)
        seen.setdefault((one.text, one.href, one.publisher, one.reporter), one)
    shown = list(seen.values())
    if len(shown) > SHOWN:
        rest = len(shown) - SHOWN
        shown = [*shown[:SHOWN], Source(f"and {rest} more", None, None, None)]
    return shown


def _event_ids(found: Sequence[Mapping[str, Any]]) -> str:
    ids = [str(e.get("id", "")) for e in found]
    if len(ids) > SHOWN:
        return ", ".join(ids[:SHOWN]) + f" … ({len(ids)} events)"
    return ", ".join(ids)


@dataclass
class Row:
    """One row of a status table: a status, a few chosen cells, and details on demand."""

    status: str
    label: str
    cells: list[str]
    sources: list[Source] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)

    @property
    def css(self) -> str:
        return statuses.css_class(self.status) if self.status in statuses.ORDER else ""


@dataclass
class Table:
    columns: list[str]
    rows: list[Row]
    #: the table has a "On whose word" column (sources)
    sourced: bool = True


def _what(o: ObligationStatus) -> str:
    things = cell_text(o.category).replace("_", " ") if o.category else ""
    amount = f"{o.quantity} " if o.quantity is not None else ""
    return " ".join(p for p in (o.action.replace("_", " "), amount + things) if p).strip()


def _evidence(
    o: ObligationStatus,
    events: Sequence[Mapping[str, Any]],
    violations: Sequence[Mapping[str, Any]],
) -> list[Mapping[str, Any]]:
    """The logged events an obligation's status rests on: the debtor's acts of its kind on
    the day it was done, or the breaches logged against its clause."""
    if o.status == "violated":
        return [v for v in violations if v.get("actor") == o.debtor and v.get("clause") == o.clause]
    if o.fulfilled_on is None:
        return []
    day = o.fulfilled_on.isoformat()
    return [
        e
        for e in events
        if e.get("date") == day
        and e.get("actor") == o.debtor
        and e.get("action") == o.action
        and (o.category is None or e.get("category") == o.category)
    ]


def _day(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def obligations(report: MonitorReport, events: Sequence[Mapping[str, Any]]) -> Table:
    """The obligations, recurring runs of one status folded into one row."""
    data_violations = report.to_json().get("violations") or []
    rows = []
    for first, last in statuses.runs(report.obligations):
        due = _day(first.due) if first is last else f"{_day(first.due)} to {_day(last.due)}"
        what = _what(first)
        if first is not last:
            count = report.obligations.index(last) - report.obligations.index(first) + 1
            what += f" (daily, {count} days)"
        where = first.clause + (f", round {first.round}" if first.round is not None else "")
        found = _evidence(first, events, data_violations) if first is last else []
        rows.append(
            Row(
                status=first.status,
                label=first.describe(),
                cells=[due, first.debtor, what, where],
                sources=distinct_sources(found),
                details=[
                    ("id", first.id if first is last else f"{first.id} … {last.id}"),
                    ("owed to", first.creditor),
                    ("opens", _day(first.opens)),
                    ("delivered", str(first.delivered)),
                    ("done on", _day(first.fulfilled_on)),
                    ("events", _event_ids(found)),
                ],
            )
        )
    return Table(["Due", "Who", "What", "Clause"], rows)


def _amounts(counts: Mapping[str, Any]) -> str:
    return ", ".join(f"{n} {str(k).replace('_', ' ')}" for k, n in (counts or {}).items())


def ledger(data: Mapping[str, Any]) -> Table:
    """The exchange rounds: what each side owed and gave."""
    rows = []
    for r in data.get("ledger") or []:
        status = str(r.get("status", ""))
        late = r.get("late_days")
        label = statuses.label(status) + (f" by {late} day{'s' * (late != 1)}" if late else "")
        rows.append(
            Row(
                status=status,
                label=label,
                cells=[
                    str(r.get("due") or ""),
                    f"{r.get('round')}" + (f": {r['label']}" if r.get("label") else ""),
                    f"{r.get('releasing')}: {_amounts(r.get('release_delivered'))} of "
                    f"{_amounts(r.get('release_due'))}",
                    f"{r.get('counterpart')}: {_amounts(r.get('counter_delivered'))} of "
                    f"{_amounts(r.get('counter_due'))}",
                ],
                details=[
                    ("id", str(r.get("id", ""))),
                    ("ratio agreed", cell_text(r.get("ratio_agreed"))),
                    ("ratio achieved", cell_text(r.get("ratio_achieved"))),
                    ("delivered on", cell_text(r.get("delivered_on"))),
                ],
            )
        )
    return Table(["Due", "Round", "Released", "In return"], rows, sourced=False)


def violations(data: Mapping[str, Any]) -> Table:
    rows = []
    for v in data.get("violations") or []:
        rows.append(
            Row(
                status="violated",
                label="violated",
                cells=[
                    str(v.get("date") or ""),
                    str(v.get("actor") or ""),
                    str(v.get("action") or "").replace("_", " "),
                    ", ".join(v.get("prohibited_by") or [str(v.get("clause") or "")]),
                ],
                sources=[source_of(v)],
                details=[
                    ("event", str(v.get("id") or "")),
                    ("where", str(v.get("location") or "")),
                    ("verification", str(v.get("verification") or "")),
                    ("notes", str(v.get("notes") or "")),
                ],
            )
        )
    return Table(["Date", "Who", "What", "Against"], rows)


def deadlines(data: Mapping[str, Any]) -> Table:
    rows = []
    for d in data.get("next_deadlines") or []:
        rows.append(
            Row(
                status="due",
                label=str(d.get("status_text") or "due"),
                cells=[
                    str(d.get("due") or ""),
                    str(d.get("debtor") or ""),
                    " ".join(
                        str(d[k]).replace("_", " ")
                        for k in ("action", "quantity", "category")
                        if d.get(k) is not None
                    ),
                    str(d.get("clause") or ""),
                ],
                details=[(str(k), cell_text(v)) for k, v in d.items()],
            )
        )
    return Table(["Due", "Who", "What", "Clause"], rows, sourced=False)


def _length(phase: Mapping[str, Any]) -> int | None:
    start, last = phase.get("start"), phase.get("last_day")
    if not start or not last:
        return None
    return (dt.date.fromisoformat(last) - dt.date.fromisoformat(start)).days + 1


def phase_sentence(data: Mapping[str, Any], agreement: Agreement) -> str:
    """The current phase in words: "Phase one, day 12 of 42; phase two has not started"."""
    as_of = data.get("as_of")
    eif = data.get("entry_into_force")
    status = str(data.get("agreement_status") or "in_force")
    phases = list(data.get("phases") or [])
    current = data.get("phase")
    if status in ("completed", "terminated"):
        return f"The agreement has {'been ' * (status == 'terminated')}{status}."
    if eif and as_of and as_of < eif:
        return f"Not in force yet: it enters into force on {eif}."
    if not current:
        return "No phase is running."
    name = str(current.get("name") or current.get("id"))
    day = current.get("day_in_phase")
    length = _length(current)
    if length is None:
        said = f"{name}, day {day} (it has no set length)"
    elif day is not None and day > length:
        said = (
            f"{name}, day {day}: its {length} days ended on {current.get('last_day')} and it "
            "continues (the agreement keeps it running until the next phase starts)"
        )
    else:
        said = f"{name}, day {day} of {length}"
    ids = [p.get("id") for p in phases]
    after = phases[ids.index(current.get("id")) + 1 :] if current.get("id") in ids else []
    if after and after[0].get("status") == "pending":
        nxt = str(after[0].get("name") or after[0].get("id"))
        said += f"; {nxt[:1].lower() + nxt[1:] if nxt[:6] == 'Phase ' else nxt} has not started"
    return said + "."


def header_status(data: Mapping[str, Any], agreement: Agreement) -> str:
    """The agreement's status as the event log reads it on the report's date: the header
    and the status below it say the same thing, because both are this report's."""
    status = AGREEMENT_WORDS.get(str(data.get("agreement_status")), "in force")
    eif = data.get("entry_into_force")
    if eif and data.get("as_of") and data["as_of"] < eif:
        status = "not yet in force"
    return f"{status} as of {data.get('as_of')}, as the event log reads it"


def declared_note(data: Mapping[str, Any], agreement: Agreement) -> str | None:
    """When the spec's own ``status`` field says otherwise, what it says and why the page
    does not follow it (it is the author's note, not an event in the log)."""
    declared = agreement.status.value
    read = str(data.get("agreement_status") or "in_force")
    agrees = {
        "in_force": {"in_force", "signed"},
        "completed": {"ended"},
        "terminated": {"ended"},
    }
    if declared in agrees.get(read, set()) or declared == "draft":
        return None
    return (
        f"The spec file marks it {declared.replace('_', ' ')}; no event in the log ends it, "
        "so this page follows the log."
    )
