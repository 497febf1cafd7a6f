"""Replay a sourced event log as one run of the semantic core's transition system.

The monitor re-derives no rule. It builds the agreement's :class:`~detente.semantics.System`
in replay mode (every day a time point), and walks it day by day from entry into force:
at each day it lets time pass (:meth:`~detente.semantics.System.arrive`), takes the
choices the system offers (:meth:`~detente.semantics.System.choices`) and picks, for
each, the option the log records (:mod:`detente.monitor.choose`). Statuses, phases, the
agreement's status, whether a power was lawfully exercised and whether an act was
forbidden are all read off the resulting path (:mod:`detente.monitor.reading`).

What the log does not say is *not recorded*, never *violated*: a duty is violated only
when a logged ``breach`` says so, or when the reader asks for the reading in which
absence is violation (``absence_is_violation=True``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from detente.errors import Problem, SpecError
from detente.language.model import Agreement
from detente.monitor.choose import Chooser
from detente.monitor.events import Event
from detente.monitor.log import Log
from detente.monitor.notices import Notices
from detente.monitor.path import Path
from detente.monitor.reading import differences, event_row, read_report
from detente.monitor.report import MonitorReport
from detente.monitor.watch import Watch
from detente.semantics import Replay, System


def monitor(
    agreement: Agreement,
    events: Iterable[Event],
    *,
    entry_into_force: dt.date | None = None,
    as_of: dt.date | None = None,
    absence_is_violation: bool = False,
) -> MonitorReport:
    """The agreement's implementation as of ``as_of`` (default: the log's last date).

    ``events`` is read once (give :func:`detente.monitor.iter_events` to stream a file).
    Disputed events count in the report and not in ``report.without_disputed``. With
    ``absence_is_violation``, a duty whose deadline passed with nothing logged is
    violated rather than not recorded.
    """
    eif = entry_into_force
    if eif is None and agreement.dates.entry_into_force is not None:
        eif = agreement.dates.entry_into_force.date
    if eif is None:
        raise SpecError(
            [
                Problem(
                    agreement.id,
                    None,
                    None,
                    "the agreement gives no dates.entry_into_force; give the date of entry "
                    "into force (--entry-into-force) to replay its log",
                )
            ]
        )
    with_all, undisputed = Log(agreement, eif), Log(agreement, eif)
    disputed: list[Event] = []
    last: dt.date | None = None
    count = 0
    notices = Notices(agreement, eif)
    watch = Watch(agreement, eif)
    for e in events:
        if as_of is not None and e.earliest > as_of:
            continue
        when = e.latest if as_of is None else min(e.latest, as_of)
        last = when if last is None or when > last else last
        count += 1
        notices.see(e)
        watch.see(e)
        with_all.add(e, when)
        if e.disputed:
            disputed.append(e)
        else:
            undisputed.add(e, when)
    report_date = as_of or (max(last, eif) if last is not None else eif)
    main = _replay(agreement, with_all, eif, report_date, count, absence_is_violation)
    main.without_disputed = _replay(
        agreement, undisputed, eif, report_date, count - len(disputed), absence_is_violation
    )
    main.disputed_events = [event_row(e, eif) for e in disputed]
    main.disputed = differences(main, main.without_disputed, disputed)
    main.warnings = notices.warnings
    main.verified, main.tallies = watch.verified, watch.tallies
    return main


def replay_path(
    agreement: Agreement, log: Log, today: int, *, absence_is_violation: bool = False
) -> Path:
    """The run of the agreement's transition system that the log records, up to ``today``
    (an agreement day: day 1 is entry into force)."""
    system = System(
        agreement,
        replay=Replay(max(today, 1), absence_is_violation=absence_is_violation),
    )
    path = Path(system, log)
    chooser = Chooser(system, log, path)
    state = system.initial
    for day in range(1, today + 1):
        arrived, passed = system.arrive(state)
        path.arrive(day, arrived, passed)
        picks = chooser.picks(day, arrived, system.choices(arrived))
        made, state = system.apply(arrived, picks)
        path.step(day, arrived, made, state)
    return path


def _replay(
    agreement: Agreement,
    log: Log,
    eif: dt.date,
    as_of: dt.date,
    events_read: int,
    absence_is_violation: bool,
) -> MonitorReport:
    today = (as_of - eif).days + 1
    path = replay_path(agreement, log, today, absence_is_violation=absence_is_violation)
    return read_report(path, eif, as_of, today, events_read, absence_is_violation)
