"""The agreement as one self-contained HTML page (``detente render --to html``).

Everything is inline (CSS, the SVG timeline); the page loads nothing, so it opens
offline and can be mailed as one file. Every string from the spec is escaped by
Jinja2's autoescaping; the SVG geometry is computed here, numbers only.
"""

from __future__ import annotations

from dataclasses import dataclass

from detente.reports.templating import template_environment
from detente.reports.view import DocumentView

#: Width of the drawing area of the timeline, in SVG units.
WIDTH = 900
LEFT = 210
ROW = 34


@dataclass(frozen=True)
class Bar:
    label: str
    title: str
    x: float
    width: float
    y: float
    open_ended: bool
    conditional: bool
    #: A dashed tail: days an extension rule may add, or the phase continuing while talks go on.
    tail_width: float
    tail_label: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    left: int
    bars: list[Bar]
    ticks: list[Tick]
    markers: list[Marker]


def timeline(view: DocumentView) -> Timeline:
    """Phases as bars on a day axis; exchange rounds as markers on their phase's row."""
    # Leave room after the last known day for open-ended phases to show as such.
    horizon = view.horizon_days + max(7, view.horizon_days // 5)
    scale = (WIDTH - LEFT - 20) / horizon

    def x(day: float) -> float:
        return round(LEFT + (day - 1) * scale, 1)

    bars: list[Bar] = []
    rows: dict[str, float] = {}
    for i, p in enumerate(view.phases):
        y = 30 + i * ROW
        rows[p.id] = y
        start = p.start_day or 1
        end = p.end_day if p.end_day is not None else horizon
        when = f"days {start}–{p.end_day}" if p.end_day else f"from day {start}"
        tail, tail_label = 0, ""
        if p.end_day is not None and p.extension_days:
            tail, tail_label = p.extension_days, f"up to {p.extension_days} more days by extension"
        elif p.end_day is not None and p.continues:
            tail, tail_label = min(7, horizon - p.end_day), "continues while talks go on"
        if p.start_date:
            when += f" ({p.start_date}"
            when += f" to {p.end_date})" if p.end_date else " on)"
        bars.append(
            Bar(
                label=p.name,
                title=f"{p.name}: {p.starts}; {when}; at expiry {p.at_expiry}",
                x=x(start),
                width=max(2.0, round((end - start + 1) * scale, 1)),
                y=y,
                open_ended=p.end_day is None,
                conditional=p.conditional,
                tail_width=tail * scale,
                tail_label=tail_label,
            )
        )
    markers = [
        Marker(
            x=x(r.agreement_day) + scale / 2,
            y=rows.get(s.phase, 30) + ROW / 2 - 4,
            title=f"{r.label}: day {r.agreement_day}" + (f" ({r.date})" if r.date else ""),
        )
        for s in view.schedules
        for r in s.rounds
        if r.agreement_day is not None
    ]
    step = max(1, round(horizon / 12))
    ticks = [Tick(x(d), str(d)) for d in range(1, horizon + 1, step)]
    height = 30 + len(view.phases) * ROW + 30
    return Timeline(WIDTH, height, LEFT, bars, ticks, markers)


def render_html(view: DocumentView) -> str:
    env = template_environment(html=True)
    return env.get_template("agreement.html.j2").render(v=view, t=timeline(view))
