"""A real `detente serve` in a subprocess on a free loopback port (browser, durability, benchmark)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.web.pgcluster import free_port

DETENTE = [sys.executable, "-m", "detente.cli"]


def detente(*args: str, database: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [*DETENTE, *args, "--database", database],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"detente {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def add_user(database: str, name: str, role: str, password: str) -> str:
    """Add a user through the CLI (password on stdin) and return a new API token."""
    detente("users", "add", name, "--role", role, database=database, stdin=password + "\n")
    return detente("users", "token", name, database=database).strip().splitlines()[-1]


class Server:
    def __init__(self, database: str, log: Path) -> None:
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def key_file(self) -> str:
        """The ledger key: the one the environment names, else one made beside the log."""
        chosen = os.environ.get("DETENTE_KEY_FILE")
        if chosen:
            return chosen
        path = self.log.parent / "ledger.key"
        if not path.exists():
            from detente.web.signing import init_key

            init_key(path)
        return str(path)

    def start(self, timeout: float = 60) -> Server:
        key = self.key_file()
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    *DETENTE,
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--database",
                    self.database,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", "DETENTE_KEY_FILE": key},
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"detente serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("detente serve did not come up")

    def kill(self) -> None:
        """kill -9: no shutdown, no flush."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
