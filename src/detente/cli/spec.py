"""``detente validate``, ``show``, ``render`` and ``schema``: the spec itself, for a reader."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from detente.cli.common import cannot_write, err, load_spec, out, report, usage_error
from detente.errors import EXIT_OK, DetenteError


def validate(
    paths: Annotated[list[Path], typer.Argument(help="Spec files (agreements or drafts).")],
) -> None:
    """Check spec files and print every problem as PATH:LINE:COL: error: sentence (and what
    is worth a look as PATH:LINE:COL: warning: sentence; warnings alone exit 0)."""
    from detente.language.loader import load_located

    status = EXIT_OK
    for path in paths:
        try:
            loaded = load_located(path)
        except DetenteError as exc:
            # Every file is read; the worst outcome decides (2 unreadable over 1 invalid).
            status = max(status, report(exc))
        else:
            for warning in loaded.warnings:
                err.print(str(warning), markup=False, soft_wrap=True)
            n = len(loaded.warnings)
            tail = f" ({n} warning{'s' if n != 1 else ''})" if n else ""
            out.print(f"{path}: ok{tail}", markup=False, soft_wrap=True)
    raise typer.Exit(status)


def show(path: Annotated[Path, typer.Argument(help="A spec file.")]) -> None:
    """Print the agreement for a reader: parties, phase timeline, clauses, exchange schedule."""
    from detente.reports.terminal import show_agreement

    show_agreement(load_spec(path), out)


def render(
    path: Annotated[Path, typer.Argument(help="A spec file (agreement or draft).")],
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="md, html or docx; by default the -o file's suffix says, else html."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="The file to write (its folder must exist); '-' or none: standard output "
            "(md and html only).",
        ),
    ] = None,
) -> None:
    """Write the agreement as a document: Markdown, self-contained HTML, or DOCX.

    Without -o (or with -o -) the document goes to standard output and nothing else
    does; with -o FILE it goes to FILE, and 'wrote FILE' to standard error.
    """
    from detente.reports.render import FORMATS, format_for
    from detente.reports.render import render as render_document

    to_stdout = output is None or str(output) == "-"
    fmt: str = "html"
    if to is not None:
        fmt = to
    elif output is not None and not to_stdout:
        fmt = format_for(output)
    if fmt not in FORMATS:
        usage_error("render", f"--to must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if to_stdout and fmt == "docx":
        usage_error("render", "DOCX is binary; give -o FILE.docx")
    data = render_document(load_spec(path), fmt)
    if to_stdout:
        sys.stdout.write(data.decode("utf-8"))
        return
    assert output is not None
    try:
        output.write_bytes(data)
    except OSError as exc:
        cannot_write(output, exc)
    err.print(f"wrote {output}", markup=False)


def schema() -> None:
    """Print the JSON Schema of the spec language."""
    from detente.language.schema import schema_text

    sys.stdout.write(schema_text())
