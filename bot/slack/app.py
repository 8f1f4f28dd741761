"""The Bolt app: `build_app(settings, engine)`, and `serve(settings)` to run it.

`build_app` wires a WebClient (base URL from SLACK_API_URL; the SDK's retry handlers for
rate limits, server errors and dropped connections), the same retries for replies sent to
a response_url (`webhook_client`), a once-per-event guard, an error
handler that logs every final failure with the event id, and the listeners. `serve` runs
it over Socket Mode (no public URL needed) or, in HTTP mode, on `bot/slack/http.py`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import signal
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import UTC, datetime, timedelta
from http.client import RemoteDisconnected
from typing import Any, Protocol
from urllib.error import URLError

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import payload_utils
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

from bot.config import ConfigError, Settings
from bot.engine.answer import Engine
from bot.logs import configure_logging
from bot.slack import blocks
from bot.slack.dedupe import Dedupe, MemoryDedupe, StoreDedupe
from bot.slack.listeners import register_listeners
from bot.slack.recording import Recorder, team_of
from bot.slack.replies import Deps, Usage, describe, now, report_failure
from bot.store.deadline import Deadline
from bot.store.events import Store

log = logging.getLogger("declaratiebot.slack")

RETRIES = 2  # extra attempts per Web API call after a 429, a 5xx or a dropped connection
TIMEOUT = 10  # seconds per Web API call
PING_INTERVAL = 2  # seconds between Socket Mode pings
RETRY_ERRORS: list[type[Exception]] = [URLError, ConnectionResetError, RemoteDisconnected, TimeoutError]
# the bot scopes of app.yaml, asked for by the OAuth install flow (tests/slack/test_manifest.py
# checks that the two agree)
BOT_SCOPES = ("app_mentions:read", "chat:write", "commands", "im:history", "files:read")


class EngineSource(Protocol):
    """Something that holds the current engine, e.g. `bot.reload.LiveKnowledge`."""

    @property
    def engine(self) -> Engine: ...


class AnyServerErrorRetryHandler(ServerErrorRetryHandler):
    """Retries every HTTP 5xx (500-599), with the SDK's backoff (0.5 s, 1 s, ... with jitter).
    The SDK's own ServerErrorRetryHandler retries only 500 and 503, so a 502 or 504 from a
    proxy or load balancer in front of Slack would lose the reply."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code <= 599


