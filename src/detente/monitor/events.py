"""The event log: CSV or JSON Lines, one event a row, validated against the agreement.

Columns (``docs/monitoring.md``): ``date, time, actor, action, quantity, category,
clause, round, outside_agreement, location, source, publisher, reported_by, verification,
date_precision, notes, id``.
A log written before the ``publisher`` column stays readable: a row without one takes its
publisher from a note that opens ``Publisher: NAME.``; a row whose source is a web address
and that names no publisher either way gets a warning at its line.
Reading streams: :func:`iter_events` yields each valid event as it reads it and,
once the file is read, raises :class:`SpecError` with every problem found, each
as ``PATH:LINE[:COL]: error: sentence``. Nothing here keeps the whole log.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from detente.errors import Problem, SpecError, UnreadableError
from detente.language.model import Agreement, Clause, Stock

COLUMNS = (
    "date",
    "time",
    "actor",
    "action",
    "quantity",
    "category",
    "clause",
    "round",
    "outside_agreement",
    "location",
    "source",
    "publisher",
    "reported_by",
    "verification",
    "date_precision",
    "notes",
    "id",
)
_COLUMN_SET = frozenset(COLUMNS)
#: Columns added after logs were first written (see :func:`_row_hash`).
_LATER = frozenset({"round", "outside_agreement", "publisher"})
#: How ``outside_agreement`` may be written (a CSV cell, or a JSON boolean).
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
REQUIRED = ("date", "actor", "action", "source")
VERIFICATIONS = ("reported", "confirmed", "disputed")
PRECISIONS = ("day", "week", "month")
#: Largest quantity an event may carry (the model's own bound on counts).
MAX_QUANTITY = 1_000_000_000
MAX_TEXT = 20_000
#: Problems reported before the rest are counted in one closing line.
MAX_PROBLEMS = 1000

Verification = Literal["reported", "confirmed", "disputed"]
Precision = Literal["day", "week", "month"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened, on whose word, and how sure the date is."""

    id: str
    date: dt.date
    actor: str
    action: str
    source: str
    time: str | None = None
    quantity: int | None = None
    category: str | None = None
    clause: str | None = None
    #: Which round of an exchange (1 = the first), or which recurrence of a recurring
    #: duty, the event is for; None: matched by its date.
    round: int | None = None
    #: A release that happened, but not under the agreement (another channel, another
    #: deal): counted apart from the agreement's totals and matched to no duty.
    outside_agreement: bool = False
    location: str | None = None
    #: Who did the reporting (the outlet or the official body), beside the address the
    #: ``source`` was read at: "AP, via whio.com".
    publisher: str | None = None
    reported_by: str | None = None
    verification: Verification = "reported"
    date_precision: Precision = "day"
    notes: str | None = None
    line: int | None = None

    @property
    def earliest(self) -> dt.date:
        """The first day the event may have happened on, given its date's precision."""
        if self.date_precision == "week":
            return self.date - dt.timedelta(days=self.date.weekday())
        if self.date_precision == "month":
            return self.date.replace(day=1)
        return self.date

    @property
    def latest(self) -> dt.date:
        """The last day it may have happened on: what lateness is measured with."""
        if self.date_precision == "week":
            return self.date + dt.timedelta(days=6 - self.date.weekday())
        if self.date_precision == "month":
            last = calendar.monthrange(self.date.year, self.date.month)[1]
            return self.date.replace(day=last)
        return self.date

    @property
    def disputed(self) -> bool:
        return self.verification == "disputed"

    def to_row(self) -> dict[str, Any]:
        """The event as a row of the log (JSON-ready)."""
        return {
            "date": self.date.isoformat(),
            "time": self.time,
            "actor": self.actor,
            "action": self.action,
            "quantity": self.quantity,
            "category": self.category,
            "clause": self.clause,
            "round": self.round,
            "outside_agreement": self.outside_agreement,
            "location": self.location,
            "source": self.source,
            "publisher": self.publisher,
            "reported_by": self.reported_by,
            "verification": self.verification,
            "date_precision": self.date_precision,
            "notes": self.notes,
            "id": self.id,
        }


