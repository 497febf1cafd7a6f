"""The API against its own OpenAPI document: schemathesis generates requests for every
operation; no answer may be a 5xx or break the schema the document gives for it.

Runs in-process (ASGI) on SQLite with an admin's token; agreement and event ids in
paths point at a real agreement and event, so the generated bodies reach the ledger.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.transport.asgi import ASGI_TRANSPORT

from detente.web.accounts import Role, add_user, new_token
from detente.web.app import create_app
from detente.web.db import open_database, writing
from detente.web.signing import init_key
from tests.web.conftest import MINIMAL, event

TOKEN: dict[str, str] = {}


def _build_app() -> Any:
    """The application on a fresh SQLite file, with one agreement and one event in it."""
    from fastapi.testclient import TestClient

    db = Path(tempfile.mkdtemp(prefix="detente-schemathesis-")) / "detente.db"
    engine = open_database(f"sqlite:///{db}")
    with writing(engine) as conn:
        admin = add_user(conn, "ada", Role.admin, "correct horse battery")
        TOKEN["value"] = new_token(conn, admin)
    app = create_app(engine=engine, signer=init_key(db.with_suffix(".key")))
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {TOKEN['value']}"}
    assert (
        client.post("/api/agreements", content=MINIMAL.read_bytes(), headers=auth).status_code
        == 201
    )
    r = client.post("/api/agreements/truce/events", json=event(id="known"), headers=auth)
    assert r.status_code == 201
    return app


def _jsonl(ctx: Any, value: Any) -> dict[str, Any]:
    """JSON Lines bodies for the import endpoint: text as it is, anything else one line."""
    import json

    if isinstance(value, bytes):
        return {"data": value}
    text = value if isinstance(value, str) else json.dumps(value)
    return {"data": text.encode("utf-8", "surrogatepass")}


ASGI_TRANSPORT.serializer("application/jsonl")(_jsonl)

# Built when the module is collected: schemathesis makes one test per operation from it.
schema = schemathesis.openapi.from_asgi("/openapi.json", _build_app())


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
    derandomize=True,
)
def test_api_honours_its_openapi_document(case: Any) -> None:
    params = case.path_parameters or {}
    if "agreement_id" in params:
        params["agreement_id"] = "truce"
    if "event_id" in params:
        params["event_id"] = "known"
    auth = {"Authorization": f"Bearer {TOKEN['value']}"}
    case.call_and_validate(headers=auth, checks=[not_a_server_error, response_schema_conformance])


def test_openapi_document_describes_every_api_route() -> None:
    raw = schema.raw_schema
    paths = raw["paths"]
    assert "/api/agreements/{agreement_id}/events" in paths
    post = paths["/api/agreements"]["post"]
    assert set(post["responses"]) >= {"201", "401", "403", "409", "422"}
    assert "application/yaml" in post["requestBody"]["content"]
