"""``detente export``: the agreement for other tools (Promela for Spin, or the validated model as JSON)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from detente.errors import EXIT_PROBLEMS, EXIT_UNREADABLE, SpecError, UnreadableError
from detente.language.model import Agreement

FORMATS = ("promela", "json")

_err = Console(stderr=True, highlight=False)


def export_text(agreement: Agreement, fmt: str) -> str:
    """The agreement in ``fmt``: ``promela`` (a Spin model with one claim per expectation) or ``json``."""
    if fmt == "promela":
        from detente.export.promela import to_promela

        return to_promela(agreement)
    if fmt == "json":
        data = agreement.model_dump(mode="json", by_alias=True, exclude_none=True)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown export format {fmt!r}")


def export(
    path: Annotated[Path, typer.Argument(help="A spec file (agreement or draft).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="promela or json.")] = "promela",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write; stdout when left out.")
    ] = None,
) -> None:
    """Export the agreement: a Promela model for Spin (one ltl claim per expectation), or JSON."""
    from detente.language.loader import load

    if fmt not in FORMATS:
        _err.print(
            f"detente export: error: --format must be one of {', '.join(FORMATS)}, not {fmt!r}"
        )
        raise typer.Exit(EXIT_UNREADABLE)
    try:
        agreement = load(path)
    except UnreadableError as exc:
        _err.print(str(exc), markup=False)
        raise typer.Exit(EXIT_UNREADABLE) from None
    except SpecError as exc:
        for problem in exc.problems:
            _err.print(str(problem), markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_PROBLEMS) from None
    text = export_text(agreement, fmt)
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _err.print(f"{output}: error: cannot write: {exc.strerror or exc}", markup=False)
        raise typer.Exit(EXIT_UNREADABLE) from None
