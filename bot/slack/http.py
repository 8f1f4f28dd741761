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
input never gives a 5xx: what Bolt cannot take is answered 400, and so is a request whose
framing is ambiguous (Transfer-Encoding, two different Content-Lengths, a second
X-Slack-Signature), so that what was verified is exactly what is read. A client that
sends less than its Content-Length and waits gets 408 after READ_TIMEOUT seconds in all,
not a thread held forever. Any other method than GET and POST gets 405.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest, BoltResponse

log = logging.getLogger("declaratiebot.http")

PATH = "/slack/events"
HEALTH = "/healthz"
MAX_BODY = 1024 * 1024  # 1 MiB
READ_TIMEOUT = 30.0  # seconds a client may take to send its body (and for each read of its headers)
# headers that mean one thing only once: a second copy is refused rather than guessed at
SINGLE_HEADERS = ("X-Slack-Signature", "X-Slack-Request-Timestamp")


def make_server(app: App, host: str, port: int, *, read_timeout: float = READ_TIMEOUT) -> ThreadingHTTPServer:
    """A server bound to host:port (port 0: a free one, see `server.server_address`)."""

    class Handler(_Handler):
        bolt = app
        timeout = read_timeout

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


class _Handler(BaseHTTPRequestHandler):
    bolt: App
    server_version = "declaratiebot"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = READ_TIMEOUT
    # the stdlib's own refusals (a garbled request line, headers too long) in plain text
    error_message_format = "%(code)d %(message)s\n"
    error_content_type = "text/plain; charset=utf-8"
    body_read = False  # set once the request's body has been read: keep-alive is then safe

    def do_GET(self) -> None:
        self.body_read = False  # per request: one connection can carry several
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
        self.body_read = False
        parts = urlsplit(self.path)
        if parts.path != PATH:
            self._send(404, "not found")
            return
        refused = self._framing_problem()
        if refused is not None:
            self._send(*refused)
            return
        length = int(self.headers["Content-Length"])
        raw = self._read_body(length)
        if raw is None:
            self._send(408, f"body not received within {self.timeout:g} seconds")
            return
        if len(raw) < length:
            self._send(400, "body shorter than Content-Length")
            return
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._send(400, "body is not UTF-8")
            return
        try:
            # Bolt parses the body here, before the signature is checked: no traceback in the
            # log for what anybody can send
            request = BoltRequest(body=body, query=parts.query, headers=self._headers())
        except Exception as exc:
            log.warning("unreadable request to %s refused (%s)", PATH, type(exc).__name__)
            self._send(400, "bad request")
            return
        try:
            response = self.bolt.dispatch(request)
        except Exception:
            log.exception("request to %s could not be handled", PATH)
            self._send(400, "bad request")
            return
        if response.status >= 500:  # Bolt's answer to an exception in its own middleware
            log.error("request to %s could not be handled (Bolt answered %s)", PATH, response.status)
            self._send(400, "bad request")
            return
        self._send_bolt(response)

    def _framing_problem(self) -> tuple[int, str] | None:
        """Why the body's length is not plainly known (status, text), or None."""
        if self.headers.get("Transfer-Encoding") is not None:
            return 400, "Transfer-Encoding is not supported: send Content-Length"
        lengths = {v.strip() for v in self.headers.get_all("Content-Length") or []}
        if not lengths:
            return 411, "Content-Length required"
        if len(lengths) > 1:
            return 400, "conflicting Content-Length headers"
        (length,) = lengths
        if not re.fullmatch(r"[0-9]{1,12}", length):  # ASCII digits only: "²".isdigit() is True
            return 400, "bad Content-Length"
        if int(length) > MAX_BODY:
            return 413, f"body larger than {MAX_BODY} bytes"
        for name in SINGLE_HEADERS:
            if len(self.headers.get_all(name) or []) > 1:
                return 400, f"more than one {name} header"
        return None

    def _read_body(self, length: int) -> bytes | None:
        """Up to `length` bytes (fewer when the client closes early), read within
        `self.timeout` seconds in all; None when the client takes longer."""
        limit = float(self.timeout or READ_TIMEOUT)
        deadline = time.monotonic() + limit
        chunks: list[bytes] = []
        got = 0
        try:
            while got < length:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.connection.settimeout(left)
                chunk = self.rfile.read1(min(length - got, 64 * 1024))
                if not chunk:  # the client closed its side: a short body
                    break
                chunks.append(chunk)
                got += len(chunk)
        except TimeoutError:
            return None
        finally:
            self.connection.settimeout(limit)
        self.body_read = True
        return b"".join(chunks)

    def do_PUT(self) -> None:
        self._send(405, "method not allowed")

    do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_PUT

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's refusals; a method it does not know is 405 like PUT (not 501), an
        HTTP version other than 1.x is 400 (not 505): nothing a client sends is a 5xx."""
        if code == 501:
            code, message = 405, "method not allowed"
        elif code == 505:
            code, message = 400, "HTTP/1.0 or HTTP/1.1 only"
        super().send_error(code, message, explain)

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
        # a refused request's body may still be on the wire: it must not be read as the next
        # request on this connection
        if status >= 400 or (not self.body_read and self._has_body()):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _has_body(self) -> bool:
        length = (self.headers.get("Content-Length") or "0").strip()
        return length != "0" or self.headers.get("Transfer-Encoding") is not None

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)
