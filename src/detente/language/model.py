"""The typed model of an agreement: the one thing every other part of Détente reads.

The names are the users' words (see ``docs/language.md``). A spec file holds an
``agreement:`` mapping that validates into :class:`Agreement`; a draft holds
``extends:`` and the changes it makes to its base (see :class:`Draft`).

Days inside a phase are counted from 1: ``{phase: phase1, day: 16}`` is the
sixteenth day of phase one, the day phase one starts being day 1.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue, SkipJsonSchema
from pydantic_core import CoreSchema

# --------------------------------------------------------------------------- JSON Schema
# Several constructs have a short form that a before-validator expands (``starts:
# entry_into_force``); the published schema must accept it too, so editors do not flag it.


def _with_short_form(
    core_schema: CoreSchema, handler: GetJsonSchemaHandler, short: dict[str, Any]
) -> JsonSchemaValue:
    """The model's own schema, or ``short``: written in place of its definition."""
    reference = handler(core_schema)
    full = handler.resolve_ref_schema(reference)
    long_form = dict(full)
    title = long_form.pop("title", None)
    description = long_form.pop("description", None)
    full.clear()
    if title is not None:
        full["title"] = title
    if description is not None:
        full["description"] = description
    full["anyOf"] = [short, long_form]
    return reference


# --------------------------------------------------------------------------- names


def _clause_number(value: Any) -> Any:
    """Accept ``8`` for ``"8"``; refuse ``1.10`` written as a number (it would read 1.1)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError(f'write clause numbers in quotes, e.g. "{value}", so "1.10" stays 1.10')
    return value


CLAUSE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"
#: A clause id in the schema: text, or a whole number (``id: 8`` reads as "8").
_CLAUSE_ID_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": CLAUSE_ID_PATTERN, "maxLength": 32},
        {"type": "integer", "minimum": 0},
    ],
    "description": 'A clause number as the text has it, e.g. "1.3" or "14".',
}

Ident = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    Field(description="A lower-case identifier: letters, digits and underscores."),
]
ClauseId = Annotated[
    str,
    BeforeValidator(_clause_number),
    StringConstraints(pattern=CLAUSE_ID_PATTERN, max_length=32),
    Field(description='A clause number as the text has it, e.g. "1.3" or "14".'),
    WithJsonSchema(_CLAUSE_ID_SCHEMA),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Count = Annotated[int, Field(ge=0, le=1_000_000_000)]
Days = Annotated[int, Field(ge=1, le=100_000)]
Condition = Annotated[
    str,
    StringConstraints(min_length=1, max_length=4000),
    Field(description="A condition in the expression language (docs/language.md)."),
]
#: A day as the text numbers it: from 1, or from 0 under `counting: day_zero`.
DayNumber = Annotated[int, Field(ge=0, le=100_000)]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


_SOURCE_REF_SCHEMA: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 2000}
SourceRefs = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=2000)]],
    BeforeValidator(_one_or_many),
    Field(
        min_length=1,
        description=(
            "Where a fact comes from: the id of an entry in `sources`, a URL, or a document "
            "reference (e.g. 'S/RES/2735 (2024), para 3')."
        ),
    ),
    WithJsonSchema(
        {
            "anyOf": [
                _SOURCE_REF_SCHEMA,
                {"type": "array", "items": _SOURCE_REF_SCHEMA, "minItems": 1},
            ],
            "description": (
                "Where a fact comes from: the id of an entry in `sources`, a URL, or a "
                "document reference (e.g. 'S/RES/2735 (2024), para 3'); one, or a list."
            ),
        }
    ),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=False)


# --------------------------------------------------------------------------- time


class When(_Model):
    """A point in time relative to a phase: its start, its end, or its N-th day."""

    phase: Ident
    day: DayNumber | None = None
    at: Literal["start", "end"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            m = re.fullmatch(r"\s*([a-z][a-z0-9_]*)\s+(?:day\s+(\d{1,6})|(start|end))\s*", value)
            if not m:
                raise ValueError(
                    f"{value!r} is not a time: write 'PHASE day N', 'PHASE start' or 'PHASE end'"
                )
            phase, day, at = m.groups()
            return {"phase": phase, "day": int(day)} if day else {"phase": phase, "at": at}
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> When:
        if (self.day is None) == (self.at is None):
            raise ValueError("give either `day` or `at` (start or end), not both or neither")
        return self

    def __str__(self) -> str:
        return f"{self.phase} day {self.day}" if self.day is not None else f"{self.phase} {self.at}"

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        short = {
            "type": "string",
            "pattern": r"^\s*[a-z][a-z0-9_]*\s+(day\s+[0-9]{1,6}|start|end)\s*$",
            "description": "'PHASE day N', 'PHASE start' or 'PHASE end', e.g. 'phase1 day 16'.",
        }
        return _with_short_form(core_schema, handler, short)


# --------------------------------------------------------------------------- who and what


class Role(StrEnum):
    """What a signatory or other actor is to the agreement (``docs/language.md``, "Who
    answers for whom, and who watches")."""

    party = "party"
    mediator = "mediator"
    guarantor = "guarantor"
    observer = "observer"
    #: A mechanism or coordination centre whose logged ``verify`` events the monitor reads.
    monitor = "monitor"
    #: An armed group bound through a party's commitments (that party ``answers_for`` it).
    non_signatory = "non_signatory"


class Status(StrEnum):
    draft = "draft"
    signed = "signed"
    in_force = "in_force"
    ended = "ended"


class Source(_Model):
    """A public document a fact comes from."""

    id: Ident
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)] | None = None
    document: Text | None = None
    title: Text | None = None
    publisher: Text | None = None
    date: dt.date | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _locatable(self) -> Source:
        if self.url is None and self.document is None:
            raise ValueError("a source needs a `url` or a `document` reference")
        return self


