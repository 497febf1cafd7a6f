"""The wheel: typed, with its data files, and without the web stack unless asked for."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB_STACK = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "argon2-cffi"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    (built,) = out.glob("detente-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_is_typed_and_carries_its_data_files(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "detente/py.typed" in names
    assert "detente/cli/__main__.py" in names
    assert "detente/reports/templates/monitor.html.j2" in names
    assert "detente/web/migrations/versions/v0001_initial.py" in names
    assert "detente/web/static/detente.css" in names


def test_the_web_stack_is_an_extra(wheel: zipfile.ZipFile) -> None:
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [
        line.removeprefix("Requires-Dist: ")
        for line in wheel.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist: ")
    ]
    core = {r.split(">")[0].split("[")[0].split(";")[0].strip() for r in requires if ";" not in r}
    web = {r.split(">")[0].split("[")[0].strip() for r in requires if "extra == 'web'" in r}
    assert core >= {"pydantic", "typer", "rich", "plotly"}
    assert not core & WEB_STACK
    assert web >= WEB_STACK
    entry = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    assert "detente = detente.cli:main" in wheel.read(entry[0]).decode()
