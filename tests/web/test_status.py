"""GET /status answers exactly what the monitor says of the same log."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from detente.language.loader import load
from detente.monitor import monitor, read_events
from tests.web.conftest import JAN_2025, Cell

LOG = JAN_2025.parent / "events.csv"


@pytest.mark.skipif(not LOG.exists(), reason="the January 2025 log is not in this checkout")
def test_status_of_the_imported_january_2025_log_is_the_monitors(cell: Cell) -> None:
    aid = cell.upload("eli", JAN_2025)
    r = cell.api(
        "POST",
        f"/api/agreements/{aid}/events/import",
        "eli",
        content=Path(LOG).read_bytes(),
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    agreement = load(JAN_2025)
    for as_of in ("2025-01-26", "2025-03-18"):
        web = cell.api("GET", f"/api/agreements/{aid}/status?as_of={as_of}", "eli")
        assert web.status_code == 200
        direct = monitor(
            agreement, read_events(LOG, agreement), as_of=dt.date.fromisoformat(as_of)
        ).to_json()
        direct = json.loads(json.dumps(direct, default=str))
        assert web.json()["ledger"] == direct["ledger"]
        assert web.json()["obligations"] == direct["obligations"]
        assert web.json()["phase"] == direct["phase"]
