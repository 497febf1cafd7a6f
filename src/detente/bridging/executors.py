"""Where candidates are judged: in this process, or on a Ray cluster (the ``cluster``
extra). Both return the verdicts in the order the candidates were given, so a search
gives the same proposals, in the same order, however it is run."""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Callable
from typing import Any, Protocol

from detente.bridging.apply import Judge, Judged
from detente.bridging.edits import Edit
from detente.errors import EXIT_UNREADABLE, DetenteError

Item = tuple[int, tuple[Edit, ...]]
OnJudged = Callable[[int], None]  # called with how many were judged since the last call


class ClusterError(DetenteError):
    """The Ray cluster cannot be reached or started, or Ray is not installed."""

    exit_code = EXIT_UNREADABLE


class Executor(Protocol):
    workers: int

    def run(self, items: list[Item], on_judged: OnJudged | None = None) -> list[Judged]: ...

    def close(self) -> None: ...


class InProcess:
    """Judge every candidate here, one after another."""

    workers = 1

    def __init__(self, judge: Judge) -> None:
        self.judge = judge

    def run(self, items: list[Item], on_judged: OnJudged | None = None) -> list[Judged]:
        out = []
        for d, edits in items:
            out.append(self.judge(d, edits))
            if on_judged is not None:
                on_judged(1)
        return out

    def close(self) -> None:
        pass


def reachable(address: str, timeout: float = 3.0) -> str | None:
    """Why a ``HOST:PORT`` (or ``ray://HOST:PORT``) address cannot be reached, or None."""
    m = re.fullmatch(r"(?:ray://)?\[?([^\]]+?)\]?:(\d{1,5})", address.strip())
    if m is None:
        return None  # "auto" and the like: Ray itself says
    try:
        with socket.create_connection((m.group(1), int(m.group(2))), timeout=timeout):
            return None
    except OSError as exc:
        return exc.strerror or str(exc) or type(exc).__name__


def _judge_batch(judge: Judge, items: list[Item]) -> list[Judged]:
    return judge.batch(items)


class RayExecutor:
    """Judge candidates as Ray tasks, in batches, on a local cluster of ``workers`` CPUs
    or on the cluster at ``address`` (``RAY_ADDRESS`` when neither is given)."""

    def __init__(
        self,
        judge: Judge,
        *,
        workers: int | None = None,
        address: str | None = None,
        batch: int | None = None,
    ) -> None:
        where = address or "a local cluster"
        if address is not None:
            why = reachable(address)
            if why is not None:
                raise ClusterError(
                    f"detente bridge: error: cannot reach the Ray cluster at {address}: {why}"
                )
        try:
            import ray
        except ImportError:
            raise ClusterError(
                "detente bridge: error: Ray is not installed: pip install 'detente[cluster]'"
            ) from None
        self.ray: Any = ray
        self.started_here = False
        self.setup_seconds = 0.0
        started = time.perf_counter()
        try:
            if not ray.is_initialized():
                if address is not None:
                    ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
                    self.started_here = True
                else:
                    ray.init(
                        num_cpus=workers,
                        include_dashboard=False,
                        log_to_driver=False,
                        logging_level=logging.ERROR,
                    )
                    self.started_here = True
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError …
            message = " ".join(str(exc).split())[:300]
            raise ClusterError(
                f"detente bridge: error: cannot reach the Ray cluster at {where}: {message}"
            ) from None
        cpus = int(ray.cluster_resources().get("CPU", 1))  # type: ignore[no-untyped-call]
        self.workers = max(1, cpus if address is not None or workers is None else workers)
        self.batch = batch
        self.remote = ray.remote(num_cpus=1)(_judge_batch)
        self.judge_ref = ray.put(judge)
        self.setup_seconds = time.perf_counter() - started

    def run(self, items: list[Item], on_judged: OnJudged | None = None) -> list[Judged]:
        ray = self.ray
        size = self.batch or max(1, min(16, len(items) // (self.workers * 4) or 1))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        pending = {self.remote.remote(self.judge_ref, c): i for i, c in enumerate(chunks)}
        done: dict[int, list[Judged]] = {}
        waiting = list(pending)
        while waiting:
            ready, waiting = ray.wait(waiting, num_returns=1)
            for ref in ready:
                i = pending[ref]
                done[i] = ray.get(ref)
                if on_judged is not None:
                    on_judged(len(done[i]))
        return [j for i in range(len(chunks)) for j in done[i]]

    def close(self) -> None:
        if self.started_here:
            self.ray.shutdown()
