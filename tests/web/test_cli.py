"""`detente users` and `detente ledger` as an operator types them."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from detente.cli import app
from detente.web.app import create_app

runner = CliRunner()


def test_users_add_reads_the_password_from_stdin_and_token_prints_it_last(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cell.db'}"
    added = runner.invoke(
        app, ["users", "add", "eli", "--role", "editor", "--database", db], input="s3cret-enough\n"
    )
    assert added.exit_code == 0, added.output
    assert "added eli (editor)" in added.stdout
    made = runner.invoke(app, ["users", "token", "eli", "--database", db])
    assert made.exit_code == 0
    token = made.stdout.strip().splitlines()[-1]
    client = TestClient(create_app(db))
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"name": "eli", "role": "editor"}


def test_users_add_refuses_bad_input(tmp_path: Path, monkeypatch: object) -> None:
    db = f"sqlite:///{tmp_path / 'cell.db'}"
    assert (
        runner.invoke(
            app, ["users", "add", "x", "--role", "boss", "--database", db], input="s3cret-enough\n"
        ).exit_code
        == 2
    )
    assert (
        runner.invoke(app, ["users", "add", "x", "--database", db], input="short\n").exit_code == 1
    )
    assert (
        runner.invoke(
            app, ["users", "add", "x", "--database", db], input="s3cret-enough\n"
        ).exit_code
        == 0
    )
    again = runner.invoke(app, ["users", "add", "x", "--database", db], input="s3cret-enough\n")
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert runner.invoke(app, ["users", "token", "nobody", "--database", db]).exit_code == 1


def test_the_database_comes_from_the_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DETENTE_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert runner.invoke(app, ["ledger", "verify"]).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_an_unusable_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["ledger", "verify", "--database", "postgresql+psycopg://nobody@127.0.0.1:1/x"]
    )
    assert result.exit_code == 2
    assert "cannot open the database" in result.stderr
