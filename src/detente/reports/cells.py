"""The one formatter of a value as a table cell, shared by the HTML, DOCX and web reports."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any


def cell_text(value: Any) -> str:
    """A value as a table cell: mappings as 'k n, k n', lists joined, None as empty."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return ", ".join(f"{str(k).replace('_', ' ')} {cell_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(cell_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def sourced(row: Mapping[str, Any]) -> str:
    """Where a fact comes from, naming who reported it: "AP, via whio.com: https://...";
    the address alone when the row names no publisher."""
    source = cell_text(row.get("source"))
    publisher = cell_text(row.get("publisher"))
    if publisher and source:
        return f"{publisher}: {source}"
    return publisher or source