# --------------------------------------------------------------------------- one row


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    raise TypeError


def check_columns(
    columns: Mapping[str, Any], agreement: Agreement | None, line: int | None = None
) -> tuple[Event | None, list[tuple[str | None, str]]]:
    """One row as an event, or the problems with it: (column or None, sentence)."""
    problems: list[tuple[str | None, str]] = []

    def bad(column: str | None, sentence: str) -> None:
        problems.append((column, sentence))

    unknown = [k for k in columns if k not in _COLUMN_SET]
    for k in unknown:
        bad(k, f"unknown column {_show(k)}; the columns are {', '.join(COLUMNS)}")

    values: dict[str, str | None] = {}
    for name in COLUMNS:
        raw = columns.get(name)
        if type(raw) is str:  # the common case, first: a CSV cell
            stripped = raw.strip()
            if len(stripped) <= MAX_TEXT:
                values[name] = stripped or None
                continue
        if name == "outside_agreement" and isinstance(raw, bool):
            values[name] = "true" if raw else None
            continue
        if name in ("quantity", "round") and isinstance(raw, int) and not isinstance(raw, bool):
            values[name] = str(raw)
            continue
        if name in ("quantity", "round") and raw is not None and not isinstance(raw, str):
            bad(name, f"`{name}` must be a whole number, not {_kind(raw)}")
            values[name] = None
            continue
        try:
            values[name] = _text(raw)
        except TypeError:
            bad(name, f"`{name}` must be text, not {type(raw).__name__}")
            values[name] = None
            continue
        v = values[name]
        if v is not None and len(v) > MAX_TEXT:
            bad(name, f"`{name}` is longer than {MAX_TEXT} characters")
            values[name] = None

    for name in REQUIRED:
        if values[name] is None and not any(c == name for c, _ in problems):
            why = " (a URL or a document reference)" if name == "source" else ""
            bad(name, f"`{name}` is required{why}")

    date: dt.date | None = None
    if (raw_date := values["date"]) is not None:
        if not _DATE.match(raw_date):
            bad("date", f"`date` must be an ISO 8601 date YYYY-MM-DD, not {_show(raw_date)}")
        else:
            try:
                date = dt.date.fromisoformat(raw_date)
            except ValueError:
                bad("date", f"{_show(raw_date)} is not a day of the calendar")

    if (raw_time := values["time"]) is not None:
        ok = bool(_TIME.match(raw_time))
        if ok:
            h, m = int(raw_time[:2]), int(raw_time[3:])
            ok = h < 24 and m < 60
        if not ok:
            bad("time", f"`time` must be HH:MM on a 24-hour clock, not {_show(raw_time)}")

    quantity: int | None = None
    if (raw_q := values["quantity"]) is not None:
        if not re.fullmatch(r"-?\d{1,30}", raw_q):
            bad("quantity", f"`quantity` must be a whole number, not {_show(raw_q)}")
        else:
            q = int(raw_q)
            if q < 0:
                bad("quantity", f"`quantity` cannot be negative ({q})")
            elif q > MAX_QUANTITY:
                bad("quantity", f"`quantity` {q} is more than {MAX_QUANTITY:,}; check the figure")
            else:
                quantity = q

    round_: int | None = None
    if (raw_round := values["round"]) is not None:
        if not re.fullmatch(r"\d{1,6}", raw_round) or int(raw_round) < 1:
            bad("round", f"`round` must be a whole number from 1, not {_show(raw_round)}")
        else:
            round_ = int(raw_round)

    outside = False
    if (raw_outside := values["outside_agreement"]) is not None:
        if raw_outside.lower() in _TRUE:
            outside = True
            values["outside_agreement"] = "true"
        elif raw_outside.lower() in _FALSE:
            values["outside_agreement"] = None  # the same row, and id, as an empty cell
        else:
            bad(
                "outside_agreement",
                f"`outside_agreement` must be true or false (or empty), not {_show(raw_outside)}",
            )
    if outside:
        if values["action"] is not None and values["action"] != "release":
            bad(
                "outside_agreement",
                "only a `release` can be outside the agreement (the other acts are judged "
                "by the agreement's prohibitions)",
            )
        if values["clause"] is not None:
            bad(
                "clause", "a release outside the agreement is under no clause; leave `clause` empty"
            )
        if round_ is not None:
            bad("round", "a release outside the agreement is for no round; leave `round` empty")
        if values["category"] is not None and not _ID.match(values["category"]):
            bad(
                "category",
                "the category of a release outside the agreement is a short name "
                f"(letters, digits, '.', '_', ':' or '-'), not {_show(values['category'])}",
            )

    verification = values["verification"] or "reported"
    if verification not in VERIFICATIONS:
        bad(
            "verification",
            f"`verification` must be one of {', '.join(VERIFICATIONS)}, not {_show(verification)}",
        )
    precision = values["date_precision"] or "day"
    if precision not in PRECISIONS:
        bad(
            "date_precision",
            f"`date_precision` must be one of {', '.join(PRECISIONS)}, not {_show(precision)}",
        )
    event_id = values["id"]
    if event_id is not None and not _ID.match(event_id):
        bad(
            "id",
            f"`id` must be letters, digits, '.', '_', ':' or '-' (at most 128), not {_show(event_id)}",
        )

    actor, action = values["actor"], values["action"]
    category, clause = values["category"], values["clause"]
    if agreement is not None:
        vocab = vocabulary(agreement)
        parties, stocks, clauses = vocab.parties, vocab.stocks, vocab.clauses
        if actor is not None and actor not in parties:
            bad(
                "actor",
                f"actor {_show(actor)} is not a party of the agreement ({', '.join(sorted(parties))})",
            )
        if action is not None and action not in vocab.actions:
            bad(
                "action",
                f"action {_show(action)} is neither a built-in action nor one the spec declares "
                f"({', '.join(sorted(vocab.actions))})",
            )
        # A release outside the agreement may be of people the agreement has no stock for
        # (the Thai hostages of November 2023): its category is any short name.
        if category is not None and category not in stocks and not outside:
            bad(
                "category",
                f"category {_show(category)} is not a stock of the agreement ({', '.join(sorted(stocks)) or 'none'})",
            )
        if clause is not None and clause not in clauses:
            bad("clause", f"clause {_show(clause)} is not a clause of the agreement")
        if action == "breach":
            if clause is None:
                bad(
                    "clause",
                    "a `breach` event names the clause that was not carried out in `clause`",
                )
            elif clause in clauses and not (
                clauses[clause].obligation is not None
                or clauses[clause].exchange is not None
                or clauses[clause].negotiation is not None
            ):
                bad(
                    "clause",
                    f"clause {clause} is no duty (obligation, exchange or negotiation), "
                    "so it cannot be breached",
                )
        if action == "verify" and actor in parties and actor not in vocab.monitors:
            bad(
                "actor",
                f"a `verify` event is a monitoring mechanism's (role: monitor); {actor} is not "
                f"one ({', '.join(sorted(vocab.monitors)) or 'the spec declares none'})",
            )
        if (
            action == "tally"
            and values["quantity"] is None
            and all(c != "quantity" for c, _ in problems)
        ):
            bad("quantity", "a `tally` gives the count its source reports in `quantity`")
        if action == "amend":
            if clause is None:
                bad("clause", "an `amend` event names the amendment it records in `clause`")
            elif clause in clauses and clauses[clause].amendment is None:
                bad("clause", f"clause {clause} is not an amendment, so it cannot be made")
        if action == "effort":
            if clause is None:
                bad(
                    "clause",
                    "an `effort` event names the duty of means it works towards in `clause`",
                )
            elif clause in clauses and (
                (o := clauses[clause].obligation) is None or o.effort != "best"
            ):
                bad(
                    "clause",
                    f"clause {clause} is no duty of means (an obligation with `effort: best`), "
                    "so efforts do not count for it",
                )
        if action == "exercise":
            if clause is None:
                bad("clause", "an `exercise` event names the power it exercises in `clause`")
            elif clause in clauses and clauses[clause].power is None:
                bad("clause", f"clause {clause} is not a power, so it cannot be exercised")
        if (
            action == "release"
            and not outside
            and category in stocks
            and actor in parties
            and stocks[category].holder != actor
        ):
            bad(
                "category",
                f"{actor} does not hold {category} (its holder is {stocks[category].holder})",
            )
    if action == "release":
        if category is None and all(c != "category" for c, _ in problems):
            bad("category", "a release names the stock released in `category`")
        if values["quantity"] is None and all(c != "quantity" for c, _ in problems):
            bad("quantity", "a release gives how many were released in `quantity`")

    if problems or date is None or actor is None or action is None or values["source"] is None:
        return None, problems
    if event_id is None:
        event_id = "ev-" + _row_hash(values)
    return (
        Event(
            id=event_id,
            date=date,
            actor=actor,
            action=action,
            source=values["source"],
            time=values["time"],
            quantity=quantity,
            category=category,
            clause=clause,
            round=round_,
            outside_agreement=outside,
            location=values["location"],
            publisher=values["publisher"] or publisher_in_notes(values["notes"]),
            reported_by=values["reported_by"],
            verification=verification,  # type: ignore[arg-type]
            date_precision=precision,  # type: ignore[arg-type]
            notes=values["notes"],
            line=line,
        ),
        [],
    )


