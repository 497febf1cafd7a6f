"""The checker's verdicts and a comparison of drafts as terminal tables (``detente check``,
``detente compare``)."""

from __future__ import annotations

import os

from rich.console import Console
from rich.table import Table

from detente.checker.compare import Comparison
from detente.checker.memory import human
from detente.checker.result import CheckResult, ExpectationResult

VERDICT_STYLE = {"holds": "green", "violated": "red", "unknown": "yellow"}
WORD = {"holds": "holds", "violated": "VIOLATED", "unknown": "unknown", "—": "—"}


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
            console.print(f"\n[yellow]{e.name}: unknown[/yellow] — {_limit(e)}", soft_wrap=True)
        if not e.story:
            continue
        console.print(f"\n[bold red]{e.name} is violated[/bold red]: {e.summary}.", soft_wrap=True)
        if e.finding:
            console.print(e.finding, markup=False, soft_wrap=True)
        if e.protects:
            behind = f" {e.position} (sources: {'; '.join(e.sources)})" if e.position else ""
            console.print(
                f"It protects {e.protects_name or e.protects}.{behind}",
                markup=False,
                soft_wrap=True,
            )
        for i, step in enumerate(e.story, 1):
            console.print(f"  {i}. {step.text}", markup=False, soft_wrap=True)
    console.print(
        f"\n{result.states_explored:,} states explored in {result.seconds:.2f} s.", markup=False
    )


def print_comparison(comparison: Comparison, console: Console) -> None:
    """Each draft's clause changes against the first, then the drafts × expectations matrix."""
    short = short_names(comparison.drafts)
    first = comparison.drafts[0]
    for draft, changes in comparison.changes.items():
        table = Table(title=f"{draft} against {first}")
        table.add_column("clause")
        table.add_column("change")
        table.add_column("fields")
        table.add_column("now")
        for c in changes:
            table.add_row(c.clause, c.change, ", ".join(c.fields), (c.after or c.before or "")[:90])
        console.print(table)
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
    console.print(matrix)


def short_names(ids: list[str]) -> list[str]:
    """Draft ids without the prefix they all share (``...-hamas-wording`` -> ``hamas-wording``)."""
    if len(ids) < 2:
        return ids
    prefix = os.path.commonprefix(ids)  # noqa: RUF071 - ids, not paths
    if prefix in ids:  # a base and drafts named after it
        return ["base" if i == prefix else i[len(prefix) :].lstrip("-_") or i for i in ids]
    cut = max(prefix.rfind("-"), prefix.rfind("_")) + 1
    return [i[cut:] or i for i in ids]


def _limit(e: ExpectationResult) -> str:
    """Which bound an unknown verdict reached, in a sentence."""
    lim = e.limit
    if lim is not None and lim.kind == "memory":
        return (
            f"the memory bound of {human(int(lim.bound))} was reached after {lim.states:,} "
            f"state{'' if lim.states == 1 else 's'} "
            f"(the process held {human(lim.memory)}) before an answer; raise --max-memory."
        )
    if lim is not None and lim.kind == "time":
        return (
            f"the time bound of {lim.bound:g} s was reached after {lim.states:,} "
            f"state{'' if lim.states == 1 else 's'} before an answer; raise --max-seconds."
        )
    bound = lim.bound if lim is not None else e.bound
    return f"the bound of {bound or 0:,} states was reached before an answer; raise --max-states."
