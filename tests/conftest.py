"""Shared test fixtures, and the rule that nothing skips under CI."""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest
from pluggy import Result

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples"


@pytest.fixture
def minimal_spec() -> Path:
    return FIXTURES / "minimal.yaml"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Result[pytest.TestReport]]:
    """Under CI (``CI=true``) a skipped test is a failed one: a missing service, compiler
    or extra there is a missing install step, not a reason to pass."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which may not skip: {reason}"