@dataclass(frozen=True)
class _Vocabulary:
    parties: frozenset[str]
    actions: frozenset[str]
    stocks: dict[str, Stock]
    clauses: dict[str, Clause]
    #: Parties with ``role: monitor`` (who may log a ``verify`` event).
    monitors: frozenset[str] = frozenset()


_VOCABULARIES: dict[int, tuple[Agreement, _Vocabulary]] = {}


def vocabulary(agreement: Agreement) -> _Vocabulary:
    """The agreement's ids an event may use, computed once per agreement, not once per row."""
    hit = _VOCABULARIES.get(id(agreement))
    if hit is not None and hit[0] is agreement:
        return hit[1]
    vocab = _Vocabulary(
        frozenset(p.id for p in agreement.parties),
        frozenset(agreement.action_ids),
        {s.id: s for s in agreement.stocks},
        {c.id: c for c in agreement.clauses},
        frozenset(p.id for p in agreement.parties if p.role.value == "monitor"),
    )
    if len(_VOCABULARIES) > 64:
        _VOCABULARIES.clear()
    _VOCABULARIES[id(agreement)] = (agreement, vocab)
    return vocab


def _row_hash(values: Mapping[str, str | None]) -> str:
    """A stable id for a row without one: the same row always gets the same id."""
    # Columns added after the first release count only when set, so old rows keep their ids.
    canon = json.dumps(
        [values.get(c) for c in COLUMNS if c != "id" and (c not in _LATER or values.get(c))],
        ensure_ascii=False,
    )
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


