"""The monitoring report as one HTML page that opens offline (``detente monitor --html``).

plotly's JavaScript (4.6 MB) comes from the installed plotly package: either inlined
once, so the page is one self-contained file (for an e-mail attachment), or, as
``detente monitor --html`` writes it by default, loaded from one shared bundle written
beside the page (``plotly-VERSION.min.js``), so each page is some 200 kB and every page
in a folder shares the one copy. Neither form touches the network. It shows, as of the
report's date: cumulative releases against the schedule for each releasing side and
each unit counted (persons apart from remains or trucks; none for an agreement without
exchanges), a timeline of phases, rounds, delays and violations, and the tables of
obligations, the exchange ledger, violations (with sources and verification) and
disputed events shown both ways.

It reads the monitor's report through its documented JSON shape (``to_json()``),
so it depends on the report's contract, not on its classes.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import plotly
import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from detente.language.model import Agreement
from detente.reports import statuses
from detente.reports.cells import cell_text
from detente.reports.templating import template_environment
from detente.reports.view import build_view

if TYPE_CHECKING:
    from detente.monitor.events import Event


class ReportLike(Protocol):
    """What the page reads a report through: its JSON (the monitor's MonitorReport is one)."""

    def to_json(self) -> Mapping[str, Any] | str: ...


#: Colours per series, stable across charts (colour-blind-safe Okabe-Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")

#: Columns shown in each table, in this order (a report's other keys are left out when
#: any of these is present; a report of another shape shows all its keys).
OBLIGATION_COLUMNS = (
    "clause",
    "debtor",
    "kind",
    "category",
    "due",
    "status_text",
    "quantity",
    "delivered",
    "outstanding",
    "fulfilled_on",
    "late_days",
)
LEDGER_COLUMNS = (
    "clause",
    "label",
    "due",
    "releasing",
    "release_due",
    "release_delivered",
    "counterpart",
    "counter_due",
    "counter_delivered",
    "ratio_agreed",
    "ratio_achieved",
    "status",
    "delivered_on",
    "late_days",
)
EVENT_COLUMNS = (
    "date",
    "time",
    "actor",
    "attributed_to",
    "action",
    "quantity",
    "category",
    "clause",
    "verification",
    "reported_by",
    "publisher",
    "source",
    "notes",
    "why",
    "status",
)
DEADLINE_COLUMNS = ("date", "due", "in_days", "due_in_days", "what", "clause", "debtor", "id")
DISPUTED_COLUMNS = ("id", "what", "with", "without")
PHASE_COLUMNS = ("name", "id", "status", "start", "last_day", "ended", "extended_days")


# --------------------------------------------------------------------------- reading


def report_json(report: Any) -> dict[str, Any]:
    """The report as its JSON mapping, from a report object, a JSON string or a mapping."""
    if isinstance(report, Mapping):
        return dict(report)
    if isinstance(report, str | bytes):
        value = json.loads(report)
    else:
        to_json = getattr(report, "to_json", None)
        if to_json is None:
            raise TypeError("a monitor report needs a to_json() method or its JSON mapping")
        value = to_json()
        if isinstance(value, str | bytes):
            value = json.loads(value)
    if not isinstance(value, Mapping):
        raise TypeError("a monitor report's JSON must be a mapping")
    return dict(value)


def _get(item: Any, key: str, default: Any = None) -> Any:
    if isinstance(item, Mapping):
        return item.get(key, default)
    return getattr(item, key, default)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _number(value: Any) -> float:
    """A count from the report, or 0 when it is missing or not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    row_classes: list[str]


def table(items: Any, columns: Sequence[str] = ()) -> Table:
    """Rows of mappings as a table: the given columns that occur, else every key seen."""
    rows_in = [dict(i) if isinstance(i, Mapping) else {"value": i} for i in _as_list(items)]
    seen: list[str] = [c for c in columns if any(r.get(c) not in (None, "") for r in rows_in)]
    if not seen:
        for r in rows_in:
            for k in r:
                if k not in seen:
                    seen.append(k)
    classes = []
    for r in rows_in:
        status = str(r.get("status", ""))
        cls = []
        if "disputed" in status + " " + str(r.get("verification", "")):
            cls.append("disputed")
        # Each status its own class: not recorded is never styled as violated or late.
        if status in statuses.ORDER and status not in ("late", "fulfilled"):
            cls.append(statuses.css_class(status))
        elif status == "late" or _number(r.get("late_days")) > 0:
            cls.append("late")
        classes.append(" ".join(cls))
    return Table(seen, [[_cell(r, c) for c in seen] for r in rows_in], classes)


def _cell(row: Mapping[str, Any], column: str) -> str:
    """A row's cell; a status code in words (``not_recorded`` → ``not recorded``)."""
    value = row.get(column)
    if column == "status" and value in statuses.ORDER:
        return statuses.label(str(value))
    return cell_text(value)


def grouped_obligations(items: Any) -> list[dict[str, Any]]:
    """Obligation instances, with runs of a recurring duty in one status shown as one row.

    Forty-two days of "600 aid trucks, violated" read as one line: the clause, the
    first and last due dates and how many instances.
    """
    rows = [dict(i) for i in _as_list(items) if isinstance(i, Mapping)]
    out: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []

    def key(r: Mapping[str, Any]) -> tuple[Any, ...]:
        if r.get("kind") != "obligation" or r.get("round") is not None:
            return (id(r),)  # exchange sides and talks stay one row each
        return (r.get("clause"), r.get("debtor"), r.get("status"), r.get("category"))

    def flush() -> None:
        if len(run) > 1:
            first, last = run[0], run[-1]
            merged = dict(first)
            merged["due"] = (
                f"{cell_text(first.get('due'))} to {cell_text(last.get('due'))} ({len(run)})"
            )
            merged["id"] = f"{cell_text(first.get('id'))} … {cell_text(last.get('id'))}"
            merged["fulfilled_on"] = None
            merged["late_days"] = None
            delivered = [_number(r.get("delivered")) for r in run]
            merged["delivered"] = (
                f"{min(delivered):g}–{max(delivered):g}" if any(delivered) else None
            )
            out.append(merged)
        else:
            out.extend(run)
        run.clear()

    for r in rows:
        if run and key(r) != key(run[-1]):
            flush()
        run.append(r)
    flush()
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        # A ledger given as {"rounds": [...]}, or a mapping of id -> row.
        if "rounds" in value and isinstance(value["rounds"], list):
            return list(value["rounds"])
        return [
            {"id": k, **v} if isinstance(v, Mapping) else {"id": k, "value": v}
            for k, v in value.items()
        ]
    return list(value)


# --------------------------------------------------------------------------- charts


@dataclass(frozen=True)
class Release:
    date: dt.date
    actor: str
    category: str
    quantity: int
    verification: str
    clause: str


def releases(events: Iterable[Any]) -> list[Release]:
    out = []
    for e in events:
        if str(_get(e, "action", "")) != "release":
            continue
        day = _date(_get(e, "date"))
        quantity = _get(e, "quantity")
        if day is None or quantity in (None, ""):
            continue
        out.append(
            Release(
                date=day,
                actor=str(_get(e, "actor", "")),
                category=str(_get(e, "category", "") or ""),
                quantity=int(quantity),
                verification=cell_text(_get(e, "verification", "reported")) or "reported",
                clause=str(_get(e, "clause", "") or ""),
            )
        )
    return sorted(out, key=lambda r: r.date)


def _step(
    points: list[tuple[dt.date, int]],
    start: dt.date | None = None,
    until: dt.date | None = None,
) -> tuple[list[str], list[int]]:
    """Cumulative sums by date, as x and y for a step line, from 0 at ``start`` to ``until``."""
    by_day: dict[dt.date, int] = {}
    for day, n in points:
        by_day[day] = by_day.get(day, 0) + n
    xs: list[str] = []
    ys: list[int] = []
    total = 0
    if start is not None and by_day and start < min(by_day):
        xs.append(start.isoformat())
        ys.append(0)
    for day in sorted(by_day):
        total += by_day[day]
        xs.append(day.isoformat())
        ys.append(total)
    if until is not None and by_day and until > max(by_day):
        xs.append(until.isoformat())
        ys.append(total)
    return xs, ys


def scheduled_releases(agreement: Agreement) -> dict[str, list[tuple[dt.date, str, int]]]:
    """Per releasing party: (date, category, count) due, from the exchange schedule."""
    view = build_view(agreement)
    out: dict[str, list[tuple[dt.date, str, int]]] = {}
    for s in view.schedules:
        for r in s.rounds:
            if r.date is None:
                continue
            for cat, n in r.release.items():
                out.setdefault(s.releasing, []).append((r.date, cat, n))
            for cat, n in (r.counter_release or {}).items():
                out.setdefault(s.counterpart, []).append((r.date, cat, n))
    return out


def unit_of(agreement: Agreement, category: str) -> str:
    """What a category counts (its stock's ``unit``): persons, remains, trucks…"""
    stock = next((s for s in agreement.stocks if s.id == category), None)
    return stock.unit if stock is not None else "persons"


def chart_series(
    agreement: Agreement,
    sides: list[str],
    due: Mapping[str, list[tuple[dt.date, str, int]]],
    done: list[Release],
) -> list[tuple[str, str]]:
    """The cumulative charts that fit the agreement, as (party, unit): none without an
    exchange clause; else one per releasing party and unit, so that persons and remains
    (or trucks) are never counted on one axis."""
    if not any(c.exchange is not None for c in agreement.clauses):
        return []
    out: list[tuple[str, str]] = []
    for p in sides:
        cats = [c for _, c, _ in due.get(p, [])] + [r.category for r in done if r.actor == p]
        for unit in dict.fromkeys(unit_of(agreement, c) for c in cats):
            out.append((p, unit))
    return out


def cumulative_figure(
    party_name: str,
    due: list[tuple[dt.date, str, int]],
    done: list[Release],
    start: dt.date | None = None,
    as_of: dt.date | None = None,
    unit: str = "persons",
) -> go.Figure:
    """One side's releases, cumulative: all categories together, then each category.

    With several categories, the per-category lines start hidden (click the legend).
    Releases marked disputed are left out of the solid line and added in a dotted one.
    """
    fig = go.Figure()
    cats = sorted({c for _, c, _ in due} | {r.category for r in done})
    series: list[tuple[str, str, bool, list[tuple[dt.date, str, int]], list[Release]]] = []
    if len(cats) > 1:
        series.append(("all categories", "#1d2433", True, due, done))
    for i, cat in enumerate(cats):
        series.append(
            (
                cat.replace("_", " "),
                PALETTE[i % len(PALETTE)],
                len(cats) == 1,
                [d for d in due if d[1] == cat],
                [r for r in done if r.category == cat],
            )
        )
    for label, colour, visible, due_s, done_s in series:
        shown: bool | str = True if visible else "legendonly"
        kept = [(r.date, r.quantity) for r in done_s if r.verification != "disputed"]
        xs, ys = _step(kept, start, as_of)
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    name=f"{label}: released",
                    mode="lines+markers",
                    line={"shape": "hv", "color": colour, "width": 3},
                    visible=shown,
                )
            )
        if any(r.verification == "disputed" for r in done_s):
            xs, ys = _step([(r.date, r.quantity) for r in done_s], start, as_of)
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    name=f"{label}: released incl. disputed",
                    mode="lines",
                    line={"shape": "hv", "color": colour, "dash": "dot"},
                    visible=shown,
                )
            )
        # The schedule last, so that where both agree its dashes show on top.
        schedule_colour = "#a4412a" if visible else colour
        xs, ys = _step([(d, n) for d, _, n in due_s], start, as_of)
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    name=f"{label}: scheduled",
                    mode="lines+markers",
                    line={"shape": "hv", "dash": "dash", "color": schedule_colour, "width": 2},
                    marker={"symbol": "circle-open", "size": 8},
                    visible=shown,
                )
            )
    fig.update_layout(
        title={
            "text": html.escape(
                f"Released by {party_name}"
                + ("" if unit == "persons" else f" ({unit})")
                + ": cumulative, against the schedule"
            )
        },
        xaxis={"title": {"text": "date"}, "type": "date"},
        yaxis={"title": {"text": html.escape(f"{unit} (cumulative)")}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        height=400,
        template="plotly_white",
    )
    return fig


def timeline_figure(agreement: Agreement, data: Mapping[str, Any], events: list[Any]) -> go.Figure:
    """Phases as bars; scheduled rounds, actual releases, delays and violations as markers."""
    view = build_view(agreement)
    as_of = _date(data.get("as_of")) or dt.date.today()
    fig = go.Figure()
    rows: list[str] = []
    phase_rows: list[tuple[str, dt.date, dt.date, str]] = []
    actual = [p for p in _as_list(data.get("phases")) if isinstance(p, Mapping)]
    if actual:
        # The monitor's spans: where each phase really lay, as of the report's date.
        for p in actual:
            begun = _date(p.get("start"))
            if begun is None or begun > as_of:
                continue
            ended = _date(p.get("ended"))
            if ended is not None:
                end = ended - dt.timedelta(days=1)
            elif str(p.get("status")) in ("active", "continuing"):
                end = as_of
            else:
                end = _date(p.get("last_day")) or as_of
            name = str(p.get("name") or p.get("id"))
            hover = f"{name}: {cell_text(p.get('status'))}, from {begun}"
            if p.get("last_day"):
                hover += f"; its days ran to {cell_text(p.get('last_day'))}"
            if _number(p.get("extended_days")):
                hover += f" (extended by {cell_text(p.get('extended_days'))} days)"
            phase_rows.append((name, begun, max(end, begun), hover))
    else:
        current = _phase_id(data.get("phase"))
        ids = [p.id for p in view.phases]
        current_index = ids.index(current) if current in ids else len(ids) - 1
        for i, pv in enumerate(view.phases):
            if pv.start_date is None or i > current_index or pv.start_date > as_of:
                continue  # not begun as of the report's date
            end = pv.end_date or as_of
            if pv.id == current:
                # The current phase may run past its days (continuing while talks go on).
                end = max(end, as_of)
            hover = f"{pv.name}: {pv.starts}; {pv.duration}; at expiry {pv.at_expiry}"
            phase_rows.append((pv.name, pv.start_date, max(end, pv.start_date), hover))
    for name, start, end, hover in phase_rows:
        rows.append(name)
        fig.add_trace(
            go.Bar(
                y=[name],
                x=[(end - start).days * 86_400_000 + 86_400_000],
                base=[start.isoformat()],
                orientation="h",
                name=html.escape(name),
                marker={"color": "#8fb3d6"},
                hovertext=[html.escape(hover)],
                hoverinfo="text",
                showlegend=False,
            )
        )
    # Scheduled rounds.
    due_x, due_text = [], []
    for s in view.schedules:
        for r in s.rounds:
            if r.date is not None:
                due_x.append(r.date.isoformat())
                due_text.append(html.escape(f"Clause {s.clause}, {r.label}: due {r.date}"))
    if due_x:
        fig.add_trace(
            go.Scatter(
                x=due_x,
                y=["scheduled rounds"] * len(due_x),
                mode="markers",
                name="round due",
                marker={"symbol": "circle-open", "size": 11, "color": "#0072B2"},
                hovertext=due_text,
                hoverinfo="text",
            )
        )
    actual = [
        e
        for e in events
        if str(_get(e, "action", "")) == "release" and _date(_get(e, "date")) is not None
    ]
    if actual:
        fig.add_trace(
            go.Scatter(
                x=[str(_date(_get(e, "date"))) for e in actual],
                y=["releases"] * len(actual),
                mode="markers",
                name="release",
                marker={"symbol": "circle", "size": 9, "color": "#009E73"},
                hovertext=[
                    html.escape(
                        f"{_get(e, 'date')}: {_get(e, 'actor')} released {_get(e, 'quantity', '')} "
                        f"{cell_text(_get(e, 'category', ''))} ({cell_text(_get(e, 'verification', 'reported'))})"
                    )
                    for e in actual
                ],
                hoverinfo="text",
            )
        )
    late = [
        r
        for r in _as_list(data.get("ledger")) + _as_list(data.get("obligations"))
        if isinstance(r, Mapping)
        and _number(r.get("late_days")) > 0
        and _date(r.get("fulfilled_on") or r.get("delivered_on") or r.get("due")) is not None
    ]
    late_x = [
        str(_date(r.get("fulfilled_on") or r.get("delivered_on") or r.get("due"))) for r in late
    ]
    if late:
        fig.add_trace(
            go.Scatter(
                x=late_x,
                y=["delays"] * len(late),
                mode="markers",
                name="late",
                marker={"symbol": "triangle-up", "size": 11, "color": "#E69F00"},
                hovertext=[
                    html.escape(
                        f"{r.get('id') or r.get('clause')}: late by {r.get('late_days')} day(s)"
                    )
                    for r in late
                ],
                hoverinfo="text",
            )
        )
    violations = [
        v
        for v in _as_list(data.get("violations"))
        if isinstance(v, Mapping) and _date(v.get("date") or v.get("due")) is not None
    ]
    if violations:
        fig.add_trace(
            go.Scatter(
                x=[str(_date(v.get("date") or v.get("due"))) for v in violations],
                y=["violations"] * len(violations),
                mode="markers",
                name="violation",
                marker={
                    "symbol": "x",
                    "size": 12,
                    "color": [
                        "#CC79A7" if "disputed" in cell_text(v.get("verification")) else "#D55E00"
                        for v in violations
                    ],
                },
                hovertext=[
                    html.escape(
                        f"{cell_text(v.get('date'))} {cell_text(v.get('actor'))}: "
                        f"{cell_text(v.get('action') or v.get('description') or v.get('status'))} "
                        f"(clause {cell_text(v.get('clause'))}; {cell_text(v.get('verification'))})"
                    )
                    for v in violations
                ],
                hoverinfo="text",
            )
        )
    order = [*reversed(["violations", "delays", "releases", "scheduled rounds"]), *rows]
    fig.update_layout(
        title={"text": "Timeline: phases, rounds, delays and violations"},
        xaxis={"type": "date", "title": {"text": "date"}},
        yaxis={
            "categoryorder": "array",
            "categoryarray": list(reversed(order)),
            "automargin": True,
        },
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": as_of.isoformat(),
                "x1": as_of.isoformat(),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#444", "dash": "dot", "width": 1},
            }
        ],
        annotations=[
            {
                "x": as_of.isoformat(),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": f"as of {as_of.isoformat()}",
                "showarrow": False,
                "yanchor": "bottom",
            }
        ],
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 140, "r": 20, "t": 60, "b": 40},
        height=360 + 24 * len(rows),
        template="plotly_white",
        barmode="overlay",
    )
    return fig


