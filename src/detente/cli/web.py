"""``detente serve``, ``detente users`` and ``detente ledger``: the web application's commands.

Each reads the database from ``--database`` or ``DETENTE_DATABASE_URL`` (default
./detente.db) and applies the migrations first, so a fresh machine needs no set-up.
They need the ``web`` extra (``pip install 'detente[web]'``); without it they say so in
one line and exit 2, and every other command works as before.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from detente.cli.common import err, out
from detente.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE

if TYPE_CHECKING:
    from sqlalchemy import Engine

#: The top-level modules of the ``web`` extra's packages.
WEB_EXTRA = frozenset(
    {
        "fastapi",
        "starlette",
        "uvicorn",
        "sqlalchemy",
        "alembic",
        "psycopg",
        "argon2",
        "multipart",
        "python_multipart",
        "itsdangerous",
    }
)

Database = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="DETENTE_DATABASE_URL",
        help="sqlite:///PATH (default ./detente.db) or postgresql+psycopg://USER@HOST/DB.",
    ),
]

users_app = typer.Typer(help="Accounts of the web application.", no_args_is_help=True)
ledger_app = typer.Typer(help="The append-only event ledger.", no_args_is_help=True)


@contextmanager
def web_extra(command: str) -> Iterator[None]:
    """Run a command that needs the web stack; if a package of it is missing, say so in one line."""
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in WEB_EXTRA:
            raise
        err.print(
            f"detente {command}: error: this needs the web extra ({missing} is not installed):"
            " pip install 'detente[web]'",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_UNREADABLE) from None


def _engine(database: str | None) -> Engine:
    from detente.web.db import open_database

    try:
        return open_database(database)
    except ModuleNotFoundError:
        raise  # a missing driver or extra: web_extra() reports it
    except Exception as exc:  # a URL that does not work, a server that is down
        err.print(f"detente: error: cannot open the database: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNREADABLE) from None


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database: Database = None,
) -> None:
    """Run the monitoring cell's web application (dashboard and REST API)."""
    with web_extra("serve"):
        import uvicorn

        from detente.web.app import create_app, settle

        app = create_app(engine=_engine(database))
        settle()
        out.print(f"Détente serving on http://{host}:{port}/ (API docs at /docs)", markup=False)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def _read_password() -> str:
    if sys.stdin.isatty():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    role: Annotated[str, typer.Option("--role", help="admin, editor or viewer.")] = "viewer",
    database: Database = None,
) -> None:
    """Add a user; the password comes from a prompt, or from standard input when piped."""
    with web_extra("users add"):
        from detente.web.accounts import AccountError, Role, add_user
        from detente.web.db import writing

        if role not in Role.__members__:
            err.print(
                f"detente users add: error: --role must be admin, editor or viewer, not {role!r}"
            )
            raise typer.Exit(EXIT_UNREADABLE)
        password = _read_password()
        engine = _engine(database)
        try:
            with writing(engine) as conn:
                add_user(conn, name, Role(role), password)
        except AccountError as exc:
            err.print(f"detente users add: error: {exc}", markup=False)
            raise typer.Exit(EXIT_PROBLEMS) from None
    out.print(f"added {name} ({role})", markup=False)


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    database: Database = None,
) -> None:
    """Make a new API token for a user and print it on the last line (only its hash is kept)."""
    with web_extra("users token"):
        from detente.web.accounts import get_user, new_token
        from detente.web.db import writing

        engine = _engine(database)
        with writing(engine) as conn:
            user = get_user(conn, name)
            if user is None:
                err.print(f"detente users token: error: no user {name!r}", markup=False)
                raise typer.Exit(EXIT_PROBLEMS)
            token = new_token(conn, user)
    err.print(
        f"A new API token for {name}; send it as 'Authorization: Bearer TOKEN'. It is shown once:"
    )
    sys.stdout.write(token + "\n")


@ledger_app.command("verify")
def ledger_verify(database: Database = None) -> None:
    """Recompute every hash chain: exit 0 when intact, 1 naming the first broken entry."""
    with web_extra("ledger verify"):
        from detente.web.db import reading
        from detente.web.ledger import verify_all

        engine = _engine(database)
        with reading(engine) as conn:
            checked, found = verify_all(conn)
    if found is not None:
        err.print(f"ledger broken: {found}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS)
    out.print(f"ledger intact: {checked} entries verified", markup=False)
    raise typer.Exit(EXIT_OK)
