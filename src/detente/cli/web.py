"""``detente serve``, ``detente users`` and ``detente ledger``: the web application's commands.

Each reads the database from ``--database`` or ``DETENTE_DATABASE_URL`` (default
./detente.db) and applies the migrations first, so a fresh machine needs no set-up.
They need the ``web`` extra (``pip install 'detente[web]'``); without it they say so in
one line and exit 2, and every other command works as before.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from detente.cli.common import err, out
from detente.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from detente.web.signing import Checker, Signer

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
        "cryptography",
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

KeyFile = Annotated[
    str | None,
    typer.Option(
        "--key-file",
        envvar="DETENTE_KEY_FILE",
        help="The ledger's Ed25519 signing key (default: beside the SQLite database,"
        " detente.db -> detente.key; ./detente.key for PostgreSQL).",
    ),
]

keys_app = typer.Typer(help="The ledger's signing key.", no_args_is_help=True)
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


def _key_path(key_file: str | None, database: str | None) -> Path:
    from detente.web.db import database_url
    from detente.web.signing import key_path

    return key_path(key_file, database_url(database))


def _signer(command: str, key_file: str | None, database: str | None) -> Signer:
    from detente.web.signing import SigningKeyError, load_key

    try:
        return load_key(_key_path(key_file, database))
    except SigningKeyError as exc:
        err.print(f"detente {command}: error: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNREADABLE) from None


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database: Database = None,
    key_file: KeyFile = None,
    ssl_keyfile: Annotated[
        Path | None, typer.Option(help="Serve over TLS with this private key (PEM).")
    ] = None,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="Serve over TLS with this certificate (PEM).")
    ] = None,
    behind_https: Annotated[
        bool,
        typer.Option(help="A proxy in front terminates TLS: cookies are Secure, HSTS is sent."),
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Trust X-Forwarded-For/-Proto only from these proxy addresses "
            "(comma-separated; by default from none, so a client cannot choose its address)."
        ),
    ] = None,
) -> None:
    """Run the monitoring cell's web application (dashboard and REST API)."""
    if (ssl_keyfile is None) != (ssl_certfile is None):
        err.print("detente serve: error: give both --ssl-keyfile and --ssl-certfile", markup=False)
        raise typer.Exit(EXIT_UNREADABLE)
    for path in (ssl_keyfile, ssl_certfile):
        if path is not None and not path.is_file():
            err.print(f"detente serve: error: {path}: no such file", markup=False)
            raise typer.Exit(EXIT_UNREADABLE)
    tls = ssl_certfile is not None
    with web_extra("serve"):
        import uvicorn

        from detente.web.app import create_app, settle

        engine = _engine(database)
        app = create_app(
            engine=engine,
            signer=_signer("serve", key_file, database),
            https=tls or behind_https,
            render_process=True,
        )
        settle()
        scheme = "https" if tls else "http"
        out.print(
            f"Détente serving on {scheme}://{host}:{port}/ (OpenAPI at /openapi.json)",
            markup=False,
        )
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            proxy_headers=forwarded_allow_ips is not None,
            forwarded_allow_ips=forwarded_allow_ips or "",
            ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
            ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        )


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
    revoke: Annotated[
        int | None,
        typer.Option("--revoke", help="Revoke the token of this id (see `users tokens`)."),
    ] = None,
    database: Database = None,
) -> None:
    """Make a new API token for a user and print it on the last line (only its hash is
    kept); with --revoke ID, revoke one instead (refused from the next request on)."""
    with web_extra("users token"):
        from detente.web.accounts import AccountError, get_user, issue_token, revoke_token
        from detente.web.db import writing

        engine = _engine(database)
        try:
            with writing(engine) as conn:
                if revoke is not None:
                    revoke_token(conn, name, revoke)
                else:
                    user = get_user(conn, name)
                    if user is None:
                        raise AccountError(f"no user {name!r} who may act (see `users list`)")
                    token_id, token = issue_token(conn, user)
        except AccountError as exc:
            err.print(f"detente users token: error: {exc}", markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_PROBLEMS) from None
    if revoke is not None:
        out.print(f"revoked token {revoke} of {name}", markup=False)
        return
    err.print(
        f"A new API token (id {token_id}) for {name}; send it as 'Authorization: Bearer TOKEN'."
        " It is shown once:"
    )
    sys.stdout.write(token + "\n")


