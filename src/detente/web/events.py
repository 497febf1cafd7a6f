"""The shape of one event as the API and the forms take it: the event-log columns.

This checks types only (a date is a date, a quantity a count). Whether the actor,
action, category and clause exist in the agreement is the monitor's event validation
(:mod:`detente.web.monitoring` calls it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from detente.monitor.events import COLUMNS as COLUMNS


def _blank_is_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _or(default: str) -> Any:
    """Blank or missing means the column's default."""
    return lambda value: default if value is None or _blank_is_none(value) is None else value


def _blank_is_false(value: Any) -> Any:
    """A blank or missing ``outside_agreement`` means false (a release under the agreement)."""
    return False if value is None or _blank_is_none(value) is None else value


Opt = Annotated[
    Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)] | None,
    BeforeValidator(_blank_is_none),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]


class EventIn(BaseModel):
    """One event: what happened, when, who did it, and who says so."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    date: dt.date
    time: Annotated[
        Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] | None,
        BeforeValidator(_blank_is_none),
    ] = Field(default=None, description="HH:MM, local time, when known.")
    actor: Name = Field(description="The party that acted (a party id of the agreement).")
    action: Name = Field(description="An action of the agreement's vocabulary, e.g. release.")
    quantity: Annotated[
        Annotated[int, Field(ge=0, le=1_000_000_000)] | None, BeforeValidator(_blank_is_none)
    ] = None
    category: Opt = None
    clause: Opt = None
    round: Annotated[
        Annotated[int, Field(ge=1, le=999_999)] | None, BeforeValidator(_blank_is_none)
    ] = Field(
        default=None,
        description="Which round of an exchange (or recurrence of a duty) it is for, from 1.",
    )
    outside_agreement: Annotated[bool, BeforeValidator(_blank_is_false)] = Field(
        default=False,
        description="A release that happened outside the agreement (another channel or deal): "
        "counted apart from the agreement's totals.",
    )
    location: Opt = None
    source: Annotated[str, StringConstraints(min_length=1, max_length=4000)] = Field(
        description="Where this comes from: a URL or a document reference."
    )
    publisher: Opt = Field(
        default=None,
        description="Who did the reporting (the outlet or the official body), e.g. "
        "'AP, via whio.com'.",
    )
    reported_by: Opt = None
    verification: Annotated[
        Literal["reported", "confirmed", "disputed"], BeforeValidator(_or("reported"))
    ] = "reported"
    date_precision: Annotated[
        Literal["day", "week", "month", "year"], BeforeValidator(_or("day"))
    ] = "day"
    notes: Annotated[
        Annotated[str, StringConstraints(max_length=20_000)] | None, BeforeValidator(_blank_is_none)
    ] = None
    id: Annotated[
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,79}$")] | None,
        BeforeValidator(_blank_is_none),
    ] = Field(default=None, description="A stable id; given by the server when left out.")

    def columns(self) -> dict[str, Any]:
        """The event as the ledger stores it: every column, dates as ISO text."""
        data = self.model_dump(mode="json")
        return {c: data.get(c) for c in COLUMNS}


def parse_event(data: Any) -> EventIn:
    return EventIn.model_validate(data)


def error_messages(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors as ``{field, message}`` in plain words."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "event"
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = f"{loc} is not an event-log column"
        elif err["type"] == "missing":
            message = f"{loc} is required"
        out.append({"field": loc, "message": message})
    return out


#: At most this many events in one import (a real agreement's log is hundreds to a few
#: thousand rows; a bigger file is split, so one request cannot hold the writer for long).
MAX_IMPORT_ROWS = 20_000
#: The deepest nesting a JSON Lines row may have (an event is one flat object).
MAX_JSON_DEPTH = 32


class TooManyRows(ValueError):
    """The import has more rows than :data:`MAX_IMPORT_ROWS`."""


def _depth(line: str) -> int:
    """The deepest bracket nesting of a JSON text, strings skipped: checked before parsing,
    so a row nested 100,000 deep costs one pass, not the parser's recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in line:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def read_rows(body: bytes, content_type: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) for each event in a CSV or JSON Lines body.

    Raises ``ValueError`` naming the line of the first row that cannot be read, and
    :class:`TooManyRows` past :data:`MAX_IMPORT_ROWS`.
    """
    text = body.decode("utf-8-sig")
    if "csv" in content_type:
        reader = csv.DictReader(io.StringIO(text))
        try:
            fields = reader.fieldnames
        except csv.Error as exc:
            raise ValueError(f"line 1: {exc}") from None
        unknown = [h for h in (fields or []) if h not in COLUMNS]
        if unknown:
            raise ValueError(f"line 1: unknown column(s): {', '.join(unknown)}")
        if fields is None or "date" not in fields:
            raise ValueError("line 1: the header row must name the event-log columns")
        out: list[tuple[int, dict[str, Any]]] = []
        try:
            for row in reader:
                if len(out) == MAX_IMPORT_ROWS:
                    raise TooManyRows(
                        f"an import is at most {MAX_IMPORT_ROWS:,} events; split the file"
                    )
                out.append((reader.line_num, dict(row)))
        except csv.Error as exc:
            raise ValueError(f"line {reader.line_num + 1}: {exc}") from None
        return out
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(rows) == MAX_IMPORT_ROWS:
            raise TooManyRows(f"an import is at most {MAX_IMPORT_ROWS:,} events; split the file")
        if _depth(line) > MAX_JSON_DEPTH:
            raise ValueError(
                f"line {number}: nested more than {MAX_JSON_DEPTH} deep; an event is one flat object"
            )
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"line {number}: not JSON: {exc}") from None
        if not isinstance(value, dict):
            raise ValueError(f"line {number}: each line is one JSON object")
        rows.append((number, value))
    return rows


class LogProblems(ValueError):
    """Rows of an imported log that are not events; each problem names its line."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        super().__init__("some rows have problems; nothing was recorded")


def parse_log(body: bytes, content_type: str) -> list[tuple[int, EventIn]]:
    """The events of a CSV or JSON Lines body, each with its line.

    Raises :class:`TooManyRows`, ``ValueError`` (or ``UnicodeDecodeError``) when the file
    cannot be read, and :class:`LogProblems` listing every row's problems at its line.
    """
    parsed: list[tuple[int, EventIn]] = []
    problems: list[dict[str, Any]] = []
    for line, raw in read_rows(body, content_type):
        try:
            parsed.append((line, parse_event(raw)))
        except ValidationError as exc:
            problems += [{"line": line, **p} for p in error_messages(exc)]
    if problems:
        raise LogProblems(problems)
    return parsed
