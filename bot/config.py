"""Settings from the environment: one place, defaults first, then the environment, fail fast.

`Settings.from_env(os.environ, mode)` reads every variable in `VARIABLES`, checks it, and
raises one `ConfigError` that names every missing or malformed variable at once, so a
start-up with a bad `.env` says everything that is wrong instead of the first thing.

To add a setting: add a field to `Settings` (with its default) and a `Var` row to
`VARIABLES` (its environment name, a parser that raises `ValueError` with a short reason,
and the modes in which it is required). Document it in `.env.example`.
Secrets are fields with `repr=False`, so a logged or printed `Settings` never shows them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

Mode = Literal["socket", "http", "cli"]
MODES: tuple[Mode, ...] = ("socket", "http", "cli")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SLACK_API_URL = "https://slack.com/api/"


class ConfigError(Exception):
    """Missing or malformed configuration; `problems` names each variable."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("configuration problem(s):\n" + "\n".join(f"  {p}" for p in problems))


def _default_knowledge_dir() -> Path:
    from bot.engine.knowledge import default_dir

    return default_dir()


@dataclass(frozen=True)
class Settings:
    mode: Mode = "socket"
    slack_bot_token: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_api_url: str = SLACK_API_URL
    support_channel_id: str | None = None
    support_contact: str | None = None
    host: str = "0.0.0.0"
    port: int = 3000
    knowledge_dir: Path = field(default_factory=_default_knowledge_dir)
    log_level: str = "INFO"
    log_format: str = "text"  # or "json": one JSON object per line
    # storage (bot/store): where, what, how long
    database_url: str | None = field(default=None, repr=False)  # may hold a password
    store_questions: bool = True
    retention_days: int = 90
    # multi-workspace install (HTTP mode): Slack's OAuth flow instead of one bot token
    slack_client_id: str | None = None
    slack_client_secret: str = field(default="", repr=False)

    @property
    def oauth(self) -> bool:
        """Serve Slack's install flow and keep one installation per workspace."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, mode: Mode = "socket") -> Settings:
        """Defaults, overridden by the environment; `ConfigError` naming every bad variable."""
        env = os.environ if environ is None else environ
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        values: dict[str, Any] = {"mode": mode}
        problems: list[str] = []
        for var in VARIABLES:
            raw = env.get(var.name, "").strip()
            if not raw:
                if mode in var.required:
                    problems.append(f"{var.name} is not set: {var.help}")
                continue
            try:
                values[var.field] = var.parse(raw)
            except ValueError as exc:
                problems.append(f"{var.name} is malformed: {exc}")
        problems = _combinations(mode, env) + problems
        if problems:
            raise ConfigError(problems)
        return cls(**values)


def knowledge_dir(override: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The knowledge directory, the same for every command: `override` (the CLI's --kb),
    else KNOWLEDGE_DIR, else the bundled knowledge. Reads only KNOWLEDGE_DIR, so `ask` does
    not fail on a Slack variable it does not use; a malformed one is a ConfigError naming it."""
    if override:
        return Path(override).expanduser()
    env = os.environ if environ is None else environ
    var = next(v for v in VARIABLES if v.field == "knowledge_dir")
    raw = env.get(var.name, "").strip()
    if not raw:
        return _default_knowledge_dir()
    try:
        return Path(var.parse(raw))
    except ValueError as exc:
        raise ConfigError([f"{var.name} is malformed: {exc}"]) from None


