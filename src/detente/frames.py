"""Tables for analysts in notebooks: the rows behind ``to_frame()`` and ``_repr_html_``.

pandas is an optional extra (``pip install 'detente[frames]'``) and is imported only when
a frame is asked for, never when a domain package is imported; ``_repr_html_`` draws its
table without pandas, so results render as tables in Jupyter either way.
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: The one-line message when pandas is missing.
NO_PANDAS = "to_frame() needs pandas: pip install 'detente[frames]'"

#: Columns read as dates in frames (ISO 8601 text in the JSON).
DATE_COLUMNS = frozenset(
    {"date", "due", "opens", "fulfilled_on", "delivered_on", "start", "last_day", "ended"}
)

Row = Mapping[str, Any]


def pandas() -> Any:
    """The pandas module, or ModuleNotFoundError with a one-line way to install it."""
    try:
        return importlib.import_module("pandas")
    except ModuleNotFoundError as missing:
        raise ModuleNotFoundError(NO_PANDAS) from missing


def frame(rows: Iterable[Row], columns: Sequence[str]) -> Any:
    """A pandas DataFrame of ``rows`` with ``columns`` in this order: whole numbers stay
    whole where a value is missing (nullable dtypes), dates are parsed."""
    pd = pandas()
    data = pd.DataFrame([{c: _flat(r.get(c)) for c in columns} for r in rows], columns=columns)
    data = data.convert_dtypes()
    for c in columns:
        if c in DATE_COLUMNS:
            data[c] = pd.to_datetime(data[c], errors="coerce")
    return data


def html_table(rows: Iterable[Row], columns: Sequence[str], caption: str = "") -> str:
    """An HTML table of ``rows`` for Jupyter, every value escaped."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(r.get(c)))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="detente">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def _flat(value: Any) -> Any:
    """A cell: a mapping of counts as "category: n" text, a list joined with commas."""
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or None
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or None
    return value


def _text(value: Any) -> str:
    flat = _flat(value)
    return "" if flat is None else str(flat)