def retry_handlers() -> list[RetryHandler]:
    """What is retried, RETRIES times: a 429 (after its Retry-After), any 5xx (with backoff),
    a refused or dropped connection, and a read timeout (TimeoutError): a reply that timed
    out, or got a 502 or 504 from a gateway, is retried at the risk of Slack having taken it
    after all."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=RETRIES, error_types=RETRY_ERRORS),
        RateLimitErrorRetryHandler(max_retry_count=RETRIES),
        AnyServerErrorRetryHandler(max_retry_count=RETRIES),
    ]


def web_client(settings: Settings, token: str | None = "") -> WebClient:
    """A client for SLACK_API_URL with the retry handlers; `token` "" means the bot token."""
    return WebClient(
        token=settings.slack_bot_token if token == "" else token,
        base_url=settings.slack_api_url,
        timeout=TIMEOUT,
        retry_handlers=retry_handlers(),
    )


def webhook_client(response_url: str) -> WebhookClient:
    """A client for one response_url with the Web API's retry handlers and timeout. (Bolt's
    `respond` retries only dropped connections: one 429 or 500 would lose the reply.)"""
    return WebhookClient(url=response_url, timeout=TIMEOUT, retry_handlers=retry_handlers())


def build_app(
    settings: Settings,
    engine: Engine | EngineSource,
    *,
    store: Store | None = None,
    dedupe: Dedupe | None = None,
    executor: Executor | None = None,
    clock: Callable[[], datetime] | None = None,
) -> App:
    """The app, ready for Socket Mode or HTTP. Calls auth.test once (fails on a bad token).

    Every request is acknowledged before any work is done for it (see `bot.slack.replies`);
    the work runs in `executor` (default: Bolt's pool of 5 threads).

    `clock` (default: the current time) is the moment answers, escalation cards and the App
    Home tell whether the helpdesk is open; tests pass a fixed one.

    With a `store`: events are deduplicated across every instance sharing the database,
    questions and clicks are recorded, and the App Home shows usage figures. With
    `settings.oauth` (SLACK_CLIENT_ID/SECRET) the app serves Slack's install flow and keeps
    one installation per workspace in the store instead of using one bot token.
    """
    recorder = Recorder(store)
    common: dict[str, Any] = dict(
        name="declaratiebot",
        signing_secret=settings.slack_signing_secret,  # checked in HTTP mode, unused in Socket Mode
        # each listener's ack function (`replies.ack_now`, no I/O) runs in the thread that got
        # the request, before the answer to Slack; its work runs later in `executor` (lazy
        # listeners). Without this Bolt queues the ack functions of commands and buttons in
        # that same pool, behind replies waiting on a slow Web API, past Slack's 3 seconds.
        process_before_response=True,
        listener_executor=executor,
        before_authorize=WellFormed(),
    )
    if settings.oauth:
        if store is None:
            raise ConfigError(
                ["SLACK_CLIENT_ID is set: the OAuth install flow needs a database (DATABASE_URL)"]
            )
        app = App(**common, client=web_client(settings, token=None), oauth_flow=oauth_flow(settings, store))
    else:
        app = App(**common, client=web_client(settings))
    current: Callable[[], Engine] = (
        (lambda: engine) if isinstance(engine, Engine) else (lambda: engine.engine)
    )
    deps = Deps(
        settings=settings,
        engine=current,
        dedupe=dedupe or (StoreDedupe(store) if store else MemoryDedupe()),
        webhook=webhook_client,
        clock=clock or now,
        recorder=recorder,
        usage=usage_of(store) if store else None,
    )
    app.middleware(_once_per_event(deps.dedupe))
    app.error(_log_failure(recorder))
    register_listeners(app, deps)
    # last: an event no listener takes (one Slack adds later) is acknowledged with 200, not
    # Bolt's 404, which Slack would retry and count against the app
    app.event(re.compile(r".*"))(_ignore_event)
    return app


def oauth_flow(settings: Settings, store: Store) -> OAuthFlow:
    """Slack's install flow (/slack/install, /slack/oauth_redirect), installations in `store`."""
    from bot.store.oauth import oauth_stores

    assert settings.slack_client_id
    installations, states = oauth_stores(store, settings.slack_client_id)
    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=installations,
        state_store=states,
    )
    return OAuthFlow(client=web_client(settings, token=None), settings=oauth_settings)


def usage_of(store: Store, days: int = 7, deadline: Deadline | None = None) -> Usage:
    """The App Home's figures for a workspace: the last `days` days, from the store (left
    out when the database fails or has not answered within the deadline)."""
    from bot.store.report import summary

    deadline = deadline or Deadline(name="home")

    def usage(team_id: str) -> list[tuple[str, str]] | None:
        if not team_id:  # never another workspace's figures (summary(None) is all of them)
            return None
        since = datetime.now(UTC) - timedelta(days=days)
        try:
            return blocks.usage_fields(deadline.call(lambda: summary(store, team_id, since)))
        except Exception as exc:  # the database is down: the Home tab shows the rest
            log.warning("no usage figures for the Home tab: %s", type(exc).__name__)
            return None

    return usage


# top-level keys every Slack request has as objects (dicts) when present ("enterprise" may
# also be an id); Bolt and the listeners read them without checking
OBJECT_KEYS = ("event", "user", "team", "channel", "container", "message", "view", "state")
# top-level keys Bolt matches listeners on, or writes into its log lines, as text
TEXT_KEYS = ("type", "callback_id", "action_id", "block_id", "trigger_id", "response_url")
# the events the listeners handle, and their fields the listeners read as text
HANDLED_EVENTS = ("app_mention", "message", "app_home_opened", "file_shared")
EVENT_TEXT = ("channel", "ts", "thread_ts", "user", "text", "channel_type", "subtype", "tab", "bot_id")
# how Bolt reads a body before any middleware of ours can look at it (the arguments it
# hands to every middleware, listener and error handler)
BOLT_READERS = (
    payload_utils.to_options,
    payload_utils.to_shortcut,
    payload_utils.to_action,
    payload_utils.to_view,
    payload_utils.to_command,
    payload_utils.to_event,
    payload_utils.to_message,
    payload_utils.to_step,
)