_NOTED_PUBLISHER = re.compile(r"^\s*Publisher:\s*(.+?)\.(?:\s|$)", re.DOTALL)


def publisher_in_notes(notes: str | None) -> str | None:
    """The publisher a note names at its start, as logs did before the ``publisher``
    column: ``Publisher: AP, via whio.com. ...`` gives ``AP, via whio.com``."""
    if not notes:
        return None
    m = _NOTED_PUBLISHER.match(notes)
    return m.group(1).strip() if m else None


def is_web(source: str | None) -> bool:
    """Whether a source is an address on the web (rather than a document reference)."""
    return source is not None and source.strip().lower().startswith(("http://", "https://"))


def publisher_warning(event: Event) -> str | None:
    """The warning for an event read on the web that names no publisher (None: fine)."""
    if event.publisher is None and is_web(event.source):
        return (
            "this event's source names no publisher: say who did the reporting (the outlet "
            "or the official body) in the `publisher` column, e.g. `AP, via whio.com`"
        )
    return None


def _show(value: str) -> str:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return repr(shown)


def validate_event(agreement: Agreement, columns: Mapping[str, Any]) -> list[str]:
    """What is wrong with one event against the agreement, as plain sentences (empty: fine)."""
    _, problems = check_columns(columns, agreement)
    return [sentence for _, sentence in problems]


