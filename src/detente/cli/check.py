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
from typing import Annotated

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


def check_command(
    path: Annotated[Path, typer.Argument(help="A spec file (agreement or draft).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    max_states: Annotated[
        int,
        typer.Option(
            "--max-states", help="Stop exploring after this many states (verdict unknown)."
        ),
    ] = DEFAULT_MAX_STATES,
) -> None:
    """Check every expectation of a spec; tell each counterexample as a dated story."""
    from detente.checker.check import check
    from detente.reports.check_terminal import print_result

    agreement = load_spec(path)
    progress = _LazyProgress()
    try:
        result = check(agreement, max_states=max_states, progress=progress)
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
) -> None:
    """Compare drafts: clause-level differences and the drafts × expectations matrix."""
    from detente.checker.compare import compare
    from detente.reports.check_terminal import print_comparison

    agreements = [load_spec(p) for p in paths]
    comparison = compare(agreements, max_states=max_states)
    if as_json:
        sys.stdout.write(json.dumps(comparison.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        print_comparison(comparison, out)
    ok = all(r.ok for r in comparison.results)
    raise typer.Exit(EXIT_OK if ok else EXIT_PROBLEMS)
