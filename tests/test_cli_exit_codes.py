"""Every command's exit codes, as the README gives them: 1 on an invalid spec or event log,
2 on a path that cannot be read or a wrong command line, and never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = str(FIXTURES / "monitor_spec.yaml")
EVENTS = str(FIXTURES / "monitor_events.csv")

runner = CliRunner()

#: Every command that reads a spec, with ``{spec}`` where the spec goes.
SPEC_COMMANDS: list[list[str]] = [
    ["validate", "{spec}"],
    ["show", "{spec}"],
    ["render", "{spec}", "--to", "md", "-o", "{tmp}/out.md"],
    ["export", "{spec}"],
    ["export", "--format", "json", "{spec}"],
    ["check", "{spec}"],
    ["check", "--json", "{spec}"],
    ["compare", GOOD, "{spec}"],
    ["compare", "{spec}", GOOD, "--json"],
    ["monitor", "{spec}", EVENTS],
    ["monitor", "{spec}", EVENTS, "--json"],
    ["monitor", "{spec}", EVENTS, "--export", "acled"],
]


def invoke(argv: list[str], stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, argv, input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        argv,
        result.exception,
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return result.exit_code, output


def fill(argv: list[str], spec: Path, tmp: Path) -> list[str]:
    return [a.replace("{spec}", str(spec)).replace("{tmp}", str(tmp)) for a in argv]


@pytest.mark.parametrize("argv", SPEC_COMMANDS, ids=" ".join)
def test_an_invalid_spec_exits_1(argv: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("agreement:\n  id: x\n  phases: 3\n", encoding="utf-8")
    code, output = invoke(fill(argv, bad, tmp_path))
    assert code == 1, output
    assert f"{bad}:" in output  # the problem, located


@pytest.mark.parametrize("argv", SPEC_COMMANDS, ids=" ".join)
def test_a_missing_spec_exits_2(argv: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    code, output = invoke(fill(argv, missing, tmp_path))
    assert code == 2, output
    assert "cannot read" in output


def test_an_invalid_or_missing_event_log(tmp_path: Path) -> None:
    bad = tmp_path / "events.csv"
    bad.write_text("date,actor,action\nnot a date,nobody,dance\n", encoding="utf-8")
    code, output = invoke(["monitor", GOOD, str(bad)])
    assert code == 1, output
    code, output = invoke(["monitor", GOOD, str(tmp_path / "missing.csv")])
    assert code == 2, output


@pytest.mark.parametrize(
    "argv",
    [
        ["serve", "--port", "1"],
        ["users", "token", "alice"],
        ["users", "add", "alice", "--role", "editor"],
        ["ledger", "verify"],
    ],
    ids=" ".join,
)
def test_a_database_that_cannot_be_opened_exits_2(argv: list[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/no/such/folder/detente.db"
    code, output = invoke([*argv, "--database", url], stdin="a long enough password\n")
    assert code == 2, output
    assert "cannot open the database" in output


@pytest.mark.parametrize(
    "argv",
    [
        ["no-such-command"],
        ["check", "--max-states", "many", GOOD],
        ["render", GOOD, "--to", "pdf"],
        ["render", GOOD, "--to", "docx", "-o", "-"],
        ["export", "--format", "xml", GOOD],
        ["monitor", GOOD, EVENTS, "--as-of", "yesterday"],
        ["monitor", GOOD, EVENTS, "--export", "csv"],
        ["users", "add", "alice", "--role", "king"],
        ["compare"],
    ],
    ids=" ".join,
)
def test_a_wrong_command_line_exits_2(argv: list[str]) -> None:
    code, output = invoke(argv)
    assert code == 2, output


WITHOUT_WEB = """
import sys
for name in ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "argon2", "psycopg"):
    sys.modules[name] = None  # as if the web extra were not installed
from detente.cli import main
sys.argv = ["detente", *sys.argv[1:]]
main()
"""


def without_web(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_WEB, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "argv", [["serve"], ["users", "token", "alice"], ["ledger", "verify"]], ids=" ".join
)
def test_web_commands_without_the_web_extra_say_so_in_one_line(argv: list[str]) -> None:
    proc = without_web(*argv, "--database", "sqlite:///:memory:")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "pip install 'detente[web]'" in lines[0]


def test_the_other_commands_need_no_web_extra() -> None:
    proc = without_web("validate", GOOD)
    assert proc.returncode == 0, proc.stderr
    proc = without_web("monitor", GOOD, EVENTS, "--json")
    assert proc.returncode == 0, proc.stderr