def malformed(body: dict[str, Any]) -> str | None:
    """Why `body` has a shape no Slack request has, one that Bolt or a listener would fail
    on (a 500, or an error after the acknowledgement); None when it is fine. Kinds of
    request and event the bot does not know pass: they are acknowledged and ignored."""
    for key in OBJECT_KEYS:
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"{key} is not an object"
    for key in ("event", "view"):  # Bolt reads these as objects even when null
        if key in body and not isinstance(body[key], dict):
            return f"{key} is not an object"
    for key in TEXT_KEYS:
        if body.get(key) is not None and not isinstance(body[key], str):
            return f"{key} is not text"
    if "response_url" in body and not str(body["response_url"]).startswith(("https://", "http://")):
        return "response_url is not a URL"
    view = body.get("view") or {}
    if not all(isinstance(view.get(k), str | None) for k in ("type", "callback_id")):
        return "view type or callback_id is not text"
    if not isinstance(body.get("enterprise"), dict | str | None):
        return "enterprise is neither an object nor an id"
    for key in ("authorizations", "actions"):
        items = body.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return f"{key} is not a list of objects"
    if "command" in body and not all(isinstance(v, str) for v in body.values()):
        return "a slash command with a field that is not text"  # a form: text only
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event without a type"
        if not isinstance(body.get("event_id"), str):
            return "event_id is not text"
        if event["type"] in HANDLED_EVENTS:
            wrong = [k for k in EVENT_TEXT if event.get(k) is not None and not isinstance(event[k], str)]
            if wrong:
                return f"event {wrong[0]} is not text"
            if not isinstance(event.get("files", []), list):
                return "event files is not a list"
            if event["type"] in ("app_mention", "message") and not (event.get("channel") and event.get("ts")):
                return "message without channel or ts"
    elif kind == "block_actions":
        user = body.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return "block_actions without a user id"
        if not body.get("actions") or not all(isinstance(a.get("action_id"), str) for a in body["actions"]):
            return "block_actions without action ids"
    for read in BOLT_READERS:
        try:
            read(body)
        except Exception:
            return f"Bolt cannot read it ({read.__name__})"
    return None


