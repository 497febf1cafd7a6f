"""Fixtures of the web tests: the same tests on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from detente.web.accounts import Role, add_user, new_token
from detente.web.app import create_app
from detente.web.db import open_database, writing
from tests.web.pgcluster import Cluster, bin_dir

ROOT = Path(__file__).resolve().parents[2]
JAN_2025 = ROOT / "examples" / "jan-2025-ceasefire" / "agreement.yaml"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "truce.yaml"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    if bin_dir() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL binaries are missing and CI is set: install postgresql")
        pytest.skip("PostgreSQL binaries not installed")
    cluster = Cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'detente.db'}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    yield engine
    engine.dispose()


class Cell:
    """An application with users of every role and their tokens."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.app = create_app(engine=engine)
        self.client = TestClient(self.app)
        self.tokens: dict[str, str] = {}
        for name, role in [
            ("ada", Role.admin),
            ("adam", Role.admin),
            ("eli", Role.editor),
            ("eve", Role.editor),
            ("vic", Role.viewer),
            ("val", Role.viewer),
            ("zed", Role.viewer),
        ]:
            with writing(engine) as conn:
                user = add_user(conn, name, role, PASSWORD)
                self.tokens[name] = new_token(conn, user)

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def api(self, method: str, url: str, name: str | None = None, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}))
        if name is not None:
            headers.update(self.auth(name))
        return self.client.request(method, url, headers=headers, **kw)

    def upload(self, name: str = "eli", spec: Path | str = MINIMAL) -> str:
        text = spec.read_text() if isinstance(spec, Path) else spec
        r = self.api(
            "POST",
            "/api/agreements",
            name,
            content=text.encode(),
            headers={"Content-Type": "application/yaml"},
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])


def event(**changes: Any) -> dict[str, Any]:
    """A valid event of the minimal fixture: side A releases two hostages on day 1."""
    base: dict[str, Any] = {
        "date": "2025-01-19",
        "actor": "a",
        "action": "release",
        "quantity": 2,
        "category": "hostages",
        "clause": "2",
        "source": "https://example.org/report-1",
        "reported_by": "m",
    }
    base.update(changes)
    return base


@pytest.fixture
def cell(engine: Engine) -> Cell:
    return Cell(engine)


@pytest.fixture(autouse=True)
def ledger_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's ledger signing key, made as an operator would (``detente keys init``
    writes the same file), and found through ``DETENTE_KEY_FILE`` by the application, the
    commands run in-process and the servers started in a subprocess."""
    from detente.web.signing import init_key

    path = tmp_path / "keys" / "ledger.key"
    init_key(path)
    monkeypatch.setenv("DETENTE_KEY_FILE", str(path))
    return path


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its lowest cost in tests (production keeps the library's defaults)."""
    from argon2 import PasswordHasher

    from detente.web import accounts

    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
