"""The obligation statuses as every monitoring report shows them: their words, their
order, the legend of those present, the counts, and the reading of absence.

One vocabulary for the terminal, HTML, DOCX and the dashboard: *not recorded* (the log
says neither that a duty was done nor that it was not) is a status of its own, never
counted among the violated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from detente.monitor.report import LEGEND, READINGS, ObligationStatus

#: The statuses in the order a reader meets them: what went wrong first, then what is open.
ORDER = (
    "violated",
    "not_recorded",
    "under_way",
    "late",
    "fulfilled",
    "open",
    "due",
    "pending",
    "discharged",
)

#: The JSON codes of the two readings of absence (``MonitorReport.to_json()["reading"]``).
RECORDED_ONLY = "recorded_only"
ABSENCE_IS_VIOLATION = "absence_is_violation"

#: Where the other reading is: said under every report that shows one.
OTHER_READING = {
    RECORDED_ONLY: "For the reading in which a deadline passed with nothing logged counts as "
    "violated: detente monitor --absence-is-violation.",
    ABSENCE_IS_VIOLATION: "Without --absence-is-violation, such duties are shown as not "
    "recorded, and only a logged breach makes a duty violated.",
}


def label(status: str) -> str:
    """A status in words: ``not_recorded`` → ``not recorded``."""
    return status.replace("_", " ")


def css_class(status: str) -> str:
    """The CSS class of a row in a status: ``not_recorded`` → ``not-recorded``."""
    return status.replace("_", "-")


@dataclass(frozen=True)
class LegendEntry:
    status: str
    label: str
    meaning: str


def present(statuses: Iterable[Any]) -> list[str]:
    """The known statuses among ``statuses``, in :data:`ORDER`."""
    seen = {str(s) for s in statuses}
    return [s for s in ORDER if s in seen]


def legend(statuses: Iterable[Any], meanings: Mapping[str, Any] | None = None) -> list[LegendEntry]:
    """The legend of the statuses present, each with its sentence (``LEGEND``, or the
    ``legend`` a report's JSON carries)."""
    words = dict(LEGEND)
    if meanings:
        words.update({str(k): str(v) for k, v in meanings.items()})
    return [LegendEntry(s, label(s), words[s]) for s in present(statuses) if s in words]


def counts(statuses: Iterable[Any]) -> dict[str, int]:
    """How many obligations are in each status present, in :data:`ORDER`.

    ``counts(...)["violated"]`` counts the violated only: never the not recorded.
    """
    tally: dict[str, int] = {}
    for s in statuses:
        tally[str(s)] = tally.get(str(s), 0) + 1
    return {s: tally[s] for s in ORDER if s in tally}


def reading_code(data: Mapping[str, Any]) -> str | None:
    """``recorded_only`` or ``absence_is_violation``, from a report's JSON, if it says."""
    code = data.get("reading")
    return str(code) if code in (RECORDED_ONLY, ABSENCE_IS_VIOLATION) else None


def reading_sentence(code: str) -> str:
    """The reading in words, as :attr:`MonitorReport.reading` says it, from its JSON code."""
    return READINGS[code]


def runs(obligations: list[ObligationStatus]) -> list[tuple[ObligationStatus, ObligationStatus]]:
    """Consecutive instances of one recurring duty with the same status, folded into one row."""
    out: list[tuple[ObligationStatus, ObligationStatus]] = []
    for o in obligations:
        if out:
            first, last = out[-1]
            if (
                "#" in o.id
                and o.clause == last.clause
                and o.kind == last.kind
                and o.status == last.status
                and o.status not in ("late", "due")
                and o.describe() == last.describe()
            ):
                out[-1] = (first, o)
                continue
        out.append((o, o))
    return out