class WellFormed(Middleware):
    """Refuse (400) a signed body whose shape no Slack request has (see `malformed`).

    A plain Middleware, not a function: Bolt builds a function middleware's arguments
    from the body first, and that is where a malformed body made it fail (500). It also
    acknowledges Slack's `app_rate_limited` notice, which no listener can take (Bolt would
    answer 404), and logs it: Slack is dropping this workspace's events for a while."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        reason = malformed(req.body)
        if reason is not None:
            kind = req.body.get("type")
            log.warning("malformed %s request refused: %s", kind if isinstance(kind, str) else "?", reason)
            return BoltResponse(status=400, body="malformed request")
        if req.body.get("type") == "app_rate_limited":
            log.warning("Slack is rate limiting event deliveries to workspace %s", team_of(req.body) or "?")
            return BoltResponse(status=200, body="")
        return next()


def _ignore_event(event: dict[str, Any]) -> None:
    log.debug("%s event ignored: the bot does not handle it", event.get("type"))


def _once_per_event(dedupe: Dedupe) -> Callable[..., BoltResponse | None]:
    """Drop a redelivered event (same event_id) before any listener sees it."""

    def once_per_event(
        body: dict[str, Any], request: BoltRequest, next_: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not dedupe.first_delivery(event_id, team_of(body)):
            retry = (request.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info("event %s delivered again (retry %s): ignored", event_id, retry)
            return BoltResponse(status=200, body="")
        next_()
        return None

    return once_per_event


def _log_failure(recorder: Recorder) -> Callable[[Exception, dict[str, Any]], None]:
    """The app's error handler: what fails before the work is handed to the pool (Bolt's
    token lookup, a middleware) is reported like a failure of the work itself."""

    def log_failure(error: Exception, body: dict[str, Any]) -> None:
        report_failure(recorder, error, body)

    return log_failure


# ---------------------------------------------------------------- running


def start(settings: Settings, engine: Engine | EngineSource, store: Store | None = None) -> App:
    """`build_app`, with start-up failures told as configuration problems naming the variable."""

    from slack_bolt.error import BoltError

    try:
        return build_app(settings, engine, store=store)
    except BoltError as exc:
        raise ConfigError([f"SLACK_BOT_TOKEN was not accepted by Slack's auth.test ({exc})"]) from None
    except (URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConfigError([f"SLACK_API_URL {settings.slack_api_url} is not reachable: {reason}"]) from None


def serve(settings: Settings) -> int:
    """Run until interrupted: Socket Mode, or HTTP when `settings.mode == "http"`."""
    from bot.reload import LiveKnowledge
    from bot.store.retention import Retention

    configure_logging(settings.log_level, settings.log_format, secrets=log_secrets(settings))
    signal.signal(signal.SIGTERM, _interrupt)  # stop like Ctrl-C: replies in flight are finished
    knowledge = LiveKnowledge(settings.knowledge_dir)
    knowledge.watch()
    knowledge.install_sighup()
    store = open_settings_store(settings)
    retention = Retention(store, settings.retention_days).start()
    try:
        app = start(settings, knowledge, store)
        if settings.mode == "http":
            from bot.slack.http import make_server

            server = make_server(app, settings.host, settings.port)
            host, port = server.server_address[:2]
            log.info("HTTP mode: POST http://%s:%s/slack/events, GET /healthz", host, port)
            if app.oauth_flow is not None:
                log.info("installs: GET http://%s:%s%s", host, port, app.oauth_flow.install_path)
            with contextlib.suppress(KeyboardInterrupt):
                server.serve_forever()
            server.server_close()
            return 0

        log.info("Socket Mode: connecting to Slack")
        handler = socket_mode(app, settings)
        first_connection(handler, settings)
        with contextlib.suppress(KeyboardInterrupt):
            handler.start()
        return 0
    finally:
        retention.stop()
        store.close()


def log_secrets(settings: Settings) -> tuple[str, ...]:
    """What the log output redacts besides anything shaped like a Slack token: the tokens,
    the signing and client secrets, and the database password from any part of DATABASE_URL."""
    from bot.store.db import url_secrets

    return (
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
        settings.slack_client_secret,
        *url_secrets(settings.database_url),
    )


def open_settings_store(settings: Settings) -> Store:
    """The database of DATABASE_URL (default: a SQLite file), created or upgraded now."""
    from bot.store.db import StoreUnavailable, open_configured

    try:
        return open_configured(settings.database_url, settings.store_questions)
    except StoreUnavailable as exc:
        raise ConfigError([str(exc)]) from None


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def socket_mode(app: App, settings: Settings) -> Any:
    """The Socket Mode connection (`.start()` blocks, `.connect()` does not, `.close()`)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    # a dropped connection is noticed when pings fail five times in a row: every 2 s,
    # a reconnect follows in about 12 s instead of the SDK's default of about 30 s
    return SocketModeHandler(app, settings.slack_app_token, ping_interval=PING_INTERVAL)


# what apps.connections.open answers for an app-level token it does not take (a bot token, a
# revoked or mistyped one): told as a configuration problem; anything else is Slack's trouble
APP_TOKEN_REFUSED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "not_allowed_token_type",
        "token_revoked",
        "token_expired",
        "account_inactive",
    }
)


def first_connection(handler: Any, settings: Settings) -> None:
    """Ask Slack for the first Socket Mode URL now (apps.connections.open with the app-level
    token), so a token Slack refuses stops the start with a ConfigError naming
    SLACK_APP_TOKEN and Slack's error code, like a bot token refused by auth.test, instead of
    a traceback from inside the SDK. The handler connects to the URL it is given here;
    reconnections fetch their own."""
    try:
        response = handler.client.web_client.apps_connections_open(app_token=settings.slack_app_token)
    except SlackApiError as exc:
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        if error in APP_TOKEN_REFUSED:
            raise ConfigError(
                [
                    f"SLACK_APP_TOKEN was not accepted by Slack's apps.connections.open ({error}): "
                    "it must be the app-level token (xapp-...) with the connections:write scope, "
                    "from Basic Information > App-Level Tokens"
                ]
            ) from None
        raise ConfigError([f"SLACK_APP_TOKEN: Socket Mode could not connect: {describe(exc)}"]) from None
    except (URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConfigError([f"SLACK_API_URL {settings.slack_api_url} is not reachable: {reason}"]) from None
    handler.client.wss_uri = response["url"]
