"""The event log: every problem located as PATH:LINE[:COL]: error: sentence, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.errors import SpecError, UnreadableError
from detente.language.loader import load
from detente.language.model import Agreement
from detente.monitor import COLUMNS, iter_events, read_events, validate_event
from detente.monitor.events import write_events

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HEADER = ",".join(COLUMNS)
LOCATED = re.compile(r"^.+:\d+(:\d+)?: error: .+$")


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    return load(FIXTURES / "monitor_spec.yaml")


def problems_of(path: Path, agreement: Agreement | None) -> list[str]:
    with pytest.raises(SpecError) as info:
        list(iter_events(path, agreement))
    lines = [str(p) for p in info.value.problems]
    assert all(LOCATED.match(line) for line in lines), lines
    return lines


def row(**cols: str) -> str:
    base = {"date": "2024-01-01", "actor": "a", "action": "announce", "source": "https://x.org"}
    base.update(cols)
    return ",".join(base.get(c, "") for c in COLUMNS)


def test_the_fixture_log_reads(agreement: Agreement) -> None:
    events = read_events(FIXTURES / "monitor_events.csv", agreement)
    assert len(events) == 11
    assert events[1].line == 3 and events[1].time == "01:30" and events[1].quantity == 20
    assert events[0].verification == "confirmed"


def test_every_problem_in_a_csv_log_is_located(tmp_path: Path, agreement: Agreement) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "\n".join(
            [
                HEADER,
                row(date="2024-13-01"),
                row(actor="zz"),
                row(action="fly"),
                row(action="release", quantity="-3", category="hostages"),
                row(action="release", quantity="99999999999", category="hostages"),
                row(action="release", quantity="2", category="prisoners"),
                row(source=""),
                row(verification="maybe", date_precision="year"),
                row(clause="99", time="25:00"),
                row(action="exercise"),
                "2024-01-01,,a",
                row(),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    found = problems_of(log, agreement)
    text = re.sub(r":(\d+):\d+: error", r":\1: error", "\n".join(found))
    assert f"{log}:2:1: error: '2024-13-01' is not" in "\n".join(found)
    assert f"{log}:2: error: '2024-13-01' is not a day of the calendar" in text
    assert f"{log}:3: error: actor 'zz' is not a party" in text
    assert f"{log}:4: error: action 'fly' is neither a built-in action" in text
    assert f"{log}:5: error: `quantity` cannot be negative (-3)" in text
    assert f"{log}:6: error: `quantity` 99999999999 is more than" in text
    assert f"{log}:7: error: a does not hold prisoners (its holder is b)" in text
    assert f"{log}:8: error: `source` is required" in text
    assert f"{log}:9: error: `verification` must be one of" in text
    assert f"{log}:9: error: `date_precision` must be one of" in text
    assert f"{log}:10: error: clause '99' is not a clause" in text
    assert f"{log}:10: error: `time` must be HH:MM" in text
    assert f"{log}:11: error: an `exercise` event names the power" in text
    assert f"{log}:12: error: this row has 3 fields; the header has {len(COLUMNS)}" in text
    assert not any(f"{log}:13:" in p for p in found)


def test_unknown_and_missing_columns_point_at_the_header(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("date,actor,colour,action\n2024-01-01,a,red,announce\n", encoding="utf-8")
    found = problems_of(log, None)
    assert f"{log}:1:12: error: unknown column 'colour'" in "\n".join(found)
    assert any("no `source` column" in p for p in found)
    assert len(found) == 2, "one complaint about the header, not one per row"


def test_bad_utf8_is_located(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_bytes((HEADER + "\n").encode() + row(notes="caf\xe9").encode("latin-1") + b"\n")
    found = problems_of(log, None)
    assert found == [f"{log}:2:116: error: not UTF-8 text (byte 116 of the line)"] or (
        len(found) == 1 and found[0].startswith(f"{log}:2:") and "not UTF-8" in found[0]
    )


def test_broken_csv_quoting_is_located(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        HEADER + '\n2024-01-01,,a,announce,,,,"x"y,https://x.org,,,,,\n', encoding="utf-8"
    )
    found = problems_of(log, None)
    assert found and found[0].startswith(f"{log}:2: error: not valid CSV")


def test_jsonl_problems_are_located_with_columns(tmp_path: Path, agreement: Agreement) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(
        '{"date": "2024-01-01", "actor": "a", "action": "announce", "source": "s"}\n'
        '{"date": "2024-01-01", "actor": "a",\n'
        "[1, 2]\n"
        '{"date": 20240101, "actor": "a", "action": "announce", "source": "s", "weather": "x"}\n'
        '{"date": "2024-01-01", "actor": "a", "action": "release", "quantity": 1.5, '
        '"category": "hostages", "source": "s"}\n'
        "\n",
        encoding="utf-8",
    )
    found = problems_of(log, agreement)
    text = "\n".join(found)
    assert re.search(rf"{re.escape(str(log))}:2:\d+: error: not valid JSON", text)
    assert f"{log}:3: error: each line must be one JSON object (an event), not a list" in text
    assert f"{log}:4: error: unknown column 'weather'" in text
    assert f"{log}:4: error: `date` must be text, not int" in text
    assert f"{log}:5: error: `quantity` must be a whole number, not a number" in text


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(UnreadableError):
        list(iter_events(tmp_path / "missing.csv"))
    with pytest.raises(UnreadableError):
        list(iter_events(tmp_path))


def test_empty_log_is_a_problem(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("", encoding="utf-8")
    assert problems_of(log, None) == [
        f"{log}:1: error: the log is empty: the first line must name the columns"
    ]


def test_reading_streams_and_reports_problems_at_the_end(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        HEADER + "\n" + row(id="first") + "\n" + row(date="bad") + "\n", encoding="utf-8"
    )
    stream = iter_events(log)
    assert next(stream).id == "first"
    with pytest.raises(SpecError):
        next(stream)


def test_ids_are_made_stable_from_the_row(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "\n" + row() + "\n" + row(notes="other") + "\n", encoding="utf-8")
    first = [e.id for e in iter_events(log)]
    again = [e.id for e in iter_events(log)]
    assert first == again and first[0] != first[1] and first[0].startswith("ev-")


def test_csv_and_jsonl_round_trip(tmp_path: Path, agreement: Agreement) -> None:
    events = read_events(FIXTURES / "monitor_events.csv", agreement)
    for name in ("out.csv", "out.jsonl"):
        write_events(events, tmp_path / name)
        back = read_events(tmp_path / name, agreement)
        assert [e.to_row() for e in back] == [e.to_row() for e in events]


def test_validate_event_gives_sentences(agreement: Agreement) -> None:
    assert (
        validate_event(
            agreement, {"date": "2024-01-01", "actor": "a", "action": "announce", "source": "s"}
        )
        == []
    )
    problems = validate_event(agreement, {"date": "2024-01-01", "actor": "q", "action": "announce"})
    assert any("not a party" in p for p in problems) and any(
        "`source` is required" in p for p in problems
    )


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        st.text(max_size=400),
        st.lists(
            st.lists(
                st.sampled_from(
                    ["2024-01-01", "a", "release", "-1", "x", '"', "", "hostages", "1e3", "\x00"]
                ),
                max_size=16,
            ).map(lambda cells: ",".join(cells)),
            max_size=6,
        ).map(lambda rows: HEADER + "\n" + "\n".join(rows)),
    ),
    raw=st.binary(max_size=200),
    jsonl=st.booleans(),
    use_raw=st.booleans(),
)
def test_arbitrary_input_never_gives_a_traceback(
    tmp_path: Path, agreement: Agreement, body: str, raw: bytes, jsonl: bool, use_raw: bool
) -> None:
    log = tmp_path / ("log.jsonl" if jsonl else "log.csv")
    if use_raw:
        log.write_bytes(raw)
    else:
        log.write_text(body, encoding="utf-8", errors="surrogatepass")
    try:
        list(iter_events(log, agreement))
    except SpecError as exc:
        assert all(
            LOCATED.match(str(p)) or str(p).startswith(f"{log}: error:") for p in exc.problems
        )


def test_events_from_rows_for_the_web_ledger(agreement: Agreement) -> None:
    from detente.monitor import events_from_rows

    rows = [{"date": "2024-01-01", "actor": "a", "action": "release", "quantity": 2,
             "category": "hostages", "source": "s", "id": "w1", "verification": "confirmed"}]  # fmt: skip
    [event] = list(events_from_rows(rows, agreement))
    assert (event.id, event.quantity, event.line) == ("w1", 2, 1)
    with pytest.raises(SpecError, match=r"<rows>:1: error: actor 'q'"):
        list(events_from_rows([{**rows[0], "actor": "q"}], agreement))


def test_a_release_outside_the_agreement_is_validated_apart(agreement: Agreement) -> None:
    base = {"date": "2024-01-01", "actor": "a", "action": "release", "quantity": 2,
            "source": "https://x.org"}  # fmt: skip
    # Its category need not be a stock of the spec, and no stock's holder is checked.
    assert validate_event(agreement, base | {"category": "thai_nationals",
                                             "outside_agreement": "true"}) == []  # fmt: skip
    assert validate_event(agreement, base | {"category": "thai_nationals",
                                             "outside_agreement": True}) == []  # fmt: skip
    assert any(
        "not a stock" in p for p in validate_event(agreement, base | {"category": "thai_nationals"})
    )
    for bad, word in (
        ({"outside_agreement": "maybe"}, "true or false"),
        ({"action": "announce", "quantity": None}, "only a `release`"),
        ({"clause": "1"}, "under no clause"),
        ({"round": "1"}, "for no round"),
        ({"category": "two words"}, "short name"),
    ):
        cols = base | {"category": "thai_nationals", "outside_agreement": "yes"} | bad
        problems = validate_event(agreement, cols)
        assert any(word in p for p in problems), (bad, problems)


def test_outside_agreement_round_trips_and_keeps_old_ids(tmp_path: Path) -> None:
    from detente.monitor.events import check_columns

    cols = {"date": "2024-01-01", "actor": "a", "action": "announce", "source": "https://x.org"}
    plain, _ = check_columns(cols, None)
    same, _ = check_columns(cols | {"outside_agreement": "false"}, None)
    assert plain is not None and same is not None and plain.id == same.id
    out, _ = check_columns(
        cols | {"action": "release", "quantity": "1", "category": "x", "outside_agreement": "TRUE"},
        None,
    )
    assert out is not None and out.outside_agreement
    for name in ("log.csv", "log.jsonl"):
        write_events([out], tmp_path / name)
        (back,) = read_events(tmp_path / name, None)
        assert (back.id, back.outside_agreement, back.category) == (out.id, True, "x")
