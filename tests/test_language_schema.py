"""The published JSON Schema: committed as printed, and it accepts every spec we ship."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.language.schema import json_schema, schema_text
from detente.language.yaml_reader import read_yaml

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "schema" / "detente-spec.schema.json"


def _specs() -> list[Path]:
    # Globbed at collection time: examples are still being written alongside.
    return sorted((ROOT / "examples").rglob("*.yaml")) + sorted(
        (ROOT / "tests" / "fixtures").rglob("*.yaml")
    )


def _as_json(value: Any) -> Any:
    """YAML dates become ISO strings, as a JSON-speaking editor sees them."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value


def _document(text: str) -> Any:
    data, _, problems = read_yaml(text, "<test>")
    assert not problems, problems
    return _as_json(data)


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_the_committed_schema_is_what_detente_schema_prints() -> None:
    printed = CliRunner().invoke(app, ["schema"]).stdout
    assert printed == schema_text()
    assert COMMITTED.read_text(encoding="utf-8") == printed, "run `make schema` and commit it"


@pytest.mark.parametrize("path", _specs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_spec_validates_against_the_schema(
    path: Path, validator: jsonschema.protocols.Validator
) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(_document(path.read_text(encoding="utf-8")))
    ]
    assert not errors, "\n".join(errors[:10])


SHORT_FORMS = """
agreement:
  id: short
  title: Every short form the loader accepts
  status: draft
  dates: {signed: 2024-05-31, entry_into_force: {date: 2024-06-01, time: "08:30"}}
  parties: [{id: a, name: A}, {id: b, name: B}]
  sources: [{id: s, document: test}]
  stocks: [{id: h, holder: a, name: hostages, count: 3}]
  phases:
    - {id: one, name: One, starts: entry_into_force, duration_days: 10, at_expiry: ends}
    - {id: two, name: Two, starts: {after: one, upon_agreement: 7}, at_expiry: unspecified}
  clauses:
    - id: 5
      text: A withdraws.
      source: s
      obligation: {debtor: a, creditor: b, action: withdraw, window: {from: one day 2, by: one end}}
    - id: "7"
      text: Talks.
      source: [s, "S/RES/2735 (2024), para 3"]
      negotiation: {between: [a, b], scope: open, starts_by: one start, on_agreed: two}
    - id: "8"
      text: A may end talks.
      source: s
      power: {holder: a, action: declare_failed, target: 7}
"""


def test_the_schema_accepts_every_short_form_the_loader_does(
    validator: jsonschema.protocols.Validator,
) -> None:
    import detente

    detente.load_text(SHORT_FORMS)
    assert list(validator.iter_errors(_document(SHORT_FORMS))) == []


@pytest.mark.parametrize(
    ("bad", "good"),
    [
        ("starts: entry_into_force", "starts: entry_intoforce"),
        ("at_expiry: ends", "at_expiry: continues_while"),
        ("scope: open", "scope: closed"),
        ("by: one end", "by: one finish"),
        ("id: 5", "id: 5.5"),
    ],
)
def test_the_schema_still_refuses_what_the_loader_refuses(
    bad: str, good: str, validator: jsonschema.protocols.Validator
) -> None:
    text = SHORT_FORMS.replace(bad, good, 1)
    assert text != SHORT_FORMS
    assert list(validator.iter_errors(_document(text)))


def test_the_schema_is_valid_json_with_an_id() -> None:
    data = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert data["$id"].endswith("detente-spec.schema.json")


def test_the_schema_accepts_generated_valid_agreements(
    validator: jsonschema.protocols.Validator,
) -> None:
    from hypothesis import HealthCheck, given, settings

    from tests.strategies import agreement_data

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(agreement_data())
    def one(data: dict[str, Any]) -> None:
        document = {"agreement": _as_json(data)}
        errors = [e.message for e in validator.iter_errors(document)]
        assert not errors, errors[:3]

    one()