@users_app.command("tokens")
def users_tokens(
    name: Annotated[str, typer.Argument(help="Whose tokens.")],
    database: Database = None,
) -> None:
    """List a user's API tokens: id, when made, when revoked (the tokens are not kept)."""
    with web_extra("users tokens"):
        from detente.web.accounts import AccountError, tokens
        from detente.web.db import reading

        engine = _engine(database)
        try:
            with reading(engine) as conn:
                found = tokens(conn, name)
        except AccountError as exc:
            err.print(f"detente users tokens: error: {exc}", markup=False)
            raise typer.Exit(EXIT_PROBLEMS) from None
    if not found:
        out.print(f"{name} has no API tokens", markup=False)
    for t in found:
        state = f"revoked {t.revoked_at}" if t.revoked_at else "live"
        sys.stdout.write(f"{t.id}\tcreated {t.created_at}\t{state}\n")


def _change(command: str, database: str | None, change: Any, done: str) -> None:
    """Run one account change in a writing transaction; an AccountError exits 1."""
    from detente.web.accounts import AccountError
    from detente.web.db import writing

    engine = _engine(database)
    try:
        with writing(engine) as conn:
            change(conn)
    except AccountError as exc:
        err.print(f"detente users {command}: error: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_PROBLEMS) from None
    out.print(done, markup=False)


@users_app.command("disable")
def users_disable(
    name: Annotated[str, typer.Argument(help="The user to disable.")], database: Database = None
) -> None:
    """Disable a user: sign-in refused, sessions ended, tokens refused (until enabled)."""
    with web_extra("users disable"):
        from detente.web.accounts import disable

        _change("disable", database, lambda c: disable(c, name), f"disabled {name}")


@users_app.command("enable")
def users_enable(
    name: Annotated[str, typer.Argument(help="The user to enable again.")],
    database: Database = None,
) -> None:
    """Enable a disabled user again (their sessions stay ended; tokens not revoked work)."""
    with web_extra("users enable"):
        from detente.web.accounts import enable

        _change("enable", database, lambda c: enable(c, name), f"enabled {name}")


@users_app.command("remove")
def users_remove(
    name: Annotated[str, typer.Argument(help="The user to remove.")], database: Database = None
) -> None:
    """Remove a user for good: tokens revoked, sessions ended; their name stays in the ledger
    and is never given to anyone else."""
    with web_extra("users remove"):
        from detente.web.accounts import remove

        _change("remove", database, lambda c: remove(c, name), f"removed {name}")


@users_app.command("role")
def users_role(
    name: Annotated[str, typer.Argument(help="The user.")],
    role: Annotated[str, typer.Argument(help="admin, editor or viewer.")],
    database: Database = None,
) -> None:
    """Change a user's role; it applies from their next request."""
    with web_extra("users role"):
        from detente.web.accounts import Role, set_role

        if role not in Role.__members__:
            err.print(
                f"detente users role: error: ROLE must be admin, editor or viewer, not {role!r}"
            )
            raise typer.Exit(EXIT_UNREADABLE)
        _change("role", database, lambda c: set_role(c, name, Role(role)), f"{name} is now {role}")


@users_app.command("password")
def users_password(
    name: Annotated[str, typer.Argument(help="The user.")], database: Database = None
) -> None:
    """Set a new password (from a prompt, or stdin when piped); every session of the user ends."""
    with web_extra("users password"):
        from detente.web.accounts import set_password

        password = _read_password()
        _change(
            "password",
            database,
            lambda c: set_password(c, name, password),
            f"new password for {name}; their sessions are ended",
        )


@users_app.command("list")
def users_list(database: Database = None) -> None:
    """Every user: name, role, state (active, disabled, removed)."""
    with web_extra("users list"):
        from sqlalchemy import select

        from detente.web.accounts import account
        from detente.web.db import reading
        from detente.web.tables import users

        engine = _engine(database)
        with reading(engine) as conn:
            names = list(conn.execute(select(users.c.name).order_by(users.c.name)).scalars())
            found = [account(conn, n) for n in names]
    for a in found:
        sys.stdout.write(f"{a.name}\t{a.role.value}\t{a.state}\n")


@keys_app.command("init")
def keys_init(database: Database = None, key_file: KeyFile = None) -> None:
    """Write a new Ed25519 signing key for the ledger (mode 0600); never overwrites one."""
    with web_extra("keys init"):
        from detente.web.signing import init_key, public_key_b64

        path = _key_path(key_file, database)
        try:
            signer = init_key(path)
        except FileExistsError:
            err.print(
                f"detente keys init: error: {path} exists; a key is never overwritten"
                " (entries signed with it could no longer be checked)",
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_UNREADABLE) from None
        except OSError as exc:
            err.print(
                f"detente keys init: error: cannot write {path}: {exc.strerror}",
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_UNREADABLE) from None
    out.print(
        f"wrote {path} (keep it outside the database and backed up)\n"
        f"key id {signer.key_id}, public key {public_key_b64(signer.public)}",
        markup=False,
        soft_wrap=True,
    )


@ledger_app.command("head")
def ledger_head(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the heads to FILE (default: stdout).")
    ] = None,
    database: Database = None,
    key_file: KeyFile = None,
) -> None:
    """Print every agreement's signed tree head (RFC 9162 root, size), to keep elsewhere."""
    with web_extra("ledger head"):
        from detente.web.db import reading
        from detente.web.ledger import heads_document

        engine = _engine(database)
        signer = _signer("ledger head", key_file, database)
        with reading(engine) as conn:
            document = heads_document(conn, signer)
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if out_file is None:
        sys.stdout.write(text)
        return
    try:
        out_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        err.print(
            f"detente ledger head: error: cannot write {out_file}: {exc.strerror}", markup=False
        )
        raise typer.Exit(EXIT_UNREADABLE) from None
    err.print(f"wrote {len(document['heads'])} signed tree heads to {out_file}", markup=False)