def _phase_id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return str(value) if value else None


def _phase_name(agreement: Agreement, value: Any) -> str | None:
    pid = _phase_id(value)
    names = {p.id: p.name for p in agreement.phases}
    return f"{names[pid]} ({pid})" if pid in names else pid


def _div(fig: go.Figure, div_id: str) -> Markup:
    # plotly escapes "</" in its JSON, so spec text cannot close the script element.
    return Markup(  # plotly output; user text escaped
        pio.to_html(
            fig,
            full_html=False,
            include_plotlyjs=False,
            div_id=div_id,
            config={"displaylogo": False, "responsive": True},
        )
    )


# --------------------------------------------------------------------------- the page


#: The file name of the plotly bundle written beside pages that share it.
PLOTLY_BUNDLE = f"plotly-{plotly.__version__}.min.js"


def write_plotly_bundle(folder: Path) -> Path:
    """plotly.js from the installed plotly package, written once into ``folder`` for every
    report page there to load (``<script src>``) rather than carry inline."""
    target = folder / PLOTLY_BUNDLE
    code = get_plotlyjs()
    if not target.exists() or target.stat().st_size != len(code.encode("utf-8")):
        target.write_text(code, encoding="utf-8")
    return target


def render_monitor_html(
    report: ReportLike | Mapping[str, Any] | str,
    agreement: Agreement,
    events: Iterable[Event | Mapping[str, Any]] | None = None,
    *,
    plotly_src: str | None = None,
) -> str:
    """The monitoring report as one HTML page that works offline.

    ``report`` is the monitor's report (anything with ``to_json()``, or its JSON
    mapping). ``events`` are the log's events, for the cumulative curves; without
    them the report's own ``events`` list is used when it has one. plotly.js is
    inlined once, unless ``plotly_src`` names the bundle to load instead (a relative
    path beside the page, see :func:`write_plotly_bundle`).
    """
    data = report_json(report)
    event_list = list(events) if events is not None else _as_list(data.get("events"))
    names = {p.id: p.name for p in agreement.parties}
    due = scheduled_releases(agreement)
    done = releases(event_list)
    sides = sorted(
        set(due) | {r.actor for r in done},
        key=lambda p: list(names).index(p) if p in names else len(names),
    )
    eif = agreement.dates.entry_into_force.date if agreement.dates.entry_into_force else None
    as_of = _date(data.get("as_of"))
    charts = [
        _div(
            cumulative_figure(
                names.get(p, p),
                [d for d in due.get(p, []) if unit_of(agreement, d[1]) == unit],
                [r for r in done if r.actor == p and unit_of(agreement, r.category) == unit],
                eif,
                as_of,
                unit,
            ),
            f"cumulative-chart-{i}",
        )
        for i, (p, unit) in enumerate(chart_series(agreement, sides, due, done))
    ]
    timeline = _div(timeline_figure(agreement, data, event_list), "timeline-chart")
    totals = data.get("totals") or {}
    totals_rows = [
        [names.get(str(party), str(party)), str(cat).replace("_", " "), cell_text(n)]
        for party, cats in (totals.items() if isinstance(totals, Mapping) else [])
        if isinstance(cats, Mapping)
        for cat, n in cats.items()
    ]
    outside = data.get("outside_agreement") or {}
    outside_rows = [
        [names.get(str(party), str(party)), str(cat).replace("_", " "), cell_text(n)]
        for party, cats in (outside.items() if isinstance(outside, Mapping) else [])
        if isinstance(cats, Mapping)
        for cat, n in cats.items()
    ]
    reconciliation = _reconciliation(names, totals, outside) if outside_rows else []
    outside_events = [
        [
            cell_text(_get(e, "date")),
            names.get(str(_get(e, "actor")), str(_get(e, "actor"))),
            cell_text(_get(e, "quantity")),
            str(_get(e, "category") or "").replace("_", " "),
            str(_get(e, "source") or ""),
            str(_get(e, "publisher") or ""),
        ]
        for e in _as_list(data.get("outside_agreement_events"))
    ]
    both = data.get("without_disputed")
    both_ways = both_ways_rows(data, both) if isinstance(both, Mapping) else []
    obligation_statuses = [_get(o, "status") for o in _as_list(data.get("obligations"))]
    legend = data.get("legend")
    code = statuses.reading_code(data)
    reading = getattr(report, "reading", None)
    if not isinstance(reading, str):
        reading = None if code is None else statuses.reading_sentence(code)
    env = template_environment(html=True)
    return env.get_template("monitor.html.j2").render(
        title=agreement.title,
        agreement=agreement,
        data=data,
        as_of=cell_text(data.get("as_of")),
        phase=cell_text(_phase_name(agreement, data.get("phase"))),
        phase_status=cell_text(_get(data.get("phase") or {}, "status")),
        agreement_status=cell_text(data.get("agreement_status")).replace("_", " "),
        entry_into_force=cell_text(data.get("entry_into_force")),
        plotly_js=None if plotly_src else Markup(get_plotlyjs()),  # inlined for offline use
        plotly_src=plotly_src,
        charts=charts,
        timeline=timeline,
        totals=totals_rows,
        outside=outside_rows,
        reconciliation=reconciliation,
        outside_events=outside_events,
        phases=table(data.get("phases"), PHASE_COLUMNS),
        obligations=table(grouped_obligations(data.get("obligations")), OBLIGATION_COLUMNS),
        obligation_count=len(_as_list(data.get("obligations"))),
        status_counts={"violated": 0} | statuses.counts(obligation_statuses),
        legend=statuses.legend(
            obligation_statuses, legend if isinstance(legend, Mapping) else None
        ),
        reading=reading,
        other_reading=None if code is None else statuses.OTHER_READING[code],
        label=statuses.label,
        css_class=statuses.css_class,
        ledger=table(data.get("ledger"), LEDGER_COLUMNS),
        next_deadlines=table(data.get("next_deadlines"), DEADLINE_COLUMNS),
        violations=table(data.get("violations"), EVENT_COLUMNS),
        lawful_acts=table(data.get("lawful_acts"), EVENT_COLUMNS),
        powers=table(data.get("powers"), EVENT_COLUMNS),
        disputed=table(data.get("disputed"), DISPUTED_COLUMNS),
        disputed_events=table(data.get("disputed_events"), EVENT_COLUMNS),
        both_ways=both_ways,
    )


