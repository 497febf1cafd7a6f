"""The ``detente`` command: a thin client of the Python API.

Exit codes (every command): 0 all good; 1 problems found (invalid input, an
expectation violated or unknown, a broken ledger); 2 a path that cannot be read
or a usage error. No command prints a traceback for bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from detente.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE, SpecError, UnreadableError

app = typer.Typer(
    name="detente",
    help="Write phased ceasefire-and-exchange agreements as precise specs; check, compare, monitor.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def report_problems(exc: SpecError) -> None:
    for problem in exc.problems:
        err.print(str(problem), markup=False, soft_wrap=True)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Spec files (agreements or drafts).")],
) -> None:
    """Check spec files and print every problem as PATH:LINE:COL: error: sentence."""
    from detente.language.loader import load

    status = EXIT_OK
    for path in paths:
        try:
            load(path)
        except UnreadableError as exc:
            err.print(str(exc), markup=False)
            status = max(status, EXIT_UNREADABLE)
        except SpecError as exc:
            report_problems(exc)
            status = max(status, EXIT_PROBLEMS) if status != EXIT_UNREADABLE else status
        else:
            out.print(f"{path}: ok", markup=False)
    raise typer.Exit(status)


@app.command()
def show(path: Annotated[Path, typer.Argument(help="A spec file.")]) -> None:
    """Print the agreement for a reader: parties, phase timeline, clauses, exchange schedule."""
    from detente.language.loader import load
    from detente.reports.terminal import show_agreement

    agreement = _load_or_exit(path, load)
    show_agreement(agreement, out)


@app.command()
def render(
    path: Annotated[Path, typer.Argument(help="A spec file (agreement or draft).")],
    to: Annotated[str, typer.Option("--to", help="md, html or docx.")] = "html",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write; '-' for stdout.")
    ] = None,
) -> None:
    """Write the agreement as a document: Markdown, self-contained HTML, or DOCX."""
    from detente.language.loader import load
    from detente.reports.render import FORMATS, default_output
    from detente.reports.render import render as render_document

    if to not in FORMATS:
        err.print(f"detente render: error: --to must be one of {', '.join(FORMATS)}, not {to!r}")
        raise typer.Exit(EXIT_UNREADABLE)
    agreement = _load_or_exit(path, load)
    data = render_document(agreement, to)
    if output is not None and str(output) == "-":
        if to == "docx":
            err.print("detente render: error: DOCX is binary; give -o FILE.docx")
            raise typer.Exit(EXIT_UNREADABLE)
        sys.stdout.write(data.decode("utf-8"))
        return
    target = output or default_output(path, to)
    try:
        target.write_bytes(data)
    except OSError as exc:
        err.print(f"{target}: error: cannot write: {exc.strerror or exc}", markup=False)
        raise typer.Exit(EXIT_UNREADABLE) from None
    out.print(f"wrote {target}", markup=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the spec language."""
    from detente.language.schema import schema_text

    sys.stdout.write(schema_text())


# `detente export` lives with the exports (src/detente/export/command.py).
from detente.export.command import export as _export  # noqa: E402

app.command("export")(_export)

# `detente check` and `detente compare` live with the checker (src/detente/checker/command.py).
from detente.checker.command import check_command as _check  # noqa: E402
from detente.checker.command import compare_command as _compare  # noqa: E402

app.command("check")(_check)
app.command("compare")(_compare)

# `detente monitor` lives with the monitor (src/detente/monitor/cli.py).
from detente.monitor.cli import monitor_command as _monitor  # noqa: E402

app.command("monitor")(_monitor)

# `detente serve`, `users` and `ledger` live with the web application (src/detente/web/cli.py).
from detente.web.cli import ledger_app, serve, users_app  # noqa: E402

app.command("serve")(serve)
app.add_typer(users_app, name="users")
app.add_typer(ledger_app, name="ledger")


def _load_or_exit(path: Path, loader):  # type: ignore[no-untyped-def]
    try:
        return loader(path)
    except UnreadableError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(EXIT_UNREADABLE) from None
    except SpecError as exc:
        report_problems(exc)
        raise typer.Exit(EXIT_PROBLEMS) from None


def main() -> None:
    """Entry point: run the app, turning any stray error into one line and exit code 1."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # never a traceback for the user
        err.print(f"detente: error: {type(exc).__name__}: {exc}", markup=False)
        sys.exit(EXIT_PROBLEMS)


if __name__ == "__main__":
    main()