class Party(_Model):
    id: Ident
    name: Text
    role: Role = Role.party
    answers_for: list[Ident] = Field(
        default_factory=list,
        description="Non-signatories (role: non_signatory) whose acts count against this "
        "party: a prohibited act of theirs is this party's violation.",
    )
    source: SourceRefs | None = None


class Figure(_Model):
    """A count as a source gives it: exact, approximate (``about``) or a ``range``."""

    exact: Count | None = None
    about: Count | None = None
    range: tuple[Count, Count] | None = None
    source: SourceRefs | None = None
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, value: Any) -> Any:
        return {"exact": value} if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _one_form(self) -> Figure:
        given = [k for k in ("exact", "about", "range") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a figure is one of `exact`, `about` or `range: [low, high]`")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"a range runs from low to high, not {list(self.range)}")
        return self

    @property
    def low(self) -> int:
        """The figure's reading where one number is needed: its lower bound."""
        if self.range is not None:
            return self.range[0]
        value = self.exact if self.exact is not None else self.about
        assert value is not None
        return value

    @property
    def bounds(self) -> tuple[int, int]:
        """The figure's bounds as far as a delivery or a sum is judged: a range's ends; an
        exact or approximate figure's number at both ends ("about" states no tolerance,
        and none is invented: write a `range` when the sources give one)."""
        if self.range is not None:
            return self.range[0], self.range[1]
        return self.low, self.low

    def __str__(self) -> str:
        if self.range is not None:
            return f"{self.range[0]:,} to {self.range[1]:,}"
        if self.about is not None:
            return f"about {self.about:,}"
        return f"{self.exact:,}"


_FIGURE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {
            "type": "object",
            "properties": {
                "about": {"type": "integer", "minimum": 0},
                "range": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 0},
                    "minItems": 2,
                    "maxItems": 2,
                },
                "exact": {"type": "integer", "minimum": 0},
                "source": {
                    "anyOf": [
                        _SOURCE_REF_SCHEMA,
                        {"type": "array", "items": _SOURCE_REF_SCHEMA, "minItems": 1},
                    ]
                },
                "note": {"type": "string", "minLength": 1},
            },
            "additionalProperties": False,
        },
        {"type": "null"},
    ],
    "description": "How many: a number, `{about: N}` or `{range: [low, high]}`; an "
    "approximate or ranged count is read as its lower bound (docs/language.md, Figures).",
}


#: A quantity of a round, a total or a duty: a number, `{about: N}` or `{range: [a, b]}`.
_QUANTITY_SCHEMA: dict[str, Any] = {
    "anyOf": [s for s in _FIGURE_SCHEMA["anyOf"] if s != {"type": "null"}],
    "description": "How many: a number, `{about: N}` or `{range: [low, high]}` (read as "
    "its lower bound where one number is needed; docs/language.md, Figures).",
}
Quantity = Annotated[Count, WithJsonSchema(_QUANTITY_SCHEMA)]


def _figure_errors(exc: ValidationError) -> str:
    """A malformed figure's problems in one line."""
    out = []
    for e in exc.errors():
        if e["type"] == "extra_forbidden":
            out.append(
                f"unknown key `{e['loc'][-1]}` (a figure is `about`, `range` or `exact`, "
                "with `source` and `note`)"
            )
        else:
            out.append(str(e["msg"]).removeprefix("Value error, "))
    return "; ".join(out)


def read_figures(data: Any, key: str, into: str) -> Any:
    """A model's ``key`` (a quantity, or a mapping of category to quantity) written as
    figures (``{about: N}``, ``{range: [a, b]}``): each is read as its lower bound, and
    the figure is kept under ``into``. A malformed figure is left in place, so its error
    is reported where it is written."""
    if not isinstance(data, dict):
        return data
    values = data.get(key)
    if isinstance(values, dict) and key == "quantity":
        try:
            figure = Figure.model_validate(values)
        except ValidationError as exc:
            raise ValueError(f"`{key}`: {_figure_errors(exc)}") from None
        return {**data, key: figure.low, into: values}
    if not isinstance(values, dict):
        return data
    figures = dict(data.get(into) or {})
    read: dict[Any, Any] = {}
    for k, v in values.items():
        if isinstance(v, dict):
            try:
                read[k] = Figure.model_validate(v).low
                figures[k] = v
            except ValidationError as exc:
                raise ValueError(f"`{key}` of {k}: {_figure_errors(exc)}") from None
        else:
            read[k] = v
    out = {**data, key: read}
    if figures:
        out[into] = figures
    return out