def _combinations(mode: Mode, env: Mapping[str, str]) -> list[str]:
    """Rules about variables together: a bot token, or an OAuth app for many workspaces."""
    client_id, secret = (env.get(n, "").strip() for n in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"))
    if bool(client_id) != bool(secret):
        missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
        return [f"{missing} is not set: SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (OAuth install)"]
    if client_id and mode == "socket":
        return [
            "SLACK_CLIENT_ID is set: the OAuth install flow for many workspaces needs HTTP mode "
            "(`declaratiebot serve --http`); for one workspace, unset it and use SLACK_BOT_TOKEN"
        ]
    if mode in SERVE and not client_id and not env.get("SLACK_BOT_TOKEN", "").strip():
        return [f"SLACK_BOT_TOKEN is not set: {BOT_TOKEN_HELP}"]
    return []


# ---------------------------------------------------------------- parsers (raise ValueError)


def _token(prefix: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if not raw.startswith(prefix) or re.search(r"\s", raw):
            raise ValueError(f"expected a token starting with {prefix!r} (the value is not shown)")
        return raw

    return parse


def _secret(raw: str) -> str:
    if re.search(r"\s", raw):
        raise ValueError("contains whitespace (the value is not shown)")
    return raw


def _url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL such as {SLACK_API_URL}, got {raw!r}")
    return raw if raw.endswith("/") else raw + "/"  # the SDK appends the method name


def _channel(raw: str) -> str:
    if not re.fullmatch(r"[CG][A-Z0-9]{2,}", raw):
        raise ValueError(f"expected a channel ID such as C0123ABCD (not a #name), got {raw!r}")
    return raw


def _text(raw: str) -> str:
    if len(raw) > 200:
        raise ValueError(f"at most 200 characters, got {len(raw)}")
    return raw


def _port(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError(f"expected a port number 1-65535, got {raw!r}")
    return int(raw)


def _host(raw: str) -> str:
    if re.search(r"\s", raw):
        raise ValueError(f"expected a host name or address, got {raw!r}")
    return raw


def _directory(raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise ValueError(f"{raw!r} is not a directory")
    return path


def _switch(raw: str) -> bool:
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise ValueError(f"expected one of {'/'.join(TRUE + FALSE)}, got {raw!r}")


MAX_RETENTION_DAYS = 36_500  # 100 years: "keep it all"; more would overflow the purge's date


def _days(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_RETENTION_DAYS:
        raise ValueError(f"expected whole days from 1 to {MAX_RETENTION_DAYS} (100 years), got {raw[:20]!r}")
    return int(raw)


def _database_url(raw: str) -> str:
    if not re.match(r"^(sqlite|postgres|postgresql)(\+\w+)?://", raw):
        raise ValueError(
            "expected sqlite:///PATH or postgresql+psycopg://USER@HOST/DB (the value is not shown)"
        )
    return raw


def _log_format(raw: str) -> str:
    if raw.lower() not in ("text", "json"):
        raise ValueError(f"expected text or json, got {raw!r}")
    return raw.lower()


def _log_level(raw: str) -> str:
    if raw.upper() not in LOG_LEVELS:
        raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return raw.upper()


@dataclass(frozen=True)
class Var:
    name: str  # the environment variable
    field: str  # the Settings field it sets
    parse: Callable[[str], Any]  # raises ValueError with a short reason
    required: frozenset[str] = frozenset()  # the modes in which it must be set
    help: str = ""  # what it is and where to find it (shown when it is missing)


SERVE = frozenset({"socket", "http"})
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")
BOT_TOKEN_HELP = (
    "the Bot User OAuth Token (xoxb-...) from OAuth & Permissions of the Slack app "
    "(or, in HTTP mode, SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install in many workspaces)"
)

VARIABLES: tuple[Var, ...] = (
    Var("SLACK_BOT_TOKEN", "slack_bot_token", _token("xoxb-"), help=BOT_TOKEN_HELP),  # see _combinations
    Var(
        "SLACK_APP_TOKEN",
        "slack_app_token",
        _token("xapp-"),
        frozenset({"socket"}),
        "the app-level token (xapp-..., scope connections:write) from Basic Information, "
        "needed for Socket Mode; or run `declaratiebot serve --http` with SLACK_SIGNING_SECRET",
    ),
    Var(
        "SLACK_SIGNING_SECRET",
        "slack_signing_secret",
        _secret,
        frozenset({"http"}),
        "the Signing Secret from Basic Information, needed for HTTP mode",
    ),
    Var("SLACK_API_URL", "slack_api_url", _url),
    Var("SUPPORT_CHANNEL_ID", "support_channel_id", _channel),
    Var("SUPPORT_CONTACT", "support_contact", _text),
    Var("HOST", "host", _host),
    Var("PORT", "port", _port),
    Var("KNOWLEDGE_DIR", "knowledge_dir", _directory),
    Var("LOG_LEVEL", "log_level", _log_level),
    Var("LOG_FORMAT", "log_format", _log_format),
    Var("DATABASE_URL", "database_url", _database_url),
    Var("STORE_QUESTIONS", "store_questions", _switch),
    Var("RETENTION_DAYS", "retention_days", _days),
    Var("SLACK_CLIENT_ID", "slack_client_id", _host),
    Var("SLACK_CLIENT_SECRET", "slack_client_secret", _secret),
)
