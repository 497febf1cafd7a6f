"""The agreement for a reader, in the terminal (``detente show``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from detente.language.model import Agreement


def show_agreement(agreement: Agreement, console: Console) -> None:
    console.print(f"[bold]{agreement.title}[/bold]  ({agreement.id}, {agreement.status.value})")
    parties = Table(title="Parties")
    parties.add_column("id")
    parties.add_column("name")
    parties.add_column("role")
    for p in agreement.parties:
        parties.add_row(p.id, p.name, p.role.value)
    console.print(parties)
    for phase in agreement.phases:
        days = f"{phase.duration_days} days" if phase.duration_days else "open-ended"
        console.print(
            f"[bold]{phase.name}[/bold] ({phase.id}, {days}, at expiry: {phase.at_expiry.rule})"
        )
        for clause in agreement.clauses:
            if clause.phase == phase.id:
                console.print(f"  {clause.id}  {clause.kind}: {clause.text}", markup=False)