class Stock(_Model):
    """What a party holds and the agreement counts (hostages of a category, prisoners, trucks)."""

    id: Ident
    holder: Ident
    name: Text
    count: Annotated[Count | None, WithJsonSchema(_FIGURE_SCHEMA)] = Field(
        default=None,
        description="How many the holder has; unknown when left out. Given as `about` or "
        "a `range`, it is read as its lower bound and the figure is kept in `figures`.",
    )
    figures: list[Figure] = Field(
        default_factory=list,
        description="Each source's own figure for the count, kept as the source gives it.",
    )
    approximate: bool = Field(
        default=False,
        description="Whether `count` is read from an approximate or ranged figure (set "
        "when `count` is written as one, or left out beside `figures`).",
    )
    unit: Annotated[str, StringConstraints(min_length=1, max_length=40)] = "persons"
    source: SourceRefs | None = None
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _approximate_count(cls, value: Any) -> Any:
        """``count: {about: N}`` or ``{range: [a, b]}``: kept as a figure, read as its
        lower bound; with no `count`, the lowest of the sources' figures."""
        if not isinstance(value, dict):
            return value
        data = dict(value)
        count = data.get("count")
        figures = list(data.get("figures") or [])
        if isinstance(count, dict):
            figure = Figure.model_validate(count)
            figures.insert(0, figure)
            data["count"] = figure.low
            data["approximate"] = figure.exact is None
        elif count is None and figures:
            try:
                read = [Figure.model_validate(f) for f in figures]
            except (ValueError, TypeError):
                return value  # the figure's own errors are reported where it is
            data["count"] = min(f.low for f in read)
            data["approximate"] = any(f.exact is None for f in read)
        if figures:
            data["figures"] = figures
        return data


#: Actions every spec knows; a spec adds its own under `actions`.
BUILTIN_ACTIONS = (
    "release",
    "hostilities",
    "withdraw",
    "aid",
    "negotiations_start",
    "negotiations_agree",
    "exercise",
    "amend",
    "announce",
    "breach",
    "verify",
    "tally",
    "effort",
)


class Action(_Model):
    """An action of the spec's own vocabulary (used by obligations, prohibitions and events)."""

    id: Ident
    description: Text
    plover: Annotated[str, StringConstraints(max_length=60)] | None = Field(
        default=None, description="PLOVER event and mode, e.g. 'RETREAT:withdraw'."
    )
    acled: Annotated[str, StringConstraints(max_length=80)] | None = Field(
        default=None, description="ACLED sub-event type, e.g. 'Agreement'."
    )


class DateFact(_Model):
    date: dt.date
    time: Annotated[str, StringConstraints(pattern=r"^\d{2}:\d{2}$")] | None = None
    utc_offset: Annotated[str, StringConstraints(pattern=r"^[+-]\d{2}:\d{2}$")] | None = None
    source: SourceRefs | None = None
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_date(cls, value: Any) -> Any:
        return {"date": value} if isinstance(value, dt.date | str) else value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _with_short_form(core_schema, handler, {"type": "string", "format": "date"})


class Dates(_Model):
    announced: DateFact | None = None
    signed: DateFact | None = None
    entry_into_force: DateFact | None = None
    ended: DateFact | None = None


# --------------------------------------------------------------------------- phases


class _FromEntryIntoForce(_Model):
    """A model that may also be written as the bare word ``entry_into_force``."""

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if value == "entry_into_force":
            return {"entry_into_force": True}
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _with_short_form(core_schema, handler, {"const": "entry_into_force"})


class PhaseStart(_FromEntryIntoForce):
    """How a phase starts. With both `after` and `upon_agreement`, it waits for both."""

    entry_into_force: bool = False
    after: Ident | None = Field(default=None, description="Starts when this phase has ended.")
    upon_agreement: ClauseId | None = Field(
        default=None, description="Starts when this negotiation (a clause) has agreed."
    )

    @model_validator(mode="after")
    def _one_way(self) -> PhaseStart:
        if self.entry_into_force and (self.after or self.upon_agreement):
            raise ValueError("a phase that starts on entry into force waits for nothing else")
        if not (self.entry_into_force or self.after or self.upon_agreement):
            raise ValueError(
                "say how the phase starts: entry_into_force, `after` a phase, "
                "or `upon_agreement` of a negotiation"
            )
        return self


class Expiry(_Model):
    """What happens when a phase's days run out."""

    rule: Literal["ends", "continues_while", "unspecified"]
    negotiation: ClauseId | None = Field(
        default=None, description="For continues_while: the negotiation that keeps it going."
    )
    clause: ClauseId | None = Field(default=None, description="The clause that says this.")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"rule": value} if isinstance(value, str) else value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _with_short_form(core_schema, handler, {"enum": ["ends", "unspecified"]})

    @model_validator(mode="after")
    def _negotiation_named(self) -> Expiry:
        if self.rule == "continues_while" and self.negotiation is None:
            raise ValueError("continues_while needs the `negotiation` that keeps the phase going")
        if self.rule != "continues_while" and self.negotiation is not None:
            raise ValueError("only continues_while names a negotiation")
        return self


class Phase(_Model):
    id: Ident
    name: Text
    starts: PhaseStart
    duration_days: Days | None = Field(
        default=None, description="Length in days; left out for an open-ended phase."
    )
    at_expiry: Expiry = Field(default_factory=lambda: Expiry(rule="unspecified"))
    description: Text | None = None
    source: SourceRefs | None = None


