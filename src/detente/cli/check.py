"""``detente check`` and ``detente compare``: thin clients of :func:`detente.check` and
:func:`detente.checker.compare.compare`.

Exit codes: 0 every expectation holds; 1 one is violated or unknown, or a spec is
invalid; 2 a path cannot be read.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn

from detente.checker.check import DEFAULT_MAX_STATES
from detente.cli.common import err, load_spec, out
from detente.errors import EXIT_OK, EXIT_PROBLEMS


class _LazyProgress:
    """A progress display on stderr that appears only once a check has run for a second."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, states: int) -> None:
        if self.progress is None:
            if time.monotonic() - self.started < 1.0:
                return
            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("exploring: {task.completed:,} states"),
                console=err,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("explore", total=None)
        assert self.task is not None
        self.progress.update(self.task, completed=states)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _max_memory(text: str) -> int | Literal["auto"] | None:
    """The ``--max-memory`` option's value: bytes, ``"auto"`` or None (no bound)."""
    from detente.checker.memory import parse_size

    word = text.strip().lower()
    if word in ("auto", ""):
        return "auto"
    if word in ("none", "off", "0"):
        return None
    try:
        return parse_size(text)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--max-memory") from None


def check_command(
    path: Annotated[Path, typer.Argument(help="A spec file (agreement or draft).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    max_states: Annotated[
        int,
        typer.Option(
            "--max-states", help="Stop exploring after this many states (verdict unknown)."
        ),
    ] = DEFAULT_MAX_STATES,
    max_memory: Annotated[
        str,
        typer.Option(
            "--max-memory",
            help="Stop exploring once the process holds this much memory (verdict unknown): "
            "a size such as 512M or 4G (a bare number is megabytes); 'auto' (the default) is "
            "half of the memory available when the check starts; 'none' sets no bound.",
        ),
    ] = "auto",
    max_seconds: Annotated[
        float | None,
        typer.Option(
            "--max-seconds",
            min=0.0,
            help="Stop exploring this many seconds after the check begins (verdict "
            "unknown). Default: no time bound.",
        ),
    ] = None,
    compact: Annotated[
        bool,
        typer.Option(
            "--compact",
            help="Store explored states as fixed-size records: about a third less memory "
            "per state, about a tenth slower. For checks that come near --max-memory.",
        ),
    ] = False,
) -> None:
    """Check every expectation of a spec; tell each counterexample as a dated story."""
    from detente.checker.check import check
    from detente.reports.check_terminal import print_result

    memory = _max_memory(max_memory)
    agreement = load_spec(path)
    progress = _LazyProgress()
    try:
        result = check(
            agreement,
            max_states=max_states,
            max_memory=memory,
            max_seconds=max_seconds,
            progress=progress,
            compact=compact,
        )
    finally:
        progress.stop()
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        print_result(result, out)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_PROBLEMS)


def compare_command(
    paths: Annotated[list[Path], typer.Argument(help="Two or more drafts of one agreement.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    max_states: Annotated[
        int, typer.Option("--max-states", help="Bound on explored states per draft.")
    ] = DEFAULT_MAX_STATES,
    max_memory: Annotated[
        str,
        typer.Option(
            "--max-memory",
            help="Bound on the process's memory per draft: 512M, 4G, 'auto' (half of the "
            "available memory) or 'none'.",
        ),
    ] = "auto",
    max_seconds: Annotated[
        float | None,
        typer.Option(
            "--max-seconds", min=0.0, help="Bound on each draft's exploring time, in seconds."
        ),
    ] = None,
) -> None:
    """Compare drafts: clause-level differences and the drafts × expectations matrix."""
    from detente.checker.compare import compare
    from detente.reports.check_terminal import print_comparison

    agreements = [load_spec(p) for p in paths]
    comparison = compare(
        agreements,
        max_states=max_states,
        max_memory=_max_memory(max_memory),
        max_seconds=max_seconds,
    )
    if as_json:
        sys.stdout.write(json.dumps(comparison.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        print_comparison(comparison, out)
    ok = all(r.ok for r in comparison.results)
    raise typer.Exit(EXIT_OK if ok else EXIT_PROBLEMS)