def events_from_rows(
    rows: Iterable[Mapping[str, Any]],
    agreement: Agreement | None = None,
    *,
    path: str = "<rows>",
    warnings: list[Problem] | None = None,
) -> Iterator[Event]:
    """Events from rows already held as mappings (the web ledger's), numbered from 1."""
    collector = _Collector(path, warnings)
    for n, row in enumerate(rows, 1):
        event = collector.row(row, agreement, n, {})
        if event is not None:
            yield event
    collector.finish()


# --------------------------------------------------------------------------- files


class _Collector:
    def __init__(self, path: str, warnings: list[Problem] | None = None) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.more = 0
        self.warnings = warnings

    def add(self, line: int | None, message: str, column: int | None = None) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.path, line, column, message))
        else:
            self.more += 1

    def row(
        self,
        columns: Mapping[str, Any],
        agreement: Agreement | None,
        line: int,
        where: Mapping[str, int],
    ) -> Event | None:
        event, problems = check_columns(columns, agreement, line)
        for column, sentence in problems:
            self.add(line, sentence, where.get(column) if column else None)
        if event is not None and self.warnings is not None:
            warning = publisher_warning(event)
            if warning is not None:
                self.warnings.append(
                    Problem(self.path, line, where.get("source"), warning, "warning")
                )
        return event

    def finish(self) -> None:
        if self.more:
            self.problems.append(
                Problem(self.path, None, None, f"{self.more} more problems not shown")
            )
        if self.problems:
            raise SpecError(self.problems)


def log_format(path: str | os.PathLike[str]) -> Literal["csv", "jsonl"]:
    """``jsonl`` for .jsonl/.ndjson/.json files, ``csv`` otherwise."""
    suffix = Path(path).suffix.lower()
    return "jsonl" if suffix in (".jsonl", ".ndjson", ".json") else "csv"