# --------------------------------------------------------------------------- norms


class Duration(_Model):
    """A length of time as the text gives it: `{days: N}` or `{hours: H}`."""

    days: Days | None = None
    hours: Annotated[int, Field(ge=1, le=2_400_000)] | None = None

    @model_validator(mode="after")
    def _one_unit(self) -> Duration:
        if (self.days is None) == (self.hours is None):
            raise ValueError("give either `days` or `hours`, not both or neither")
        return self

    def __str__(self) -> str:
        n, unit = (self.days, "day") if self.days is not None else (self.hours, "hour")
        return f"{n} {unit}{'s' if n != 1 else ''}"


class Anchor(_FromEntryIntoForce):
    """What a deadline is counted from: entry into force, a phase's start, another
    clause's fulfilment, or a dated act of a party recorded in the log."""

    entry_into_force: bool = False
    phase: Ident | None = Field(default=None, description="Counted from this phase's start.")
    fulfilled: ClauseId | None = Field(
        default=None, description="Counted from the fulfilment of this clause's obligation."
    )
    act: Ident | None = Field(
        default=None, description="Counted from this act (an action) of the party `by`."
    )
    by: Ident | None = Field(default=None, description="With `act`: the party whose act it is.")

    @model_validator(mode="after")
    def _one_kind(self) -> Anchor:
        kinds = [
            k
            for k, v in (
                ("entry_into_force", self.entry_into_force),
                ("phase", self.phase),
                ("fulfilled", self.fulfilled),
                ("act", self.act),
            )
            if v
        ]
        if len(kinds) != 1:
            raise ValueError(
                "an anchor is one of: entry_into_force, `phase` (its start), `fulfilled` "
                "(a clause), or `act` with `by` (a party's act)"
            )
        if (self.act is None) != (self.by is None):
            raise ValueError("an `act` anchor names the party whose act it is: `by`")
        return self

    def __str__(self) -> str:
        if self.entry_into_force:
            return "entry into force"
        if self.phase is not None:
            return f"the start of {self.phase}"
        if self.fulfilled is not None:
            return f"the fulfilment of clause {self.fulfilled}"
        return f"{self.by}'s {self.act}"


class Window(_Model):
    """From when to when an obligation must be done: `by` a phase day (`from` defaults to
    the phase start), or `within` a duration `after` an anchor."""

    from_: When | None = Field(default=None, alias="from")
    by: When | None = None
    after: Anchor | None = Field(
        default=None, description="What the deadline is counted from (with `within`)."
    )
    within: Duration | None = Field(
        default=None, description="How long after the anchor: `{hours: 72}` or `{days: 5}`."
    )

    @model_validator(mode="after")
    def _by_or_within(self) -> Window:
        if self.by is not None and (self.after is not None or self.within is not None):
            raise ValueError(
                "a window is `by` a day, or `within` a time `after` an anchor, not both"
            )
        if self.by is None and (self.after is None or self.within is None):
            raise ValueError(
                "a window needs `by` (e.g. 'phase1 day 7'), or `within` (e.g. {hours: 72}) "
                "and `after` (e.g. entry_into_force)"
            )
        if self.after is not None and self.from_ is not None:
            raise ValueError("a window counted `after` an anchor opens at the anchor; drop `from`")
        return self


class Recurrence(_Model):
    """A duty due again every N days inside its window (aid trucks every day)."""

    every_days: Days
    until: When | None = None


class OnViolation(_Model):
    grants: ClauseId = Field(description="The power clause the creditor gains on a violation.")


class ForEach(_Model):
    """A counter-release per instalment: ``per_unit`` units for each unit that clause
    ``clause`` releases, each instalment's share due ``within_days`` after it comes
    (``docs/semantics.md``, Counter-releases per instalment)."""

    clause: ClauseId = Field(
        description="The release it answers: an obligation to release a `quantity` of a stock."
    )
    per_unit: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        description="Units owed in return for each unit that clause releases ('15 for each')."
    )


