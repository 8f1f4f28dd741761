"""A stand-in for Slack's Web API on 127.0.0.1, for the end-to-end tests.

It records every call (Web API methods under /api/, and posts to response URLs under
/response/), answers the methods the bot uses the way Slack does, and on demand answers
a method (or the response URLs, as "response_url") with HTTP 429 (with Retry-After), any
5xx, or an `ok: false` error. `hold(methods)` makes it slow: calls of those methods wait,
unanswered, until `release()`, and are then answered as usual.

Like Slack, it refuses a method whose scope the app was not granted (`missing_scope`): it
grants the bot scopes of app.yaml (`manifest_scopes()`), so a scope missing from the
manifest fails the end-to-end tests the way it would fail in a workspace.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import yaml

TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-A0DECLARATIE-1-test"  # the app-level token (Socket Mode) it accepts
BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0TEST"
MANIFEST = Path(__file__).resolve().parents[2] / "app.yaml"

# The bot scope each Web API method needs, as Slack documents it (None: no scope). The
# file download (a file's url_private) needs files:read like files.info. Methods not listed
# are answered `unknown_method`.
METHOD_SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.getPermalink": None,
    "views.publish": None,
    "files.info": "files:read",
    "file_download": "files:read",
    "apps.connections.open": None,  # the app-level token's connections:write, not a bot scope
    "oauth.v2.access": None,
    "response_url": None,  # the URL itself is the permission
}
# What Slack only delivers with a scope: bot events (by their manifest name), slash commands.
DELIVERY_SCOPES: dict[str, str | None] = {
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
    "app_home_opened": None,
    "app_uninstalled": None,
    "tokens_revoked": None,
    "slash_commands": "commands",
}


def manifest_scopes() -> set[str]:
    """The bot scopes app.yaml asks for: what an app created from it is granted."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return set(manifest["oauth_config"]["scopes"]["bot"])


@dataclass
class Call:
    method: str  # "chat.postMessage" ..., or "response_url"
    path: str
    params: dict[str, Any]
    status: int  # what the fake answered
    authorization: str | None = None
    at: float = field(default_factory=time.monotonic)  # when it arrived

    @property
    def ok(self) -> bool:
        return self.status == 200

    def texts(self) -> str:
        """Everything a person could read in this call: text and every block text."""
        return json.dumps([self.params.get("text"), self.params.get("blocks"), self.params.get("view")])


