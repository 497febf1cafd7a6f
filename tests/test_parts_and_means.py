"""Duties done in parts, and duties of means (``effort: best``): the checker's verdicts,
the monitor's fraction and outstanding units in every report, validation."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pytest
from rich.console import Console

import detente
from detente.errors import SpecError
from detente.language.loader import load
from detente.language.model import Agreement
from detente.monitor import MonitorReport, iter_events, monitor
from detente.reports.monitor_docx import render_monitor_docx
from detente.reports.monitor_html import render_monitor_html
from detente.reports.monitor_terminal import print_report

ROOT = Path(__file__).resolve().parent
SPEC = ROOT / "fixtures" / "constructs" / "best_effort.yaml"
LOG = ROOT / "fixtures" / "parts" / "events.csv"
EIF = dt.date(2025, 1, 1)


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    return load(SPEC)


def verdicts(a: Agreement) -> dict[str, str]:
    return {e.name: e.verdict for e in detente.check(a).expectations}


# ------------------------------------------------------------------ the checker


def test_a_duty_of_means_may_stay_unachieved_by_a_party_that_complies(
    agreement: Agreement,
) -> None:
    v = verdicts(agreement)
    assert v["handed_over_if_a_complies"] == "violated"
    assert v["aid_in_if_b_complies"] == "holds"
    assert v["never_violated_while_a_complies"] == "holds"


def test_the_same_duty_of_result_is_done_in_full_by_a_party_that_complies(
    agreement: Agreement,
) -> None:
    c = agreement.clause("2")
    assert c.obligation is not None
    result = c.model_copy(
        update={"obligation": c.obligation.model_copy(update={"effort": "result"})}
    )
    a = agreement.model_copy(
        update={"clauses": [result if x.id == "2" else x for x in agreement.clauses]}
    )
    assert verdicts(a)["handed_over_if_a_complies"] == "holds"


def test_the_story_says_efforts_are_no_violation(agreement: Agreement) -> None:
    e = next(
        e for e in detente.check(agreement).expectations if e.name == "handed_over_if_a_complies"
    )
    told = " ".join(s.text for s in e.story)
    assert "makes the efforts it owes (a duty of means): no violation" in told


# ------------------------------------------------------------------ the monitor


def report(a: Agreement, day: str, *, absence: bool = False, log: Path = LOG) -> MonitorReport:
    return monitor(
        a,
        iter_events(log, a),
        entry_into_force=EIF,
        as_of=dt.date.fromisoformat(day),
        absence_is_violation=absence,
    )


def test_a_duty_in_parts_reports_the_fraction_and_what_is_outstanding(
    agreement: Agreement,
) -> None:
    r = report(agreement, "2025-01-02")
    o = r.obligation("2")
    assert (o.status, o.delivered, o.outstanding, o.fraction) == ("due", 2, 2, 0.5)
    assert o.describe() == "due in 3 days (2 of 4 bodies delivered, 2 outstanding)"
    row = next(x for x in r.to_json()["obligations"] if x["id"] == "2")
    assert (row["outstanding"], row["fraction"], row["unit"]) == (2, 0.5, "bodies")


def test_a_duty_of_result_done_in_part_by_its_deadline_is_violated_when_absence_is(
    agreement: Agreement,
) -> None:
    o = report(agreement, "2025-01-05", absence=True).obligation("3")
    assert (o.status, o.delivered, o.outstanding, o.fraction) == ("violated", 60, 40, 0.6)
    assert o.describe() == "violated (60 of 100 trucks delivered, 40 outstanding)"
    lax = report(agreement, "2025-01-05").obligation("3")
    assert (
        lax.describe()
        == "not recorded (60 of 100 trucks delivered, 40 outstanding by its deadline)"
    )


def test_a_duty_of_means_with_efforts_logged_is_under_way_not_violated(
    agreement: Agreement,
) -> None:
    for absence in (False, True):
        o = report(agreement, "2025-01-06", absence=absence).obligation("2")
        assert (o.status, o.delivered, o.outstanding, o.fraction) == ("under_way", 3, 1, 0.75)
        assert o.describe() == "under way: efforts logged (3 of 4 bodies delivered, 1 outstanding)"


def test_a_duty_of_means_is_never_violated_by_absence(agreement: Agreement, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text(
        LOG.read_text().splitlines()[0] + "\n" + LOG.read_text().splitlines()[2] + "\n"
    )
    strict = report(agreement, "2025-01-06", absence=True, log=empty)
    assert strict.obligation("2").status == "not_recorded"
    assert strict.obligation("3").status == "violated"  # a duty of result: absence violates


def test_every_report_shows_the_part_done_and_the_legend_of_new_statuses(
    agreement: Agreement,
) -> None:
    r = report(agreement, "2025-01-06", absence=True)
    console = Console(width=220, force_terminal=False, highlight=False)
    with console.capture() as captured:
        print_report(r, agreement, console)
    text = captured.get()
    assert "3 of 4 bodies delivered, 1 outstanding" in text
    assert "under way" in text and "efforts" in text
    html = render_monitor_html(r, agreement)
    assert "3 of 4 bodies delivered, 1 outstanding" in html
    assert "60 of 100 trucks delivered, 40 outstanding" in html
    document = docx.Document(io.BytesIO(render_monitor_docx(r, agreement)))
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "3 of 4, 1 outstanding" in cells
    assert any("under way" in c for c in cells)
    assert r.to_json()["legend"]["under_way"].startswith("a duty of means")


# ------------------------------------------------------------------ validation


def test_an_effort_event_must_name_a_duty_of_means(agreement: Agreement, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    lines = LOG.read_text().splitlines()
    bad.write_text(lines[0] + "\n" + lines[3].replace(",2,,,", ",3,,,") + "\n")
    with pytest.raises(SpecError) as err:
        list(iter_events(bad, agreement))
    assert "clause 3 is no duty of means" in str(err.value)


def test_a_unit_needs_a_quantity(tmp_path: Path) -> None:
    text = SPEC.read_text().replace("quantity: 100, unit: trucks", "unit: trucks")
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    with pytest.raises(SpecError) as err:
        load(spec)
    assert "clause 3: `unit` says what `quantity` counts, but the duty has no quantity" in str(
        err.value
    )


# ------------------------------------------------------------------ duties with no deadline

OPEN_SPEC = ROOT / "fixtures" / "constructs" / "open_duty.yaml"
HEADER = LOG.read_text().splitlines()[0]


def test_a_duty_with_no_deadline_is_never_violated_by_time_in_the_checker() -> None:
    v = verdicts(load(OPEN_SPEC))
    assert v["shared_if_a_complies"] == "violated"  # never has to be done by any day
    assert v["never_violated_by_time"] == "holds"
    assert v["dated_duty_never_violated"] == "violated"  # the dated duty beside it can be
    assert v["in_effect_while_phase_one_lasts"] == "holds"
    assert v["over_with_phase_one"] == "holds"


def test_a_duty_with_no_deadline_is_monitored_as_open_until_done(tmp_path: Path) -> None:
    a = load(OPEN_SPEC)
    log = tmp_path / "log.csv"
    log.write_text(
        HEADER + "\n2025-01-05,,a,announce,,,2,,,https://example.org/5,m,reported,day,"
        "A list of the missing.,e5\n"
    )
    before = report(a, "2025-01-04", absence=True, log=log)
    o = before.obligation("2")
    assert (o.status, o.due, o.describe()) == ("open", None, "open, no deadline")
    assert before.obligation("3").status == "violated"  # dated, nothing logged, strict reading
    assert before.to_json()["legend"]["open"].endswith("never violated by time")
    after = report(a, "2025-01-05", absence=True, log=log)
    assert after.obligation("2").status == "fulfilled"
    silent = tmp_path / "silent.csv"
    silent.write_text(HEADER + "\n")
    assert report(a, "2025-01-08", absence=True, log=silent).obligation("2").status == "open"
    # its phase over and never done: it lapsed with its phase
    assert report(a, "2025-01-10", absence=True, log=silent).obligation("2").status == "discharged"


def test_a_recurring_duty_needs_a_window(tmp_path: Path) -> None:
    text = OPEN_SPEC.read_text().replace(
        "object: information on the missing}",
        "object: information on the missing, recurrence: {every_days: 1}}",
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    with pytest.raises(SpecError) as err:
        load(spec)
    assert "clause 2: a recurring duty needs a `window`" in str(err.value)
