"""``detente check`` and ``detente compare``: thin clients of :func:`detente.check` and
:func:`detente.checker.compare.compare`.

Exit codes: 0 every expectation holds; 1 one is violated or unknown; 2 the input
cannot be read or is not a valid spec.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from detente.checker.check import DEFAULT_MAX_STATES
from detente.checker.result import CheckResult
from detente.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, SpecError, UnreadableError

_out = Console(highlight=False)
_err = Console(stderr=True, highlight=False)

VERDICT_STYLE = {"holds": "green", "violated": "red", "unknown": "yellow"}


class _LazyProgress:
    """A progress display on stderr that appears only once a check has run for a second."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.progress: Progress | None = None
        self.task: Any = None

    def __call__(self, states: int) -> None:
        if self.progress is None:
            if time.monotonic() - self.started < 1.0:
                return
            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("exploring: {task.completed:,} states"),
                console=_err,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("explore", total=None)
        self.progress.update(self.task, completed=states)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _load(path: Path) -> Any:
    from detente.language.loader import load

    try:
        return load(path)
    except UnreadableError as exc:
        _err.print(str(exc), markup=False)
        raise typer.Exit(EXIT_UNREADABLE) from None
    except SpecError as exc:
        for problem in exc.problems:
            _err.print(str(problem), markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNREADABLE) from None


def print_result(result: CheckResult, console: Console) -> None:
    """A table of verdicts, then each counterexample's story."""
    table = Table(title=f"{result.agreement}: expectations")
    table.add_column("expectation")
    table.add_column("protects")
    table.add_column("verdict")
    table.add_column("states", justify="right")
    for e in result.expectations:
        style = VERDICT_STYLE[e.verdict]
        table.add_row(e.name, e.protects or "", f"[{style}]{e.verdict}[/{style}]", f"{e.states:,}")
    console.print(table)
    for e in result.expectations:
        if e.verdict == "unknown":
            console.print(
                f"\n[yellow]{e.name}: unknown[/yellow] — the bound of {e.bound:,} states was "
                "reached before an answer; raise --max-states."
            )
        if not e.story:
            continue
        console.print(f"\n[bold red]{e.name} is violated[/bold red]: {e.summary}.", soft_wrap=True)
        for i, step in enumerate(e.story, 1):
            console.print(f"  {i}. {step.text}", markup=False, soft_wrap=True)
    console.print(
        f"\n{result.states_explored:,} states explored in {result.seconds:.2f} s.", markup=False
    )


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

    agreement = _load(path)
    progress = _LazyProgress()
    try:
        result = check(agreement, max_states=max_states, progress=progress)
    finally:
        progress.stop()
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        print_result(result, _out)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_PROBLEMS)


WORD = {"holds": "holds", "violated": "VIOLATED", "unknown": "unknown", "—": "—"}


def compare_command(
    paths: Annotated[list[Path], typer.Argument(help="Two or more drafts of one agreement.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
    max_states: Annotated[
        int, typer.Option("--max-states", help="Bound on explored states per draft.")
    ] = DEFAULT_MAX_STATES,
) -> None:
    """Compare drafts: clause-level differences and the drafts × expectations matrix."""
    from detente.checker.compare import compare

    agreements = [_load(p) for p in paths]
    comparison = compare(agreements, max_states=max_states)
    if as_json:
        sys.stdout.write(json.dumps(comparison.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        short = _short_names(comparison.drafts)
        first = comparison.drafts[0]
        for draft, changes in comparison.changes.items():
            table = Table(title=f"{draft} against {first}")
            table.add_column("clause")
            table.add_column("change")
            table.add_column("fields")
            table.add_column("now")
            for c in changes:
                table.add_row(
                    c.clause, c.change, ", ".join(c.fields), (c.after or c.before or "")[:90]
                )
            _out.print(table)
        matrix = Table(title="Expectations")
        matrix.add_column("expectation", no_wrap=True)
        matrix.add_column("protects")
        for d in short:
            matrix.add_column(d)
        for name, protects in comparison.expectations:
            cells = []
            for i in range(len(comparison.drafts)):
                v = comparison.verdict(i, name)
                style = VERDICT_STYLE.get(v, "")
                cells.append(f"[{style}]{WORD[v]}[/{style}]" if style else WORD[v])
            matrix.add_row(name, protects or "", *cells)
        _out.print(matrix)
    ok = all(r.ok for r in comparison.results)
    raise typer.Exit(EXIT_OK if ok else EXIT_PROBLEMS)


def _short_names(ids: list[str]) -> list[str]:
    """Draft ids without the prefix they all share (``...-hamas-wording`` -> ``hamas-wording``)."""
    if len(ids) < 2:
        return ids
    prefix = os.path.commonprefix(ids)  # noqa: RUF071 - ids, not paths
    if prefix in ids:  # a base and drafts named after it
        return ["base" if i == prefix else i[len(prefix) :].lstrip("-_") or i for i in ids]
    cut = max(prefix.rfind("-"), prefix.rfind("_")) + 1
    return [i[cut:] or i for i in ids]