def both_ways_rows(data: Mapping[str, Any], without: Mapping[str, Any]) -> list[list[str]]:
    """The headline figures with the disputed events and without them, side by side."""

    def count(d: Mapping[str, Any], status: str) -> str:
        return str(sum(1 for o in _as_list(d.get("obligations")) if _get(o, "status") == status))

    def totals(d: Mapping[str, Any]) -> str:
        t = d.get("totals")
        return cell_text(t) if isinstance(t, Mapping) else ""

    return [
        ["Violations (unlawful acts)", str(len(_as_list(data.get("violations")))),
         str(len(_as_list(without.get("violations"))))],
        ["Obligations violated", count(data, "violated"), count(without, "violated")],
        ["Obligations not recorded", count(data, "not_recorded"),
         count(without, "not_recorded")],
        ["Current phase", cell_text(_get(data.get("phase") or {}, "name")) + " "
         + cell_text(_get(data.get("phase") or {}, "status")),
         cell_text(_get(without.get("phase") or {}, "name")) + " "
         + cell_text(_get(without.get("phase") or {}, "status"))],
        ["Released", totals(data), totals(without)],
    ]  # fmt: skip


def _reconciliation(names: Mapping[str, str], totals: Any, outside: Any) -> list[list[str]]:
    """Per party: released under the agreement, outside it, and in all."""

    def count(part: Any, party: str) -> int:
        cats = part.get(party) if isinstance(part, Mapping) else None
        return sum(int(n) for n in cats.values()) if isinstance(cats, Mapping) else 0

    parties = [str(p) for p in (totals if isinstance(totals, Mapping) else {})]
    parties += [str(p) for p in outside if str(p) not in parties]
    rows = []
    for party in parties:
        under, out = count(totals, party), count(outside, party)
        if under or out:
            rows.append([names.get(party, party), str(under), str(out), str(under + out)])
    return rows
