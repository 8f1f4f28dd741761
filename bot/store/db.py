"""Opening the database: engine, SQLite pragmas, migrations to the newest schema.

`open_store(url)` is the one entry point: None means a SQLite file in the user's state
directory (created with its folders on first start, WAL mode); `postgresql+psycopg://...`
runs the same code on PostgreSQL, which is how several instances share state. Every open
runs the Alembic migrations in `migrations/versions/` up to head, so an upgrade of the bot
upgrades the schema and keeps the rows.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from bot.store.events import Store

log = logging.getLogger("declaratiebot.store")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
APP_NAME = "declaratiebot"
# any constant: instances migrating the same PostgreSQL database queue on this advisory lock
SCHEMA_LOCK_KEY = 0x6465636C  # "decl"
# how long a write waits for a locked SQLite file or an unreachable PostgreSQL before it
# fails: dedupe runs before Slack's 3-second acknowledgement, so an outage must fail fast
# (the answer goes out anyway; see bot/slack/dedupe.py and bot/slack/recording.py)
WAIT_SECONDS = 2
_alembic = threading.Lock()  # alembic's context and op are module globals: one migration per process


def default_path() -> Path:
    """~/.local/state/declaratiebot/declaratiebot.db on Linux (XDG_STATE_HOME respected)."""
    from platformdirs import user_state_path

    return user_state_path(APP_NAME) / f"{APP_NAME}.db"


def normalize_url(url: str | None, *, create: bool = True) -> str:
    """None -> the default SQLite file (its folder created, unless not `create`);
    postgres:// and postgresql:// -> the psycopg 3 driver."""
    if url is None:
        path = default_path()
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str | None = None, *, create: bool = True) -> Engine:
    """An engine for `url`. A SQLite file (and its folder) is created on first use, or with
    `create=False` never: the file is opened read-write only if it is there already."""
    url = normalize_url(url, create=create)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):  # one shared connection, or each would see its own empty db
            engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
        elif create:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": WAIT_SECONDS})
        else:
            # SQLite's URI mode=rw: fails ("unable to open database file") instead of creating
            uri = Path(database).expanduser().absolute().as_uri() + "?mode=rw"
            engine = create_engine(url, creator=lambda: sqlite3.connect(uri, timeout=WAIT_SECONDS, uri=True))
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args=postgres_connect_args(parsed.query))


# libpq settings for every PostgreSQL connection, unless DATABASE_URL sets them itself: fail
# fast when connecting, notice a peer gone silent (keepalives on idle connections, and
# tcp_user_timeout for data sent and never acknowledged: a partition, not a reset), and let
# the server end a statement that waits too long (on a lock, say). The Slack request path
# also has a hard deadline of its own on every database call (`bot.store.deadline`).
POSTGRES_CONNECT = {
    "connect_timeout": WAIT_SECONDS,
    "keepalives": 1,
    "keepalives_idle": 30,  # seconds idle before the first probe
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,  # milliseconds
}
STATEMENT_TIMEOUT_MS = 30_000  # schema changes lift it (`schema_lock`)


def postgres_connect_args(query: Mapping[str, Any]) -> dict[str, Any]:
    """POSTGRES_CONNECT and the statement timeout, for what the URL's query does not set;
    the timeout is added to the URL's own `options` (e.g. a search_path), not in place of it."""
    args: dict[str, Any] = {k: v for k, v in POSTGRES_CONNECT.items() if k not in query}
    options = query.get("options", "")
    options = options[-1] if isinstance(options, tuple) else options
    if "statement_timeout" not in options:
        args["options"] = f"{options} -c statement_timeout={STATEMENT_TIMEOUT_MS}".strip()
    return args


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses no committed data
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={WAIT_SECONDS * 1000}")  # writers queue, then fail
    cursor.close()


