"""Load on `detente serve`, loopback only, bounded in time (about 2 minutes).

For SQLite and PostgreSQL (a throwaway cluster, fsync on), it measures with wrk:
events recorded per second (POST /api/agreements/ID/events) and the p50/p99 latency of
writes and reads (GET /api/agreements/ID/events?limit=50, and the agreement's dashboard page),
beside a bare FastAPI endpoint (one POST taking JSON, answering 201) served by the same
Uvicorn in the same run, as the ceiling. Prints one table, with the load average (1 min)
before each measure: the figures are only comparable between runs on an equally idle machine.

    .venv/bin/python benchmarks/web_load.py [--seconds 8] [--connections 50] [--warmup 2]

Every measure is preceded by a warm-up of the same requests (``--warmup`` seconds, not
counted; 0 for none): the first requests after a burst of writes replay the new entries
and run the monitor once, which is not what a steady load costs.

Server settings, the same for the ceiling and the application: one Uvicorn process (no
``--workers``), its default event loop and HTTP parser, and the start-up heap frozen out
of the cyclic garbage collector (``detente serve`` does this, see
``detente.web.app.settle``; the bare app does it too). One worker because the machine this
was tuned on has 2 cores shared with wrk and PostgreSQL: two workers lowered both the
ceiling (793 -> 651 req/s) and the application (writes on PostgreSQL 454 -> 325 req/s).

Goals (issue 6): writes at >= 50% of the ceiling's request rate on PostgreSQL; p99 of
the agreement page < 100 ms with 50 concurrent clients. Issue 13, item 6: the page's p99
< 100 ms with 40 readers while 10 writers post, and while 20 anonymous clients flood the
sign-in form. Each goal line also gives the ceiling's p99 of the same run: on a machine
busy with other work every p99 rises, the ceiling's too.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web.pgcluster import Cluster, free_port  # noqa: E402
from tests.web.server import Server, add_user  # noqa: E402

SPEC = ROOT / "tests" / "web" / "fixtures" / "truce.yaml"
PASSWORD = "correct horse battery"
EVENT = {
    "date": "2025-01-19",
    "actor": "a",
    "action": "release",
    "quantity": 2,
    "category": "hostages",
    "clause": "2",
    "source": "https://example.org/benchmark",
}

BARE_APP = textwrap.dedent(
    """
    import sys
    import uvicorn
    from fastapi import FastAPI
    from pydantic import BaseModel

    class Event(BaseModel):
        date: str
        actor: str
        action: str
        quantity: int | None = None
        category: str | None = None
        clause: str | None = None
        source: str

    app = FastAPI()

    @app.post("/bare", status_code=201)
    def bare(event: Event) -> dict[str, str]:
        return {"id": "x"}

    import gc  # the same start-up as detente serve (detente.web.app.settle)
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
    """
)


def lua_post(body: str, headers: dict[str, str]) -> str:
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    return "\n".join(lines) + "\n"


def lua_get(headers: dict[str, str]) -> str:
    return (
        "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
        + "\n"
    )


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


WARMUP = 2


def wrk(url: str, script: str, seconds: int, connections: int) -> dict[str, float]:
    """A warm-up of ``WARMUP`` seconds (not counted), then the measure."""
    if WARMUP:
        _wrk(url, script, WARMUP, connections)
    load = os.getloadavg()[0]
    result = _wrk(url, script, seconds, connections)
    result["load"] = load
    return result


def _wrk(url: str, script: str, seconds: int, connections: int) -> dict[str, float]:
    return _parse(_start(url, script, seconds, connections), seconds)


def _start(url: str, script: str, seconds: int, connections: int) -> subprocess.Popen[str]:
    """wrk started in the background (its Lua script deleted once it has read it)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    threads = min(2, connections)
    proc = subprocess.Popen(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            f.name,
            url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    time.sleep(0.5)
    Path(f.name).unlink()
    return proc


def _parse(proc: subprocess.Popen[str], seconds: int) -> dict[str, float]:
    out, _ = proc.communicate(timeout=seconds + 60)

    def pct(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * UNITS[m.group(2)] if m else float("nan")

    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    n = int(total.group(1)) if total else 0
    non2xx = int(bad.group(1)) if bad else 0
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "ok_rps": (n - non2xx) / seconds,
        "p50": pct("50"),
        "p99": pct("99"),
        "non2xx": non2xx,
        "errors": 1.0 if errors else 0.0,
        "load": os.getloadavg()[0],
    }


def while_loaded(
    url: str, script: str, background: tuple[str, str, int], seconds: int, connections: int
) -> tuple[dict[str, float], dict[str, float]]:
    """The measure of ``url`` while ``background`` (url, script, connections) runs beside it
    for the whole warm-up and measure: (the measure, the background's own figures)."""
    b_url, b_script, b_connections = background
    b_seconds = WARMUP + seconds + 2
    beside = _start(b_url, b_script, b_seconds, b_connections)
    try:
        measured = wrk(url, script, seconds, connections)
    finally:
        other = _parse(beside, b_seconds)
    return measured, other


#: Item 6 of the web hardening issue: signed-in readers of the agreement page, while
#: writers post events, and while anonymous clients flood the sign-in form.
READERS, WRITERS, FLOODERS = 40, 10, 20


def login_flood(base: str) -> str:
    """A wrk script posting wrong passwords for made-up names, as an anonymous client
    would (a real form: its session cookie and CSRF token)."""
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert token
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    body = f"name=guess&password=wrong+password&csrf={token.group(1)}&next=%2F"
    return lua_post(
        body, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    ) + textwrap.dedent(
        """
        counter = 0
        request = function()
          counter = counter + 1
          local body = wrk.body:gsub("name=guess", "name=guess" .. counter)
          return wrk.format(nil, nil, nil, body)
        end
        """
    )


def session_cookie(base: str, name: str) -> str:
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        page = client.get("/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token
        r = client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token.group(1)})
        assert r.status_code == 303, r.text
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def measure(
    label: str, database: str, home: Path, seconds: int, connections: int
) -> list[tuple[str, dict[str, float]]]:
    token = add_user(database, "eli", "editor", PASSWORD)
    server = Server(database, home / f"{label}.log").start()
    try:
        auth = {"Authorization": f"Bearer {token}"}
        r = httpx.post(server.url + "/api/agreements", content=SPEC.read_bytes(), headers=auth)
        assert r.status_code == 201, r.text
        base = server.url + "/api/agreements/truce"
        results = []
        post = lua_post(json.dumps(EVENT), {**auth, "Content-Type": "application/json"})
        results.append(
            (f"{label}: record event (POST)", wrk(base + "/events", post, seconds, connections))
        )
        results.append(
            (
                f"{label}: read 50 events (GET API)",
                wrk(base + "/events?limit=50", lua_get(auth), seconds, connections),
            )
        )
        cookie = session_cookie(server.url, "eli")
        page = lua_get({"Cookie": cookie})
        results.append(
            (
                f"{label}: agreement page (HTML)",
                wrk(server.url + "/agreements/truce", page, seconds, connections),
            )
        )
        post_json = lua_post(json.dumps(EVENT), {**auth, "Content-Type": "application/json"})
        page_40, writes = while_loaded(
            server.url + "/agreements/truce",
            page,
            (base + "/events", post_json, WRITERS),
            seconds,
            READERS,
        )
        results.append((f"{label}: page, {READERS} readers + {WRITERS} writers", page_40))
        results.append((f"{label}:   the {WRITERS} writers meanwhile", writes))
        page_flood, flood = while_loaded(
            server.url + "/agreements/truce",
            page,
            (server.url + "/login", login_flood(server.url), FLOODERS),
            seconds,
            READERS,
        )
        results.append((f"{label}: page, {READERS} readers + login flood", page_flood))
        results.append((f"{label}:   the {FLOODERS} flooders meanwhile", flood))
        verify = httpx.get(base + "/ledger/verify", headers=auth, timeout=120).json()
        assert verify["intact"], verify
        return results
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=WARMUP, help="seconds before each measure")
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="which of sqlite,postgresql to measure"
    )
    args = parser.parse_args()
    globals()["WARMUP"] = args.warmup
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    home = Path(tempfile.mkdtemp(prefix="detente-bench-"))
    rows: list[tuple[str, dict[str, float]]] = []

    port = free_port()
    bare = subprocess.Popen([sys.executable, "-c", BARE_APP, str(port)])
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        post = lua_post(json.dumps(EVENT), {"Content-Type": "application/json"})
        rows.append(
            (
                "ceiling: bare FastAPI POST",
                wrk(f"http://127.0.0.1:{port}/bare", post, args.seconds, args.connections),
            )
        )
    finally:
        bare.terminate()
        bare.wait()

    chosen = args.databases.split(",")
    if "sqlite" in chosen:
        rows += measure(
            "sqlite", f"sqlite:///{home / 'detente.db'}", home, args.seconds, args.connections
        )
    if "postgresql" in chosen:
        cluster = Cluster(fsync=True)
        try:
            rows += measure(
                "postgresql", cluster.new_database(), home, args.seconds, args.connections
            )
        finally:
            cluster.stop()

    ceiling = rows[0][1]["rps"]
    print(
        f"\n{args.connections} concurrent connections, {args.seconds} s each after a "
        f"{args.warmup} s warm-up, wrk on loopback, one Uvicorn process, {os.cpu_count()} CPUs\n"
    )
    print(
        f"{'measure':42} {'req/s':>9} {'2xx/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'% ceiling':>9}"
        f" {'load':>5}"
    )
    for name, r in rows:
        share = 100 * r["rps"] / ceiling if ceiling else float("nan")
        print(
            f"{name:42} {r['rps']:9.0f} {r['ok_rps']:9.0f} {r['p50']:8.1f} {r['p99']:8.1f} {share:8.0f}%"
            f" {r['load']:5.2f}"
        )
    print()
    if "postgresql" in chosen:
        pg_write = next(r for n, r in rows if n.startswith("postgresql: record"))
        print(
            f"goal writes >= 50% of ceiling on PostgreSQL: "
            f"{100 * pg_write['ok_rps'] / ceiling:.1f}% "
            f"({'met' if pg_write['ok_rps'] >= ceiling / 2 else 'NOT met'})"
        )
    for db in chosen:
        page = next(r for n, r in rows if n.startswith(f"{db}: agreement page"))
        print(
            f"goal agreement page p99 < 100 ms ({db}): {page['p99']:.1f} ms "
            f"({'met' if page['p99'] < 100 else 'NOT met'})"
        )
    for db in chosen:
        for what in (f"{WRITERS} writers", "login flood"):
            r = next(r for n, r in rows if n.startswith(f"{db}: page, {READERS} readers + {what}"))
            print(
                f"goal page p99 < 100 ms, {READERS} readers + {what} ({db}): {r['p99']:.1f} ms "
                f"({'met' if r['p99'] < 100 else 'NOT met'}; the ceiling's p99 "
                f"{rows[0][1]['p99']:.1f} ms)"
            )


if __name__ == "__main__":
    main()
