"""The agreement as text for other tools: ``promela`` (a Spin model with one claim per
expectation) or ``json`` (the validated model)."""

from __future__ import annotations

import json

from detente.language.model import Agreement

FORMATS = ("promela", "json")


def export_text(agreement: Agreement, fmt: str) -> str:
    """The agreement in ``fmt``: ``promela`` (a Spin model with one claim per expectation) or ``json``."""
    if fmt == "promela":
        from detente.export.promela import to_promela

        return to_promela(agreement)
    if fmt == "json":
        data = agreement.model_dump(mode="json", by_alias=True, exclude_none=True)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown export format {fmt!r}")