class Obligation(_Model):
    debtor: Ident
    creditor: Ident
    action: Ident
    object: Text | None = None
    quantity: Quantity | None = Field(
        default=None,
        description="How many: a number, or as the text gives it, `{about: N}` or "
        "`{range: [low, high]}` (read as its lower bound; the figure is kept).",
    )
    quantity_figure: SkipJsonSchema[Figure | None] = None
    category: Ident | None = Field(default=None, description="A stock, for releases.")
    window: Window | None = Field(
        default=None,
        description="From when to when it must be done; a triggered duty (`once`) gives "
        "`within` instead. Left out with no `once`: a duty with no deadline ('shares "
        "information on ...'), in effect while its clause's phase lasts, never violated by time.",
    )
    recurrence: Recurrence | None = None
    on_violation: OnViolation | None = None
    once: Condition | None = Field(
        default=None,
        description="A trigger: the duty is created on the first day this condition holds "
        "(docs/semantics.md, Conditions) and falls due `within` after it.",
    )
    within_days: Days | None = Field(
        default=None,
        description="For a triggered duty: days from its trigger to its deadline (the same "
        "as `within: {days: N}`, kept as an alias); with `for_each`: days from each "
        "instalment to its share's deadline.",
    )
    within: Duration | None = Field(
        default=None,
        description="For a triggered duty: how long from its trigger to its deadline, "
        "`{days: N}` or `{hours: H}` (as in a window's `within`).",
    )
    for_each: ForEach | None = Field(
        default=None,
        description="A counter-release per instalment ('15 for each one returned, as each "
        "comes back'): owes `per_unit` units for each unit `clause` releases, each share due "
        "`within_days` after its instalment; its `quantity` is `per_unit` x that clause's.",
    )

    @property
    def trigger(self) -> str | None:
        """The condition that creates the duty in the one-step reading: ``once``, or for a
        counter-release per instalment the fulfilment of the release it answers."""
        if self.once is not None:
            return self.once
        if self.for_each is not None:
            return f'fulfilled("{self.for_each.clause}")'
        return None

    @property
    def no_deadline(self) -> bool:
        """A duty with no deadline: no `window` and no trigger (``docs/semantics.md``)."""
        return self.window is None and self.trigger is None

    @property
    def act_anchor(self) -> Anchor | None:
        """The party's act the deadline is counted from (`after: {act: a, by: p}`), if any."""
        w = self.window
        return w.after if w is not None and w.after is not None and w.after.act else None

    @property
    def triggered(self) -> bool:
        """Whether the duty exists only once something happens: its `once` condition holds
        (or, per instalment, the release it answers is done), or the act its deadline is
        counted from is done (docs/semantics.md, Conditions)."""
        return self.trigger is not None or self.act_anchor is not None

    @model_validator(mode="before")
    @classmethod
    def _approximate_quantity(cls, value: Any) -> Any:
        return read_figures(value, "quantity", "quantity_figure")

    @model_validator(mode="after")
    def _window_or_trigger(self) -> Obligation:
        if self.within_days is not None and self.within is not None:
            raise ValueError(
                "`within_days` is the old spelling of `within: {days: N}`: give one of them"
            )
        if self.for_each is not None:
            if self.once is not None:
                raise ValueError(
                    "a counter-release per instalment (`for_each`) falls due with each "
                    "instalment: drop `once`"
                )
            if self.window is not None or self.within_days is None:
                raise ValueError(
                    "a counter-release per instalment (`for_each`) gives `within_days`: days "
                    "from each instalment to its share's deadline (not a `window`)"
                )
            if self.recurrence is not None:
                raise ValueError("a counter-release per instalment takes no `recurrence`")
            return self
        if self.once is None:
            if self.within_days is not None or self.within is not None:
                what = "`within_days`" if self.within_days is not None else "`within`"
                raise ValueError(
                    f"{what} beside the norm counts from a trigger: give `once` too (a window "
                    "counted from an anchor writes `within` inside `window`)"
                )
            return self
        if self.window is not None:
            raise ValueError(
                "a triggered duty's deadline counts from its trigger: give `within` (or "
                "`within_days`), not a `window`"
            )
        if self.within_days is None and self.within is None:
            raise ValueError(
                "a triggered duty (`once`) needs `within` ({days: N} or {hours: H}): how long "
                "from its trigger to its deadline"
            )
        if self.recurrence is not None:
            raise ValueError("a triggered duty (`once`) falls due once; it takes no `recurrence`")
        return self

    unit: Text | None = Field(
        default=None,
        description="What `quantity` counts ('positions', 'bodies'); the stock's unit by default.",
    )
    effort: Literal["result", "best"] = Field(
        default="result",
        description="`result` (the default): a duty of result, violated when not done in full "
        "by its deadline. `best`: a duty of means ('to the best of its ability'), never "
        "violated for want of the result, only by a logged failure to make efforts.",
    )


class Prohibition(_Model):
    parties: Annotated[list[Ident], Field(min_length=1)]
    act: Ident
    during: list[Ident] = Field(
        default_factory=list, description="Phases in which it applies; empty = while in force."
    )
    hours: Text | None = Field(default=None, description="e.g. '10:00-16:00 daily'.")
    while_: Condition | None = Field(
        default=None,
        alias="while",
        description="Binds only while this condition holds (judged at each time point).",
    )


class Ratio(_Model):
    category: Ident = Field(description="Stock released by `releasing`.")
    counter_category: Ident = Field(description="Stock released by the counterpart in return.")
    per_unit: Count = Field(description="Counterpart's units per unit of `category`.")