def iter_events(
    path: str | os.PathLike[str],
    agreement: Agreement | None = None,
    *,
    warnings: list[Problem] | None = None,
) -> Iterator[Event]:
    """Stream the valid events of a CSV or JSON Lines log; raise SpecError at the end if
    any row had problems (every problem, located), UnreadableError if the file cannot be read.
    ``warnings``, if given, receives what is worth a look but not wrong (a web source with
    no publisher), located at its row."""
    shown = str(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except FileNotFoundError:
        raise UnreadableError(shown, "no such file") from None
    except IsADirectoryError:
        raise UnreadableError(shown, "it is a directory") from None
    except OSError as exc:
        raise UnreadableError(shown, exc.strerror or str(exc)) from None
    collector = _Collector(shown, warnings)
    try:
        lines = _decoded_lines(handle, collector)
        if log_format(path) == "jsonl":
            yield from _jsonl(lines, agreement, collector)
        else:
            yield from _csv(lines, agreement, collector)
    except OSError as exc:
        raise UnreadableError(shown, exc.strerror or str(exc)) from None
    finally:
        handle.close()
    collector.finish()


def read_events(path: str | os.PathLike[str], agreement: Agreement | None = None) -> list[Event]:
    """Every event of a log, in a list (for small logs and notebooks; replay streams)."""
    return list(iter_events(path, agreement))


def _decoded_lines(handle: Any, collector: _Collector) -> Iterator[str]:
    """The file's lines as text; bad UTF-8 and NUL characters reported and replaced."""
    for n, raw in enumerate(handle, 1):
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            collector.add(n, f"not UTF-8 text (byte {exc.start + 1} of the line)", exc.start + 1)
            line = raw.decode("utf-8", errors="replace")
        if "\x00" in line:
            collector.add(n, "the line holds a NUL character", line.index("\x00") + 1)
            line = line.replace("\x00", "")
        yield line


def _csv(
    lines: Iterator[str], agreement: Agreement | None, collector: _Collector
) -> Iterator[Event]:
    # Physical line numbers: csv.reader counts the lines it has consumed.
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    where: dict[str, int] = {}
    consumed = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            collector.add(reader.line_num or start, f"not valid CSV: {exc}")
            if reader.line_num == consumed:
                break
            consumed = reader.line_num
            continue
        consumed = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if header is None:
            header = [c.strip() for c in row]
            where = {}
            for i, name in enumerate(header):
                col = _column_of(row, i)
                if name not in COLUMNS:
                    collector.add(
                        start,
                        f"unknown column {_show(name)}; the columns are {', '.join(COLUMNS)}",
                        col,
                    )
                elif name in where:
                    collector.add(start, f"column `{name}` appears twice", col)
                else:
                    where[name] = col
            for name in REQUIRED:
                if name not in where:
                    collector.add(start, f"the header has no `{name}` column, which is required")
            if any(name not in COLUMNS for name in header) or any(n not in where for n in REQUIRED):
                # Without a usable header every row would repeat the same complaint.
                for _ in reader:
                    pass
                return
            continue
        if len(row) != len(header):
            collector.add(start, f"this row has {len(row)} fields; the header has {len(header)}")
            continue
        columns = {name: value for name, value in zip(header, row, strict=True)}
        event = collector.row(columns, agreement, start, _RowColumns(header, row))
        if event is not None:
            yield event
    if header is None:
        collector.add(1, "the log is empty: the first line must name the columns")


class _RowColumns(Mapping[str, int]):
    """Where each field of a row starts, worked out only for a row with a problem."""

    def __init__(self, header: list[str], row: list[str]) -> None:
        self.header, self.fields = header, row

    def __getitem__(self, name: str) -> int:
        if name not in self.header:
            raise KeyError(name)
        return _column_of(self.fields, self.header.index(name))

    def __iter__(self) -> Iterator[str]:
        return iter(self.header)

    def __len__(self) -> int:
        return len(self.header)


def _column_of(row: list[str], index: int) -> int:
    """The 1-based character column where field ``index`` starts (exact for unquoted fields)."""
    return 1 + sum(len(f) + 1 for f in row[:index])


def _jsonl(
    lines: Iterator[str], agreement: Agreement | None, collector: _Collector
) -> Iterator[Event]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            collector.add(n, f"not valid JSON: {exc.msg}", exc.colno)
            continue
        except RecursionError:
            collector.add(n, "not valid JSON: nested too deeply")
            continue
        if not isinstance(value, dict):
            collector.add(n, "each line must be one JSON object (an event), not " + _kind(value))
            continue
        event = collector.row(value, agreement, n, {})
        if event is not None:
            yield event


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "a string"


def write_events(events: Iterable[Event], path: str | os.PathLike[str]) -> None:
    """Write events as a log in the format the path's suffix names."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        if log_format(path) == "jsonl":
            for e in events:
                f.write(json.dumps(e.to_row(), ensure_ascii=False) + "\n")
        else:
            writer = csv.writer(f)
            writer.writerow(COLUMNS)
            for e in events:
                row = e.to_row()
                writer.writerow([_cell(row[c]) for c in COLUMNS])


def _cell(value: Any) -> Any:
    """A value as a CSV cell: nothing for None and False, ``true`` for True."""
    if value is None or value is False:
        return ""
    return "true" if value is True else value
