"""``detente export``: the agreement for other tools (Promela for Spin, or the validated model as JSON)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from detente.cli.common import cannot_write, load_spec, usage_error
from detente.export.formats import FORMATS, export_text


def export(
    path: Annotated[Path, typer.Argument(help="A spec file (agreement or draft).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="promela or json.")] = "promela",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write; stdout when left out.")
    ] = None,
) -> None:
    """Export the agreement: a Promela model for Spin (one ltl claim per expectation), or JSON."""
    if fmt not in FORMATS:
        usage_error("export", f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    text = export_text(load_spec(path), fmt)
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        cannot_write(output, exc)