def _read_heads(paths: list[Path]) -> list[tuple[str, object]]:
    documents: list[tuple[str, object]] = []
    for path in paths:
        try:
            documents.append((str(path), json.loads(path.read_text(encoding="utf-8"))))
        except OSError as exc:
            err.print(
                f"detente ledger verify: error: cannot read {path}: {exc.strerror}", markup=False
            )
            raise typer.Exit(EXIT_UNREADABLE) from None
        except (ValueError, UnicodeDecodeError) as exc:
            err.print(
                f"detente ledger verify: error: {path} is not JSON: {exc}",
                markup=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_UNREADABLE) from None
    return documents


def _checker(
    key_file: str | None, database: str | None, heads: list[tuple[str, object]]
) -> Checker:
    """The key file's public half; without the file, the public key the kept heads carry."""
    from detente.web.signing import Checker, SigningKeyError, load_key, public_key_from_b64

    path = _key_path(key_file, database)
    if path.exists() or not heads:
        try:
            return load_key(path)
        except SigningKeyError as exc:
            err.print(f"detente ledger verify: error: {exc}", markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_UNREADABLE) from None
    keys = {d.get("public_key") for _, d in heads if isinstance(d, dict)}
    if len(keys) != 1 or not isinstance(next(iter(keys)), str):
        err.print(
            f"detente ledger verify: error: no key at {path}, and the kept heads do not name"
            " one public key",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_UNREADABLE)
    try:
        return Checker(public_key_from_b64(str(next(iter(keys)))))
    except SigningKeyError as exc:
        err.print(f"detente ledger verify: error: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNREADABLE) from None


@ledger_app.command("verify")
def ledger_verify(
    against: Annotated[
        list[Path] | None,
        typer.Option(
            "--against",
            help="Files of signed tree heads kept earlier (`detente ledger head --out`):"
            " the ledger must extend each of them.",
        ),
    ] = None,
    database: Database = None,
    key_file: KeyFile = None,
) -> None:
    """Recompute every hash chain and signature, and check the ledger extends the kept heads:
    exit 0 when intact, 1 naming the first inconsistency."""
    with web_extra("ledger verify"):
        from detente.web.db import reading
        from detente.web.ledger import check_heads, triggers_break, verify_all

        engine = _engine(database)
        heads = _read_heads(list(against or []))
        checker = _checker(key_file, database, heads)
        with reading(engine) as conn:
            checked, found = verify_all(conn, checker, triggers=False)
            for source, document in heads:
                if found is not None:
                    break
                found = check_heads(conn, document, checker, source)
            if found is None:
                found = triggers_break(conn)
    if found is not None:
        err.print(f"ledger broken: {found}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_PROBLEMS)
    kept = f", extending {len(heads)} kept head file(s)" if heads else ""
    out.print(
        f"ledger intact: {checked} entries verified, signed by key {checker.key_id}{kept}",
        markup=False,
    )
    raise typer.Exit(EXIT_OK)


@ledger_app.command("sign")
def ledger_sign(database: Database = None, key_file: KeyFile = None) -> None:
    """Adopt a ledger recorded before signing: sign its unsigned entries, once its chains
    are checked intact. Only entries before an agreement's first signed one are adopted."""
    with web_extra("ledger sign"):
        from detente.web.db import writing
        from detente.web.ledger import LedgerError, adopt

        engine = _engine(database)
        signer = _signer("ledger sign", key_file, database)
        try:
            with writing(engine) as conn:
                signed = adopt(conn, signer)
        except LedgerError as exc:
            err.print(f"detente ledger sign: error: {exc.message}", markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_PROBLEMS) from None
    out.print(f"signed {signed} entries recorded before signing", markup=False)