class ExchangeRound(_Model):
    day: DayNumber = Field(description="Day of the exchange's phase on which the round is due.")
    release: dict[Ident, Quantity] = Field(min_length=1)
    counter_release: dict[Ident, Quantity] | None = Field(
        default=None, description="What the counterpart releases, when the text states it."
    )
    label: Text | None = None
    #: The quantities written as figures (about, range), by category; the counts above
    #: hold their lower bounds (docs/language.md, Figures).
    figures: SkipJsonSchema[dict[Ident, Figure]] = Field(default_factory=dict)
    counter_figures: SkipJsonSchema[dict[Ident, Figure]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _approximate(cls, value: Any) -> Any:
        value = read_figures(value, "release", "figures")
        return read_figures(value, "counter_release", "counter_figures")


class Exchange(_Model):
    phase: Ident
    releasing: Ident
    counterpart: Ident
    ratios: list[Ratio] = Field(default_factory=list)
    rounds: Annotated[list[ExchangeRound], Field(min_length=1)]
    totals: dict[Ident, Quantity] = Field(
        default_factory=dict, description="Stated totals of what `releasing` releases."
    )
    counter_totals: dict[Ident, Quantity] = Field(
        default_factory=dict, description="Stated totals of what the counterpart releases."
    )
    #: The totals written as figures (about, range), by category (lower bounds above).
    total_figures: SkipJsonSchema[dict[Ident, Figure]] = Field(default_factory=dict)
    counter_total_figures: SkipJsonSchema[dict[Ident, Figure]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _approximate(cls, value: Any) -> Any:
        value = read_figures(value, "totals", "total_figures")
        return read_figures(value, "counter_totals", "counter_total_figures")


class PowerAction(StrEnum):
    end_agreement = "end_agreement"
    suspend_clause = "suspend_clause"
    declare_failed = "declare_failed"
    extend_phase = "extend_phase"
    resume_hostilities = "resume_hostilities"
    self_defence = "self_defence"
    #: The holder (a mediator or guarantor, as arbiter) decides the talks' outcome: they
    #: count as agreed, so the phase they lead to starts (binding arbitration).
    arbitrate = "arbitrate"


class Availability(_Model):
    during: list[Ident] = Field(default_factory=list, description="Phases; empty = any.")
    after: When | None = None
    condition: Annotated[str, StringConstraints(min_length=1, max_length=4000)] | None = Field(
        default=None, alias="if", description="A condition in the expression language."
    )


class Power(_Model):
    holder: Ident
    action: PowerAction
    target: (
        Annotated[str, BeforeValidator(_clause_number), WithJsonSchema(_CLAUSE_ID_SCHEMA)] | None
    ) = Field(
        default=None,
        description="The negotiation (declare_failed, arbitrate), clause (suspend_clause) or phase "
        "(extend_phase) it acts on.",
    )
    days: Days | None = Field(default=None, description="For extend_phase: by how many days.")
    available: Availability = Field(default_factory=Availability)
    requires_consent: list[Ident] = Field(default_factory=list)
    against: list[Ident] = Field(
        default_factory=list,
        description="For self_defence: whose attacks it answers; empty = every other party "
        "(role party).",
    )


class Scope(_Model):
    open: bool = False
    topics: list[Text] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if value == "open":
            return {"open": True}
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return _with_short_form(core_schema, handler, {"const": "open"})

    @model_validator(mode="after")
    def _open_or_listed(self) -> Scope:
        if self.open == bool(self.topics):
            raise ValueError("a scope is either `open` or a list of `topics`")
        return self


class Negotiation(_Model):
    between: Annotated[list[Ident], Field(min_length=2)]
    mediators: list[Ident] = Field(default_factory=list)
    starts_by: When | None = None
    scope: Scope
    on_agreed: Ident | None = Field(default=None, description="The phase an agreement starts.")
    opens_when: Condition | None = Field(
        default=None,
        description="The talks open at the end of the first step after which this condition "
        "holds (not with their phase).",
    )

    @model_validator(mode="after")
    def _one_opening(self) -> Negotiation:
        if self.opens_when is not None and self.starts_by is not None:
            raise ValueError(
                "talks open either by a date (`starts_by`) or once a condition holds "
                "(`opens_when`), not both"
            )
        return self


class ExtensionRule(_Model):
    """One more day of `phase` for each further `units` of `category` that `releasing` frees."""

    phase: Ident
    releasing: Ident
    category: Ident
    units: Count = Field(gt=0)
    days: Days = 1
    max_days: Days | None = None


class Amendment(_Model):
    """A dated joint act of the named parties that changes the terms without rewriting the
    text (``docs/semantics.md``, Amendments): it moves a phase's expiry ``days`` later
    (``extends``), also once its days have run out; or it changes one clause (``amends``):
    an obligation's deadline (``by``, or ``days`` later) or quantity, an exchange's rounds'
    contents (``rounds``)."""

    parties: Annotated[list[Ident], Field(min_length=2)] = Field(
        description="Who must consent, all of them, on the day it is made."
    )
    extends: Ident | None = Field(
        default=None, description="The phase whose term it extends (or give `amends`)."
    )
    amends: (
        Annotated[str, BeforeValidator(_clause_number), WithJsonSchema(_CLAUSE_ID_SCHEMA)] | None
    ) = Field(
        default=None,
        description="The clause whose terms it changes: an obligation's deadline or "
        "quantity, an exchange's rounds (or give `extends`).",
    )
    days: Days | None = Field(
        default=None,
        description="By how many days: the phase's term (`extends`), or the obligation's "
        "deadline (`amends`).",
    )
    by: When | None = Field(
        default=None, description="With `amends`: the obligation's new deadline (a phase day)."
    )
    quantity: Count | None = Field(
        default=None, description="With `amends`: the obligation's new quantity."
    )
    rounds: list[ExchangeRound] = Field(
        default_factory=list,
        description="With `amends` on an exchange: each round of that `day` now releases "
        "this (the other rounds stay as the text has them).",
    )
    times: Annotated[int, Field(ge=1, le=100)] = Field(
        default=1,
        description="How many times the parties may agree it: more than 1 for a term "
        "renewable by agreement (each time `days` more).",
    )
    available: Availability = Field(default_factory=Availability)

    @model_validator(mode="after")
    def _phase_or_clause(self) -> Amendment:
        if (self.extends is None) == (self.amends is None):
            raise ValueError(
                "an amendment `extends` a phase or `amends` a clause: give exactly one"
            )
        if self.extends is not None:
            if self.days is None:
                raise ValueError("an amendment that `extends` a phase needs `days`")
            if self.by is not None or self.quantity is not None or self.rounds:
                raise ValueError(
                    "`by`, `quantity` and `rounds` change a clause: write `amends: <clause>`"
                )
            return self
        if self.days is None and self.by is None and self.quantity is None and not self.rounds:
            raise ValueError(
                "an amendment of a clause says what changes: a new deadline (`by` or "
                "`days`), a `quantity`, or `rounds`"
            )
        if self.days is not None and self.by is not None:
            raise ValueError("a new deadline is `by` a day or `days` later, not both")
        if self.times != 1:
            raise ValueError("an amendment of a clause is made once: drop `times`")
        return self

    @property
    def target(self) -> str:
        """The phase it extends or the clause it amends."""
        found = self.extends if self.extends is not None else self.amends
        assert found is not None
        return found

    def as_power(self) -> Power:
        """The joint act as a power: held by the first party, with the others' consent."""
        return Power(
            holder=self.parties[0],
            action=PowerAction.extend_phase,
            target=self.extends,
            days=self.days if self.extends is not None else None,
            available=self.available,
            requires_consent=list(dict.fromkeys(self.parties[1:])),
        )


NORM_KINDS = (
    "obligation",
    "prohibition",
    "exchange",
    "power",
    "negotiation",
    "extension",
    "amendment",
)
Norm = Obligation | Prohibition | Exchange | Power | Negotiation | ExtensionRule | Amendment


#: What a clause without a norm is.
STATEMENTS = ("recital", "principle", "reporting", "definition")
Statement = Literal["recital", "principle", "reporting", "definition"]


class Clause(_Model):
    """A numbered paragraph: its words, their source, and one formal norm, or none (a
    recital, a principle, a reporting commitment, a definition: ``statement``)."""

    id: ClauseId
    title: Text | None = None
    text: Text
    words: Literal["quote", "summary"] = Field(
        default="summary", description="Whether `text` quotes the agreement or summarises it."
    )
    source: SourceRefs
    phase: Ident | None = Field(default=None, description="The phase the clause belongs to.")
    pax_codes: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{1,16}$")]] = Field(
        default_factory=list
    )
    note: Text | None = None
    obligation: Obligation | None = None
    prohibition: Prohibition | None = None
    exchange: Exchange | None = None
    power: Power | None = None
    negotiation: Negotiation | None = None
    extension: ExtensionRule | None = None
    amendment: Amendment | None = None

    statement: Statement | None = Field(
        default=None,
        description="For a clause with no norm: what it is (a recital, a principle, a "
        "reporting commitment, a definition). Kept, rendered and cited; nothing is due.",
    )

    @model_validator(mode="after")
    def _one_norm_or_a_statement(self) -> Clause:
        kinds = [k for k in NORM_KINDS if getattr(self, k) is not None]
        listed = ", ".join(NORM_KINDS)
        if len(kinds) > 1:
            raise ValueError(
                f"a clause has at most one norm ({listed}); this one has {', '.join(kinds)}"
            )
        if kinds and self.statement is not None:
            raise ValueError(
                f"a clause with a norm ({kinds[0]}) is not also a `statement`; "
                "drop `statement` or the norm"
            )
        if not kinds and self.statement is None:
            raise ValueError(
                f"a clause has one norm ({listed}), or says what it is without one: "
                f"`statement: {' | '.join(STATEMENTS)}`"
            )
        return self

    @property
    def kind(self) -> str:
        """The clause's norm (``obligation``, ``power``…), or its statement (``recital``…)."""
        found = next((k for k in NORM_KINDS if getattr(self, k) is not None), None)
        return found if found is not None else str(self.statement)

    @property
    def norm(self) -> Norm | None:
        """The clause's one norm; None for a recital, principle or reporting commitment."""
        value: Norm | None = next(
            (getattr(self, k) for k in NORM_KINDS if getattr(self, k) is not None), None
        )
        return value


# --------------------------------------------------------------------------- expectations

TEMPLATES = (
    "no_unilateral_exit",
    "no_indefinite_truce",
    "no_lapse",
    "completes_if_all_comply",
    "reciprocity",
    "consistent",
    "totals_add_up",
)
#: Templates that protect one named party.
PROTECTING_TEMPLATES = ("no_unilateral_exit", "no_indefinite_truce")


class Position(_Model):
    """Why a party wants an expectation, in its sources' words."""

    text: Text
    source: SourceRefs


class Expectation(_Model):
    template: (
        Literal[
            "no_unilateral_exit",
            "no_indefinite_truce",
            "no_lapse",
            "completes_if_all_comply",
            "reciprocity",
            "consistent",
            "totals_add_up",
        ]
        | None
    ) = None
    formula: Annotated[str, StringConstraints(min_length=1, max_length=4000)] | None = None
    name: Ident | None = None
    protects: Ident | None = None
    parties: list[Ident] | None = Field(default=None, description="For reciprocity: [A, B].")
    description: Text | None = None
    position: Position | None = None

    @model_validator(mode="after")
    def _shape(self) -> Expectation:
        if (self.template is None) == (self.formula is None):
            raise ValueError("an expectation names a `template` or gives a `formula`, not both")
        if self.formula is not None and self.name is None:
            raise ValueError("an expectation written as a formula needs a `name`")
        if self.template in PROTECTING_TEMPLATES and self.protects is None:
            raise ValueError(f"{self.template} needs `protects`: the party it protects")
        if self.template == "reciprocity" and (self.parties is None or len(self.parties) != 2):
            raise ValueError("reciprocity needs `parties: [A, B]`")
        if self.template not in (None, "reciprocity") and self.parties is not None:
            raise ValueError(f"{self.template} takes no `parties`")
        return self

    @property
    def label(self) -> str:
        """A unique, readable name: the template and its parties, or the formula's name."""
        if self.name is not None:
            return self.name
        assert self.template is not None
        if self.protects is not None:
            return f"{self.template}({self.protects})"
        if self.parties:
            return f"{self.template}({', '.join(self.parties)})"
        return self.template


# --------------------------------------------------------------------------- agreement


class Agreement(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=80)]
    title: Text
    status: Status
    description: Text | None = None
    dates: Dates = Field(default_factory=Dates)
    pax_id: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        default=None, description="The agreement's AgtId in the PA-X database."
    )
    parties: Annotated[list[Party], Field(min_length=2)]
    sources: list[Source] = Field(default_factory=list)
    stocks: list[Stock] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    phases: Annotated[list[Phase], Field(min_length=1)]
    clauses: list[Clause] = Field(default_factory=list)
    expectations: list[Expectation] = Field(default_factory=list)
    counting: Literal["day_one", "day_zero"] = Field(
        default="day_one",
        description="How the text numbers days: `day_one` (the day of entry into force, and "
        "a phase's first day, is day 1) or `day_zero` (it is day 0; a period of N days then "
        "runs to day N).",
    )
    note: Text | None = None
    extends: str | None = Field(
        default=None, description="Set by the loader for a draft: the base file it extends."
    )

    # ---- look-ups used everywhere

    def party(self, party_id: str) -> Party:
        return next(p for p in self.parties if p.id == party_id)

    def phase(self, phase_id: str) -> Phase:
        return next(p for p in self.phases if p.id == phase_id)

    def clause(self, clause_id: str) -> Clause:
        return next(c for c in self.clauses if c.id == clause_id)

    def stock(self, stock_id: str) -> Stock:
        return next(s for s in self.stocks if s.id == stock_id)

    def granted_powers(self) -> list[tuple[Clause, Power]]:
        """Every power the text grants, each with its clause: the powers, and each amendment
        as the joint act it is (:meth:`Amendment.as_power`)."""
        out: list[tuple[Clause, Power]] = []
        for c in self.clauses:
            if c.power is not None:
                out.append((c, c.power))
            elif c.amendment is not None:
                out.append((c, c.amendment.as_power()))
        return out

    def clauses_of(self, kind: str) -> list[Clause]:
        return [c for c in self.clauses if c.kind == kind]

    @property
    def action_ids(self) -> set[str]:
        return set(BUILTIN_ACTIONS) | {a.id for a in self.actions}

    @model_validator(mode="after")
    def _counter_quantities(self) -> Agreement:
        """A counter-release per instalment owes ``per_unit`` x what the release it answers
        owes: that is its quantity when the text states none (validate checks a stated
        one, and reports a reference that does not resolve)."""
        by_id = {c.id: c.obligation for c in self.clauses}

        def owed(cid: str, seen: frozenset[str]) -> int | None:
            o = by_id.get(cid)
            if o is None or cid in seen:
                return None
            if o.for_each is None or "quantity" in o.model_fields_set:
                return o.quantity
            base = owed(o.for_each.clause, seen | {cid})
            return None if base is None else base * o.for_each.per_unit

        for c in self.clauses:
            o = c.obligation
            if o is not None and o.for_each is not None and "quantity" not in o.model_fields_set:
                # set without marking it written, so a dump or a draft derives it again
                object.__setattr__(o, "quantity", owed(c.id, frozenset()))
        return self


class AgreementChanges(_Model):
    """What a draft changes in its base's clauses and phases."""

    replace: list[Clause] = Field(default_factory=list, description="Clauses replaced, by id.")
    add: list[Clause] = Field(default_factory=list, description="New clauses.")
    remove: list[ClauseId] = Field(default_factory=list, description="Clause ids removed.")
    phases: list[Phase] = Field(default_factory=list, description="Phases replaced, by id.")


class DraftHeader(_Model):
    """The parts of a draft's `agreement:` mapping that override the base."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=80)]
    title: Text
    status: Status = Status.draft
    description: Text | None = None
    dates: Dates | None = None
    sources: list[Source] = Field(default_factory=list)
    note: Text | None = None


class Draft(_Model):
    """A file that starts with `extends:`: a base plus changes."""

    extends: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    agreement: DraftHeader
    changes: AgreementChanges = Field(default_factory=AgreementChanges)
    expectations: list[Expectation] | None = Field(
        default=None, description="When given, replaces the base's expectations."
    )
