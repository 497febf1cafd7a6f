"""The event log in the shape of ACLED rows or PLOVER JSON Lines, so researchers can join it
with their datasets. The crosswalk is documented in ``docs/monitoring.md``.

Both exports stream: one event in, one row out.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from detente.language.model import Agreement
from detente.monitor.events import Event

#: ACLED's 31 columns, in the codebook's order.
ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

#: PLOVER's record fields.
PLOVER_FIELDS = (
    "id",
    "has_event",
    "date",
    "time",
    "enddate",
    "endtime",
    "actor",
    "recipient",
    "event",
    "event_loc",
    "event_text",
    "quad_code",
    "event_scale",
    "mode",
    "context",
    "link",
    "text",
    "text_info",
    "cite_info",
    "coder",
    "coded_date",
    "coded_time",
    "comment",
)

#: ACLED event type of each sub-event type (the codebook's hierarchy).
ACLED_EVENT_TYPE = {
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Chemical weapon": "Explosions/Remote violence",
    "Air/drone strike": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Sexual violence": "Violence against civilians",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}
ACLED_DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Political violence; Demonstrations",
    "Strategic developments": "Strategic developments",
}
#: Built-in actions → ACLED sub-event type.
ACLED_SUB_EVENT = {
    "release": "Agreement",
    "withdraw": "Non-violent transfer of territory",
    "aid": "Agreement",
    "negotiations_start": "Agreement",
    "negotiations_agree": "Agreement",
    "exercise": "Agreement",
    "amend": "Agreement",
    "announce": "Agreement",
    "hostilities": "Armed clash",
}
#: Built-in actions → PLOVER event and mode.
PLOVER_EVENT = {
    "release": ("RETREAT", "release"),
    "withdraw": ("RETREAT", "withdraw"),
    "aid": ("RETREAT", "access"),
    "hostilities": ("ASSAULT", None),
    "announce": ("CONCEDE", None),
    "negotiations_start": ("CONSULT", None),
    "negotiations_agree": ("AGREE", None),
    "exercise": ("REJECT", None),
    "amend": ("AGREE", None),
}
#: A power's action → the PLOVER event its exercise is.
PLOVER_POWER = {
    "end_agreement": ("REJECT", None),
    "declare_failed": ("REJECT", None),
    "resume_hostilities": ("THREATEN", None),
    "suspend_clause": ("REJECT", None),
    "extend_phase": ("AGREE", None),
    "self_defence": ("ASSAULT", None),
    "arbitrate": ("AGREE", None),
}
TIME_PRECISION = {"day": 1, "week": 2, "month": 3}


def reported_date(e: Event) -> dt.date:
    """The date ACLED records: the day, or the midpoint of the week or month."""
    if e.date_precision == "week":
        return e.earliest + dt.timedelta(days=3)
    if e.date_precision == "month":
        return e.earliest.replace(day=15)
    return e.date


def _summary(agreement: Agreement, e: Event) -> str:
    names = {p.id: p.name for p in agreement.parties}
    what = f"{names.get(e.actor, e.actor)}: {e.action.replace('_', ' ')}"
    if e.quantity is not None:
        what += f" {e.quantity}"
    if e.category:
        what += f" {e.category.replace('_', ' ')}"
    extra = [f"clause {e.clause}"] if e.clause else []
    extra.append(f"verification: {e.verification}")
    if e.reported_by:
        extra.append(f"reported by {e.reported_by}")
    text = f"{what} ({'; '.join(extra)})."
    return f"{text} {e.notes}" if e.notes else text


def _spec_action(agreement: Agreement, action: str) -> Any:
    return next((a for a in agreement.actions if a.id == action), None)


def acled_row(agreement: Agreement, e: Event) -> dict[str, Any]:
    """One event as an ACLED row (columns ACLED_COLUMNS)."""
    declared = _spec_action(agreement, e.action)
    sub = (declared.acled if declared is not None else None) or ACLED_SUB_EVENT.get(
        e.action, "Other"
    )
    event_type = ACLED_EVENT_TYPE.get(sub, "Strategic developments")
    names = {p.id: p.name for p in agreement.parties}
    day = reported_date(e)
    tags = [f"detente:agreement={agreement.id}", f"detente:verification={e.verification}"]
    if e.clause:
        tags.append(f"detente:clause={e.clause}")
    if e.quantity is not None:
        tags.append(f"detente:quantity={e.quantity}")
    if e.category:
        tags.append(f"detente:category={e.category}")
    if e.outside_agreement:
        tags.append("detente:outside_agreement=true")
    row: dict[str, Any] = dict.fromkeys(ACLED_COLUMNS, "")
    row.update(
        {
            "event_id_cnty": e.id,
            "event_date": day.isoformat(),
            "year": day.year,
            "time_precision": TIME_PRECISION[e.date_precision],
            "disorder_type": ACLED_DISORDER[event_type],
            "event_type": event_type,
            "sub_event_type": sub,
            "actor1": names.get(e.actor, e.actor),
            "location": e.location or "",
            # ACLED names the reporting outlet first
            "source": "; ".join(x for x in (e.publisher, e.source, e.reported_by) if x),
            "notes": _summary(agreement, e),
            "fatalities": 0,
            "tags": "; ".join(tags),
        }
    )
    return row


def plover_record(agreement: Agreement, e: Event) -> dict[str, Any]:
    """One event as a PLOVER record (fields PLOVER_FIELDS)."""
    declared = _spec_action(agreement, e.action)
    event: str
    mode: str | None
    if declared is not None and declared.plover:
        event, _, m = declared.plover.partition(":")
        mode = m or None
    elif e.action == "exercise" and e.clause is not None:
        power = agreement.clause(e.clause).power if e.clause in _clause_ids(agreement) else None
        event, mode = PLOVER_POWER.get(power.action.value if power else "", ("REJECT", None))
    else:
        event, mode = PLOVER_EVENT.get(e.action, ("CONCEDE", None))
    recipient: list[str] = []
    if e.clause in _clause_ids(agreement):
        assert e.clause is not None
        clause = agreement.clause(e.clause)
        if clause.exchange is not None:
            x = clause.exchange
            recipient = [x.counterpart if e.actor == x.releasing else x.releasing]
        elif clause.obligation is not None and clause.obligation.debtor == e.actor:
            recipient = [clause.obligation.creditor]
    context = ["ceasefire"]
    if e.clause:
        context.append(f"detente:{agreement.id}:{e.clause}")
    if e.outside_agreement:
        context.append(f"detente:{agreement.id}:outside_agreement")
    precise = e.date_precision == "day"
    return {
        "id": e.id,
        "has_event": True,
        "date": e.earliest.isoformat(),
        "time": e.time if precise else None,
        "enddate": None if precise else e.latest.isoformat(),
        "endtime": None,
        "actor": [e.actor],
        "recipient": recipient,
        "event": [event],
        "event_loc": {"name": e.location} if e.location else None,
        "event_text": [e.notes] if e.notes else [],
        "quad_code": None,
        "event_scale": None,
        "mode": [mode] if mode else [],
        "context": context,
        "link": e.source,
        "text": _summary(agreement, e),
        "text_info": {"quantity": e.quantity, "category": e.category, "action": e.action},
        "cite_info": {
            "source": e.source,
            "reported_by": e.reported_by,
            "verification": e.verification,
        },
        "coder": "detente",
        "coded_date": None,
        "coded_time": None,
        "comment": f"verification: {e.verification}",
    }


def _clause_ids(agreement: Agreement) -> set[str]:
    return {c.id for c in agreement.clauses}


def write_acled(agreement: Agreement, events: Iterable[Event], out: TextIO) -> int:
    """Write ACLED-shaped CSV (header first); return the number of rows."""
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for e in events:
        writer.writerow(acled_row(agreement, e))
        n += 1
    return n


def write_plover(agreement: Agreement, events: Iterable[Event], out: TextIO) -> int:
    """Write PLOVER JSON Lines; return the number of records."""
    n = 0
    for e in events:
        out.write(json.dumps(plover_record(agreement, e), ensure_ascii=False) + "\n")
        n += 1
    return n


def records(agreement: Agreement, events: Iterable[Event], shape: str) -> Iterator[dict[str, Any]]:
    make = acled_row if shape == "acled" else plover_record
    for e in events:
        yield make(agreement, e)
