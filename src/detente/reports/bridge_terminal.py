"""A bridging search's result on the terminal (``detente bridge``)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from detente.bridging.result import BridgeResult
from detente.reports.bridge import _listed, headline, matrix, search_line
from detente.reports.check_terminal import VERDICT_STYLE

_STYLE = {"holds": VERDICT_STYLE["holds"], "VIOLATED": VERDICT_STYLE["violated"]}


def print_bridge(r: BridgeResult, console: Console, *, shown: int = 10) -> None:
    """The answer, then each proposal (or closest candidate): edits, matrix, redline."""
    console.print(f"[bold]{escape(headline(r))}[/bold]", soft_wrap=True)
    console.print(search_line(r), markup=False, soft_wrap=True)
    for note in r.not_tried:
        console.print(f"[yellow]Not tried:[/yellow] {escape(note)}", soft_wrap=True)
    title, listed = _listed(r)
    if listed:
        console.print(f"\n[bold]{title}[/bold]")
    for p in listed[:shown]:
        console.print(
            f"\n[bold]{p.rank}. {escape(p.draft)}[/bold]: {len(p.edits)} edit(s), distance "
            f"{p.distance}",
            soft_wrap=True,
        )
        for e in p.edits:
            console.print(f"  • {escape(e.summary)}", soft_wrap=True)
        header, rows = matrix(r, p)
        table = Table(*header)
        for row in rows:
            table.add_row(*(f"[{_STYLE[c]}]{c}[/]" if c in _STYLE else escape(c) for c in row))
        console.print(table)
        for red in p.redlines:
            console.print(f"  [bold]{escape(red.target)}[/bold]", soft_wrap=True)
            if red.before:
                console.print(f"    [red strike]{escape(red.before)}[/]", soft_wrap=True)
            console.print(
                f"    [green]{escape(red.after) if red.after else '(struck out)'}[/]",
                soft_wrap=True,
            )
    if len(listed) > shown:
        console.print(f"\n… and {len(listed) - shown} more (--json, --to md|html|docx).")