def schema_lock(connection: Connection) -> None:
    """Serialise schema changes between processes, until the transaction ends."""
    if connection.dialect.name == "postgresql":
        # waiting for another instance's migration, and migrating, may take longer than the
        # statement timeout of ordinary work
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # takes the write lock now, not at the first write


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to `revision`; a no-op when it is there already."""
    with _alembic, engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def open_store(url: str | None = None, *, store_questions: bool = True, upgrade: bool = True) -> Store:
    """Open (and create or upgrade) the database at `url`; None -> the default SQLite file."""
    engine = make_engine(url)
    if upgrade:
        migrate(engine)
    log.info("store: %s", loggable_url(engine.url.render_as_string(hide_password=False)))
    return Store(engine, store_questions=store_questions)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for another backend or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or (parsed.database or "") in ("", ":memory:"):
        return None
    return Path(parsed.database or "").expanduser()


def open_existing(url: str | None = None, *, store_questions: bool = True) -> Store:
    """Open a database the bot has written to, for reading (`declaratiebot report`): never
    creates one. A SQLite file that is not there, or a database without declaratiebot's
    schema (a wrong DATABASE_URL would otherwise read as all zeros), is a StoreUnavailable
    naming DATABASE_URL and where it points (password hidden). A schema older than this
    version's is upgraded, as every start of the bot does."""
    full = normalize_url(url, create=False)
    where = loggable_url(full)
    setting = (
        "DATABASE_URL" if url is not None else f"DATABASE_URL is not set, and the default database {where}"
    )
    try:
        path = sqlite_file(full)
    except Exception as exc:  # e.g. a port that is not a number
        raise StoreUnavailable(f"DATABASE_URL {where} is malformed ({one_line(exc)})") from None
    if path is not None and not path.is_file():
        told = (
            f"{setting} does not exist" if url is None else f"DATABASE_URL {where}: there is no file {path}"
        )
        raise StoreUnavailable(
            f"{told}. The report reads the database the bot writes to and does not create one: "
            "set DATABASE_URL as for `declaratiebot serve`"
        )
    try:
        engine = make_engine(full, create=False)
        revision = current_revision(engine)
    except Exception as exc:
        raise StoreUnavailable(
            f"DATABASE_URL {where}: the database could not be opened ({one_line(exc)})"
        ) from None
    scripts = ScriptDirectory(str(MIGRATIONS))
    known = {script.revision for script in scripts.walk_revisions()}
    if revision not in known:
        engine.dispose()
        found = "no declaratiebot tables" if revision is None else f"an unknown schema version {revision!r}"
        raise StoreUnavailable(
            f"DATABASE_URL {where}: {found}; is it the database the bot writes to? "
            "(the report does not create one)"
        )
    try:
        if revision != scripts.get_current_head():  # at head, nothing is written or locked
            migrate(engine)
    except Exception as exc:
        engine.dispose()
        raise StoreUnavailable(
            f"DATABASE_URL {where}: the schema could not be upgraded ({one_line(exc)})"
        ) from None
    return Store(engine, store_questions=store_questions, location=where)


# libpq connection parameters that are secrets, when a URL gives them in its query string
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def loggable_url(url: str) -> str:
    """`url` as it may be logged: the password of the address shown as ***, and every value
    of the query string too (`?password=...`, `?sslpassword=...`, or `options`, which can
    carry anything), keeping the names: `postgresql+psycopg://bot:***@db/x?password=***`."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{host}"
    query = "&".join(f"{name}=***" for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def url_secrets(url: str | None) -> tuple[str, ...]:
    """The secrets a database URL holds, as typed and decoded, for the log redaction: the
    password in the address (`user:PASSWORD@host`) and in the query (`?password=...`)."""
    if not url:
        return ()
    found: list[str] = []
    parts = urlsplit(url)
    userinfo = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""
    if ":" in userinfo:
        found.append(userinfo.split(":", 1)[1])
    raw = [pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair]
    found += [value for name, value in raw if unquote(name).lower() in SECRET_PARAMETERS]
    decoded = [unquote(s) for s in found] + [unquote(s.replace("+", " ")) for s in found]
    return tuple(dict.fromkeys(s for s in found + decoded if s))


class StoreUnavailable(Exception):
    """The database of DATABASE_URL could not be opened; the message names the setting and
    the reason in one line, never the URL (it may hold a password)."""


def one_line(exc: Exception) -> str:
    """An error in one line: its type and the first line of its message (no SQL, no URL)."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {reason[0] if reason else ''}"[:300]


def open_configured(database_url: str | None, store_questions: bool = True) -> Store:
    """`open_store`, with any failure told as a StoreUnavailable naming DATABASE_URL."""
    try:
        return open_store(database_url, store_questions=store_questions)
    except Exception as exc:
        raise StoreUnavailable(f"DATABASE_URL: the database could not be opened ({one_line(exc)})") from None
