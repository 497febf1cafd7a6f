"""The JSON Schema of the spec language, generated from the typed model."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from detente.language.model import Agreement, Draft

SCHEMA_ID = "https://detente.invalid/schema/detente-spec.schema.json"


class _AgreementFile(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Agreement file")
    agreement: Agreement


def json_schema() -> dict[str, Any]:
    """One schema accepting either an agreement file or a draft file."""
    agreement = _AgreementFile.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    draft = Draft.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
    defs: dict[str, Any] = {}
    for part in (agreement, draft):
        defs.update(part.pop("$defs", {}))
    defs["AgreementFile"] = agreement
    defs["DraftFile"] = draft
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Détente agreement specification",
        "description": "A phased ceasefire-and-exchange agreement, or a draft that extends one.",
        "oneOf": [{"$ref": "#/$defs/AgreementFile"}, {"$ref": "#/$defs/DraftFile"}],
        "$defs": defs,
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
