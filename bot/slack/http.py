"""HTTP mode: one endpoint for the Events API, interactivity and the slash command.

    POST /slack/events   the raw body and headers go to Bolt, which checks the signature
                         (SLACK_SIGNING_SECRET) and the timestamp (at most 5 minutes old):
                         401 when either is wrong
    GET  /healthz        200 {"ok": true}
    GET  /slack/install, /slack/oauth_redirect
                         Slack's install flow, when SLACK_CLIENT_ID/SECRET are set

A stdlib ThreadingHTTPServer: one thread per request, so a slow Web API call never holds
up the next delivery. Bodies above MAX_BODY (Slack's payloads are far smaller) get 413
before anything is read or parsed; a body without Content-Length gets 411. Malformed
input never gives a 500: what Bolt cannot take is answered 400.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest, BoltResponse

log = logging.getLogger("declaratiebot.http")

PATH = "/slack/events"
HEALTH = "/healthz"
MAX_BODY = 1024 * 1024  # 1 MiB
READ_TIMEOUT = 30  # seconds a client may take to send its request


def make_server(app: App, host: str, port: int) -> ThreadingHTTPServer:
    """A server bound to host:port (port 0: a free one, see `server.server_address`)."""

    class Handler(_Handler):
        bolt = app

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


class _Handler(BaseHTTPRequestHandler):
    bolt: App
    server_version = "declaratiebot"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = READ_TIMEOUT

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        flow = self.bolt.oauth_flow
        if parts.path == HEALTH:
            self._send(200, json.dumps({"ok": True}), "application/json")
        elif flow is not None and parts.path in (flow.install_path, flow.redirect_uri_path):
            request = BoltRequest(body="", query=parts.query, headers=self._headers())
            try:
                if parts.path == flow.install_path:
                    response = flow.handle_installation(request)
                else:
                    response = flow.handle_callback(request)
            except Exception:
                log.exception("OAuth request to %s could not be handled", parts.path)
                self._send(400, "bad request")
                return
            self._send_bolt(response)
        else:
            self._send(404, "not found")

    def _headers(self) -> dict[str, str | Sequence[str]]:
        headers: dict[str, str | Sequence[str]] = {}
        for name in set(self.headers.keys()):
            headers[name.lower()] = self.headers.get_all(name) or []
        return headers

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != PATH:
            self._send(404, "not found")
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self._send(411, "Content-Length required")
            return
        if not length_header.strip().isdigit():
            self._send(400, "bad Content-Length")
            return
        length = int(length_header)
        if length > MAX_BODY:
            self._send(413, f"body larger than {MAX_BODY} bytes")
            return
        raw = self.rfile.read(length)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._send(400, "body is not UTF-8")
            return
        try:
            response = self.bolt.dispatch(BoltRequest(body=body, query=parts.query, headers=self._headers()))
        except Exception:
            log.exception("request to %s could not be handled", PATH)
            self._send(400, "bad request")
            return
        if response.status >= 500:  # Bolt's answer to an exception in its own middleware
            log.error("request to %s could not be handled (Bolt answered %s)", PATH, response.status)
            self._send(400, "bad request")
            return
        self._send_bolt(response)

    def do_PUT(self) -> None:
        self._send(405, "method not allowed")

    do_DELETE = do_PATCH = do_PUT

    def _send_bolt(self, response: BoltResponse) -> None:
        body = response.body.encode("utf-8") if isinstance(response.body, str) else b""
        self.send_response(response.status)
        for name, values in response.headers.items():
            if name.lower() in ("content-length", "connection"):
                continue
            for value in values:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send(self, status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status in (400, 411, 413):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)