@dataclass
class Failure:
    status: int
    error: str
    retry_after: int | None = None
    stall: float = 0.0  # seconds to wait before answering (a client with a shorter timeout gives up)
    extra: dict[str, Any] = field(default_factory=dict)  # more fields of the error answer


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    socket_url: str | None = None  # what apps.connections.open hands out
    tokens: set[str] = field(default_factory=lambda: {TOKEN})  # bot tokens it accepts
    app_tokens: set[str] = field(default_factory=lambda: {APP_TOKEN})  # app-level tokens it accepts
    installs: dict[str, str] = field(default_factory=dict)  # OAuth code -> team id it installs
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # file id -> (name, content)
    redirects: dict[str, str] = field(default_factory=dict)  # file id -> where its download redirects
    scopes: set[str] = field(default_factory=manifest_scopes)  # the bot scopes granted

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._stopped = threading.Event()  # ends every stall
        self._failures: dict[str, list[Failure]] = {}
        self._held: set[str] = set()  # methods whose calls wait until release()
        self.waiting = 0  # calls waiting now
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # ------------------------------------------------------------ control

    def start(self) -> FakeSlack:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        with self._cond:
            self._cond.notify_all()  # held calls go on
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    def fail(
        self,
        method: str,
        status: int = 200,
        error: str = "error",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with this failure."""
        with self._cond:
            self._failures.setdefault(method, []).extend([Failure(status, error, retry_after)] * times)

    def stall(self, method: str, seconds: float, times: int = 1) -> None:
        """Answer the next `times` calls of `method` only after `seconds` (with a 503), or
        when the fake stops, whichever comes first."""
        with self._cond:
            self._failures.setdefault(method, []).extend([Failure(503, "timeout", stall=seconds)] * times)

    def hold(self, *methods: str) -> None:
        """A slow Web API: every call of `methods` waits, unanswered and not yet recorded,
        until `release()` (or the fake stops); then it is answered as usual."""
        with self._cond:
            self._held.update(methods)

    def release(self) -> None:
        with self._cond:
            self._held.clear()
            self._cond.notify_all()

    def wait_waiting(self, count: int, timeout: float = 30) -> None:
        """Until `count` held calls are waiting."""
        with self._cond:
            reached = self._cond.wait_for(lambda: self.waiting >= count, timeout)
            assert reached, f"{self.waiting} calls waiting, not {count}"

    def to(self, method: str, ok_only: bool = True) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method and (c.ok or not ok_only)]

    def wait_for(self, method: str, count: int = 1, timeout: float = 60) -> list[Call]:
        """Block until `count` successful calls of `method` arrived (for a bot in another process)."""
        with self._cond:
            self._cond.wait_for(
                lambda: len([c for c in self.calls if c.method == method and c.ok]) >= count, timeout
            )
        return self.to(method)

    def posts(self, channel: str | None = None) -> list[Call]:
        return [
            c for c in self.to("chat.postMessage") if channel is None or c.params.get("channel") == channel
        ]

    def replies(self) -> list[Call]:
        """Calls that reach a person: messages, ephemerals, response_url posts, App Home."""
        kinds = ("chat.postMessage", "chat.postEphemeral", "response_url", "views.publish")
        return [c for c in self.calls if c.method in kinds and c.ok]

    # ------------------------------------------------------------ serving

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length).decode("utf-8") if length else ""
        params: dict[str, Any] = dict(parse_qsl(parts.query))
        if raw:
            if "json" in (request.headers.get("Content-Type") or ""):
                params.update(json.loads(raw))
            else:
                params.update(parse_qsl(raw))
        for key in ("blocks", "view"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])

        if parts.path.startswith("/api/"):
            method = parts.path[len("/api/") :]
        elif parts.path.startswith("/response/"):
            method = "response_url"
        elif parts.path.startswith("/files/"):
            method = "file_download"
        else:
            method = "unknown"

        with self._cond:
            if method in self._held:
                self.waiting += 1
                self._cond.notify_all()
                self._cond.wait_for(lambda: method not in self._held or self._stopped.is_set())
                self.waiting -= 1
            queue = self._failures.get(method) or []
            failure = queue.pop(0) if queue else None
            if failure is None and method.startswith(("chat.", "views.", "auth.", "files.", "file_")):
                auth = request.headers.get("Authorization")
                if auth not in {f"Bearer {t}" for t in self.tokens}:
                    failure = Failure(200, "invalid_auth")
            app_auth = {f"Bearer {t}" for t in self.app_tokens}
            if (
                failure is None
                and method == "apps.connections.open"
                and (request.headers.get("Authorization") not in app_auth)
            ):
                failure = Failure(200, "invalid_auth")
            needed = METHOD_SCOPES.get(method)
            if failure is None and needed and needed not in self.scopes:
                provided = ",".join(sorted(self.scopes))
                status = 403 if method == "file_download" else 200
                failure = Failure(status, "missing_scope", extra={"needed": needed, "provided": provided})
            status = failure.status if failure else 200
            if failure and failure.status == 200:
                status = 299  # recorded as failed; sent as 200 with ok: false
            if failure and failure.stall:
                status = 599  # recorded as failed: the client gave up before the answer
            call = Call(method, parts.path, params, status, request.headers.get("Authorization"))
            self.calls.append(call)
            self._cond.notify_all()

        if failure is not None and failure.stall:
            self._stopped.wait(failure.stall)
        if failure is not None:
            body = json.dumps({"ok": False, "error": failure.error, **failure.extra}).encode()
            request.send_response(failure.status)
            if failure.retry_after is not None:
                request.send_header("Retry-After", str(failure.retry_after))
        elif method == "response_url":
            body = b"ok"
            request.send_response(200)
        elif method == "file_download" and parts.path.split("/")[2] in self.redirects:
            body = b""
            request.send_response(302)
            request.send_header("Location", self.redirects[parts.path.split("/")[2]])
        elif method == "file_download":
            found = self.files.get(parts.path.split("/")[2])
            body = found[1] if found else b"not found"
            request.send_response(200 if found else 404)
        else:
            body = json.dumps(self._answer(method, params)).encode()
            request.send_response(200)
        kinds = {"response_url": "text/plain", "file_download": "application/octet-stream"}
        request.send_header("Content-Type", kinds.get(method, "application/json"))
        request.send_header("Content-Length", str(len(body)))
        try:
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a stalled call)
            pass

    def share_file(self, name: str, content: bytes) -> dict[str, Any]:
        """Hold a file as Slack does after an upload; the file object an event carries."""
        file_id = f"F{len(self.files) + 1:07d}"
        self.files[file_id] = (name, content)
        return {"id": file_id, "name": name, "filetype": name.rsplit(".", 1)[-1], "size": len(content)}

    def _file_info(self, file_id: str) -> dict[str, Any]:
        if file_id not in self.files:
            return {"ok": False, "error": "file_not_found"}
        name, content = self.files[file_id]
        url = f"{self.url}/files/{file_id}/{quote(name)}"
        return {
            "ok": True,
            "file": {
                "id": file_id,
                "name": name,
                "size": len(content),
                "url_private": url,
                "url_private_download": url,
            },
        }

    def _install(self, params: dict[str, Any]) -> dict[str, Any]:
        """oauth.v2.access: a code from `installs` becomes a bot token for that workspace."""
        team = self.installs.get(str(params.get("code")))
        if team is None:
            return {"ok": False, "error": "invalid_code"}
        token = f"xoxb-installed-{team.lower()}"
        self.tokens.add(token)
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": ",".join(sorted(self.scopes)),
            "bot_user_id": BOT_USER,
            "app_id": "A0DECLARATIE",
            "team": {"id": team, "name": f"Workspace {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "U0INSTALLER"},
        }

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "declaratiebot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }
        if method == "chat.postMessage":
            ts = f"1700000100.{next(self._ts):06d}"
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"text": params.get("text"), "ts": ts},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000200.{next(self._ts):06d}"}
        if method == "chat.getPermalink":
            ts = str(params.get("message_ts", "")).replace(".", "")
            return {
                "ok": True,
                "channel": channel,
                "permalink": f"https://test.slack.com/archives/{channel}/p{ts}",
            }
        if method == "apps.connections.open" and self.socket_url:
            return {"ok": True, "url": self.socket_url}
        if method == "files.info":
            return self._file_info(str(params.get("file")))
        if method == "oauth.v2.access":
            return self._install(params)
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V1", **(params.get("view") or {})}}
        return {"ok": False, "error": "unknown_method"}
