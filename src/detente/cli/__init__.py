"""The ``detente`` command: a thin client of the Python API, and the one place commands live.

One module per group of commands: :mod:`~detente.cli.spec` (validate, show, render,
schema), :mod:`~detente.cli.check` (check, compare), :mod:`~detente.cli.monitor`,
:mod:`~detente.cli.export`, :mod:`~detente.cli.bridge`, :mod:`~detente.cli.web` (serve, users, ledger). They load
and report through :mod:`detente.cli.common`, so every command has the same exit codes:
0 all well; 1 problems found (an invalid spec or event log, an expectation violated or
unknown, a broken ledger); 2 a path cannot be read or the command line is wrong. No
command prints a traceback for bad input.
"""

from __future__ import annotations

import sys

import typer

from detente.cli import bridge, check, export, monitor, spec, web
from detente.cli.common import err, report
from detente.errors import EXIT_PROBLEMS, DetenteError

app = typer.Typer(
    name="detente",
    help="Write phased ceasefire-and-exchange agreements as precise specs; check, compare, monitor.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("validate")(spec.validate)
app.command("show")(spec.show)
app.command("render")(spec.render)
app.command("schema")(spec.schema)
app.command("export")(export.export)
app.command("check")(check.check_command)
app.command("compare")(check.compare_command)
app.command("bridge")(bridge.bridge_command)
app.command("monitor")(monitor.monitor_command)
app.command("serve")(web.serve)
app.add_typer(web.users_app, name="users")
app.add_typer(web.ledger_app, name="ledger")
app.add_typer(web.keys_app, name="keys")


def main() -> None:
    """Entry point: run the app, turning any stray error into one line and exit code 1."""
    try:
        app(prog_name="detente")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except DetenteError as exc:  # a command that let one through still reports it properly
        sys.exit(report(exc))
    except Exception as exc:  # never a traceback for the user
        err.print(f"detente: error: {type(exc).__name__}: {exc}", markup=False)
        sys.exit(EXIT_PROBLEMS)


__all__ = ["app", "main"]
