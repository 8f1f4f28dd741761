"""Bounded fuzz sessions against the real HTTP endpoint on loopback: whatever arrives
(signed or not, any content type, JSON and form bodies of any shape, real payloads with
any part replaced, odd, doubled or lying headers, any method), the answer is a 4xx or a
harmless 200, never a 5xx or a dropped connection, nothing is logged as an error (Bolt's
500s are turned into 400s by http.py, so the status alone would not show them), and the
server keeps serving and answering questions."""

from __future__ import annotations

import copy
import http.client
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.answer import Engine
from bot.slack.app import build_app
from bot.slack.http import make_server
from tests.slack import payloads
from tests.slack.conftest import SECRET, Bot, TrackingExecutor, settings_for, sign
from tests.slack.fake_slack import FakeSlack

MENTION = json.dumps(payloads.envelope(payloads.mention("<@UBOT> wat is 8290")))
KEYS = [
    "type",
    "event",
    "event_id",
    "team_id",
    "user",
    "channel",
    "text",
    "ts",
    "actions",
    "payload",
    "command",
    "challenge",
    "token",
    "subtype",
    "files",
    "thread_ts",
    "view",
    "container",
    "trigger_id",
]
KINDS = [
    "event_callback",
    "url_verification",
    "block_actions",
    "view_submission",
    "app_rate_limited",
    "shortcut",
    "message_action",
    "app_mention",
    "message",
    "function_executed",
    "something_new",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(KINDS),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=25,
)
slack_like = st.fixed_dictionaries(
    {"type": st.sampled_from(KINDS)},
    optional={
        "event": st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6),
        "event_id": st.one_of(st.text(max_size=12), st.integers()),
        "team_id": json_values,
        "actions": json_values,
        "user": json_values,
        "challenge": json_values,
    },
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[bytes, list[tuple[str, str]]]:
    shape = draw(st.sampled_from(["json", "form", "payload", "raw"]))
    if shape == "json":
        real = st.builds(lambda t: payloads.envelope(payloads.mention(t)), st.text(max_size=80))
        body = json.dumps(draw(st.one_of(real, slack_like, json_values))).encode()
        content_type = "application/json"
    elif shape == "form":
        body = urlencode(
            draw(st.dictionaries(st.sampled_from(KEYS), st.text(max_size=30), max_size=6))
        ).encode()
        content_type = "application/x-www-form-urlencoded"
    elif shape == "payload":
        inner = draw(
            st.one_of(st.text(max_size=60), st.builds(json.dumps, st.one_of(slack_like, json_values)))
        )
        body = urlencode({"payload": inner}).encode()
        content_type = "application/x-www-form-urlencoded"
    else:
        body = draw(st.binary(max_size=300))
        content_type = draw(
            st.sampled_from(["text/plain", "application/octet-stream", "", "multipart/form-data"])
        )
    headers: list[tuple[str, str]] = []
    if content_type:
        headers.append(
            ("Content-Type", draw(st.sampled_from([content_type, "application/json", "text/html"])))
        )
    ts = str(int(time.time()) - draw(st.sampled_from([0, 0, 0, 400, -400])))
    signing = draw(st.sampled_from(["good", "good", "bad", "none", "doubled"]))
    try:
        good = sign(SECRET, ts, body.decode("utf-8"))
    except UnicodeDecodeError:
        good = "v0=" + "0" * 64
    if signing != "none":
        headers.append(("X-Slack-Request-Timestamp", ts))
        headers.append(("X-Slack-Signature", good if signing != "bad" else "v0=" + "1" * 64))
    if signing == "doubled":
        headers.append(("X-Slack-Signature", "v0=" + "2" * 64))
        headers.append(("X-Slack-Request-Timestamp", "0"))
    if draw(st.booleans()):
        headers.append(("X-Slack-Retry-Num", draw(st.sampled_from(["1", "x", "", "99999999999"]))))
    return body, headers


def send(bot: Bot, body: bytes, headers: list[tuple[str, str]]) -> int:
    parts = urlsplit(bot.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("POST", "/slack/events")
        for name, value in headers:
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        return conn.getresponse().status
    finally:
        conn.close()


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the fuzzing made the bot log as an error (an operator would be alerted)."""
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


def still_answers(bot: Bot) -> None:
    """/healthz is up and a real question still gets its answer."""
    assert bot.get("/healthz").status == 200
    before = len(bot.fake.posts())
    assert bot.event(payloads.mention("<@UBOT> wat is 8290", ts="1700000099.000002")).status == 200
    assert len(bot.fake.posts()) == before + 1
    assert "8290" in bot.fake.posts()[-1].texts()


def test_fuzzed_requests_never_get_a_5xx_and_the_server_keeps_serving(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    seen: dict[int, int] = {}

    @settings(max_examples=250, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(requests())
    def one(request: tuple[bytes, list[tuple[str, str]]]) -> None:
        status = send(bot, *request)
        seen[status] = seen.get(status, 0) + 1
        assert status < 500, request

    one()
    bot.settle()
    assert seen.get(401) and seen.get(200), seen  # both refused and accepted requests were tried
    assert errors(caplog) == []
    still_answers(bot)


# ---------------------------------------------------------------- real payloads, bent

FAKE = "http://fake-slack"  # replaced by the fake's address when sent: replies reach it
_command = dict(parse_qsl(payloads.command("wat is 8290", f"{FAKE}/response/c")))
_click = json.loads(
    dict(
        parse_qsl(
            payloads.block_actions(
                {"action_id": "helpful", "text": {"type": "plain_text", "text": "Ja"}, "value": "{}"},
                f"{FAKE}/response/a",
            )
        )
    )["payload"]
)
TEMPLATES: list[dict[str, Any]] = [
    payloads.envelope(payloads.mention("<@UBOT> wat is 8290")),
    payloads.envelope(payloads.dm("wat is 8290", files=[{"id": "F0000001", "name": "x.xml"}])),
    payloads.envelope(payloads.home_opened()),
    payloads.envelope({"type": "file_shared", "file_id": "F1", "user_id": "U1", "channel_id": "C1"}),
    payloads.envelope({"type": "reaction_added", "item": {"type": "message", "channel": "C1"}}),
    _command,
    _click,
    {"type": "view_submission", "user": {"id": "U1"}, "view": {"type": "modal", "callback_id": "x"}},
    {"type": "shortcut", "callback_id": "x", "user": {"id": "U1"}, "trigger_id": "1.2"},
    {"type": "interactive_message", "callback_id": "x", "actions": [{"name": "a"}], "user": {"id": "U1"}},
    {"type": "block_suggestion", "action_id": "x", "block_id": "b", "value": "q", "user": {"id": "U1"}},
    {"type": "workflow_step_edit", "callback_id": "x", "workflow_step": {}, "user": {"id": "U1"}},
    {"type": "url_verification", "challenge": "abc", "token": "t"},
    {"type": "app_rate_limited", "team_id": "T0TEST", "minute_rate_limited": 1, "api_app_id": "A1"},
]


@st.composite
def bent(draw: st.DrawFn) -> dict[str, Any]:
    """A real Slack payload with one to four parts, at any depth, replaced by any JSON."""
    body: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(TEMPLATES)))
    for _ in range(draw(st.integers(1, 4))):
        node: Any = body
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            if isinstance(node[key], dict | list) and node[key] and draw(st.booleans()):
                node = node[key]
                continue
            node[key] = draw(json_values)
            break
    return body


def test_real_payloads_with_parts_replaced_never_fail(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    """Correctly signed, so each one passes verification and reaches Bolt and the listeners:
    these found Bolt reading a null `event`, a non-list `actions` and a non-text
    `callback_id` (500s), and listeners failing on a non-text event_id or response_url."""
    caplog.set_level(logging.WARNING)
    seen: set[int] = set()

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(bent(), st.booleans())
    def one(body: dict[str, Any], as_form: bool) -> None:
        text = json.dumps(body).replace(FAKE, bot.fake.url)
        if as_form:
            response = bot.post(urlencode({"payload": text}), "application/x-www-form-urlencoded")
        else:
            response = bot.post(text, "application/json")
        seen.add(response.status)
        assert response.status < 500, (response, body)

    one()
    bot.settle()
    assert errors(caplog) == [] and 200 in seen and 400 in seen, seen
    still_answers(bot)


# ---------------------------------------------------------------- raw bytes on the socket


def exchange(bot: Bot, data: bytes, *, finish: bool = True) -> int:
    """Send `data` as it is on a new connection; the final status (0: no answer at all).
    `finish`: close our sending side afterwards, as a client that sent everything does."""
    parts = urlsplit(bot.url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=30) as s:
        s.sendall(data)
        if finish:
            s.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    statuses = [int(m) for m in re.findall(rb"^HTTP/1\.[01] (\d{3})", answer, re.MULTILINE)]
    statuses = [code for code in statuses if code >= 200]  # after any "100 Continue"
    if statuses:
        return statuses[0]
    bare = re.match(rb"(\d{3}) ", answer)  # the stdlib answers a garbled request line bare
    return int(bare.group(1)) if bare else 0


def request_bytes(
    method: str, headers: list[tuple[str, str]], body: bytes = b"", version: str = "HTTP/1.1"
) -> bytes:
    head = f"{method} /slack/events {version}\r\nHost: 127.0.0.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (head + "\r\n").encode("latin-1") + body


HEADER_NAMES = [
    "Content-Length",
    "Content-Type",
    "Transfer-Encoding",
    "X-Slack-Signature",
    "X-Slack-Request-Timestamp",
    "X-Slack-Retry-Num",
    "Expect",
    "Connection",
    "X-Anything",
]
header_values = st.one_of(
    st.sampled_from(["0", "5", "99999999", "-1", " 12", "1e3", "\u00b2", "chunked", "100-continue", ""]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=20),
)


@st.composite
def raw_requests(draw: st.DrawFn) -> bytes:
    method = draw(
        st.sampled_from(["POST", "POST", "POST", "GET", "PUT", "HEAD", "OPTIONS", "BREW", "M-SEARCH"])
    )
    body = draw(st.one_of(st.binary(max_size=200), st.builds(str.encode, st.just(MENTION))))
    headers = draw(st.lists(st.tuples(st.sampled_from(HEADER_NAMES), header_values), max_size=6))
    length = draw(st.sampled_from(["true", "true", "lying", "none"]))
    if length == "true":
        headers.append(("Content-Length", str(len(body))))
    elif length == "lying":
        headers.append(("Content-Length", str(len(body) + draw(st.integers(1, 5000)))))
    version = draw(st.sampled_from(["HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTX/1.1"]))
    return request_bytes(method, headers, body, version)


def test_raw_requests_always_get_an_answer_below_500(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    """Any method, duplicated and garbled headers, lying lengths, any bytes: every request
    gets a status line, 2xx or 4xx. These found a Content-Length of "²" (str.isdigit says
    yes, int says no) dropping the connection with a traceback."""
    caplog.set_level(logging.WARNING)

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(raw_requests())
    def one(data: bytes) -> None:
        status = exchange(bot, data)
        assert 200 <= status < 500, (status, data)

    one()
    bot.settle()
    assert errors(caplog) == []
    still_answers(bot)


# ---------------------------------------------------------------- the cases by name


def signed(body: str, ts: str | None = None) -> list[tuple[str, str]]:
    ts = ts or str(int(time.time()))
    return [
        ("Content-Type", "application/json"),
        ("X-Slack-Request-Timestamp", ts),
        ("X-Slack-Signature", sign(SECRET, ts, body)),
    ]


def test_a_signed_mention_sent_raw_is_answered(bot: Bot) -> None:
    """The helpers below do reach the bot: the same request, plainly framed, is answered."""
    headers = [*signed(MENTION), ("Content-Length", str(len(MENTION)))]
    assert exchange(bot, request_bytes("POST", headers, MENTION.encode())) == 200
    bot.settle()
    assert len(bot.fake.posts()) == 1


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ([("Content-Length", "9")], "a second, different Content-Length"),
        ([("Transfer-Encoding", "chunked")], "Transfer-Encoding next to Content-Length"),
        ([("X-Slack-Signature", "v0=" + "0" * 64)], "a second X-Slack-Signature"),
        ([("X-Slack-Request-Timestamp", "0")], "a second X-Slack-Request-Timestamp"),
    ],
)
def test_ambiguous_framing_is_refused_even_when_signed(
    bot: Bot, extra: list[tuple[str, str]], why: str
) -> None:
    """What was verified must be exactly what is read: a request that could be read two
    ways (request smuggling behind a proxy) is refused, not guessed at."""
    headers = [*signed(MENTION), ("Content-Length", str(len(MENTION))), *extra]
    assert exchange(bot, request_bytes("POST", headers, MENTION.encode())) == 400, why
    bot.settle()
    assert bot.fake.replies() == []


@pytest.mark.parametrize("length", ["\u00b2", "+5", "0x10", "-1", "1 2", "99999999999999999999"])
def test_a_content_length_that_is_not_plain_digits_gets_400(bot: Bot, length: str) -> None:
    assert exchange(bot, request_bytes("POST", [("Content-Length", length)], b"{}")) == 400
    assert bot.get("/healthz").status == 200


def test_a_body_shorter_than_its_content_length_gets_400(bot: Bot) -> None:
    headers = [*signed(MENTION), ("Content-Length", str(len(MENTION) + 10))]
    assert exchange(bot, request_bytes("POST", headers, MENTION.encode())) == 400
    bot.settle()
    assert bot.fake.replies() == []


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "BREW"])
def test_methods_other_than_get_and_post_get_405(bot: Bot, method: str) -> None:
    assert exchange(bot, request_bytes(method, [("Content-Length", "0")])) == 405


def test_http_2_and_garbled_request_lines_get_400(bot: Bot) -> None:
    assert exchange(bot, request_bytes("POST", [], version="HTTP/2.0")) == 400
    assert exchange(bot, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n") == 400  # TLS hello


@pytest.fixture
def impatient(fake: FakeSlack, engine: Engine) -> Iterator[Bot]:
    """The bot with a 1-second READ_TIMEOUT, so a stalled client is seen to be let go."""
    executor = TrackingExecutor()
    app = build_app(settings_for(fake), engine, executor=executor)
    server = make_server(app, "127.0.0.1", 0, read_timeout=1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield Bot(f"http://{host!s}:{port}", fake, executor, engine)
    server.shutdown()
    server.server_close()
    executor.shutdown(wait=True)


def test_a_client_that_stops_sending_is_let_go_with_408(impatient: Bot) -> None:
    """A Content-Length that promises more than is sent, on a connection left open: the
    thread gives up after READ_TIMEOUT (408, connection closed) instead of waiting forever,
    and other requests are served meanwhile."""
    headers = [*signed(MENTION), ("Content-Length", str(len(MENTION) + 10))]
    stalled: dict[str, int] = {}

    def send_too_little() -> None:
        data = request_bytes("POST", headers, MENTION.encode())
        stalled["status"] = exchange(impatient, data, finish=False)

    sender = threading.Thread(target=send_too_little)
    sender.start()
    assert impatient.get("/healthz").status == 200
    sender.join(timeout=60)
    assert stalled == {"status": 408}
    impatient.settle()
    assert impatient.fake.replies() == []


@pytest.mark.parametrize("body", ["null", "5", '"text"', "true", "[]", "[{}]"])
def test_json_that_is_not_an_object_gets_400_without_a_traceback(
    bot: Bot, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert bot.post(body, "application/json").status == 400
    assert errors(caplog) == []
    assert all(r.exc_info is None for r in caplog.records)  # one line per refusal, no traceback


@pytest.mark.parametrize(
    "event",
    [
        {"type": "brand_new_event", "channel": {"id": "C1"}, "whatever": [1, None]},
        {"type": "channel_created", "channel": {"id": "C1", "name": "nieuw"}},
        {"type": "message", "subtype": "message_changed", "channel": "C1", "ts": "1.2", "message": {}},
    ],
)
def test_events_the_bot_does_not_handle_are_acknowledged_and_ignored(
    bot: Bot, event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """200, so Slack does not retry them (Bolt alone answers 404), and no reply."""
    caplog.set_level(logging.WARNING)
    assert bot.event(event).status == 200
    assert bot.fake.replies() == []
    assert errors(caplog) == []


def test_slacks_rate_limit_notice_is_acknowledged_and_logged(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"type": "app_rate_limited", "team_id": "T0TEST", "minute_rate_limited": 1700000000}
    caplog.set_level(logging.WARNING)
    assert bot.post(json.dumps(body), "application/json").status == 200
    assert any("rate limiting" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "event_callback", "event_id": "Ev1", "event": None},
        {"type": "event_callback", "event_id": ["Ev1"], "event": payloads.mention("<@UBOT> wat is 8290")},
        {"type": "block_actions", "user": {"id": "U1"}, "actions": {"0": {"action_id": "helpful"}}},
        {"type": "interactive_message", "callback_id": {"x": 1}, "actions": [{}]},
        {"type": "view_submission", "view": None},
        {"command": "/declaratie", "text": ["8290"], "response_url": "http://127.0.0.1:9/r"},
        {"command": "/declaratie", "text": "8290", "response_url": "not a URL"},
    ],
)
def test_signed_bodies_of_impossible_shapes_get_400(
    bot: Bot, body: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Each of these made Bolt answer 500 or a listener fail after the acknowledgement."""
    caplog.set_level(logging.WARNING)
    assert bot.post(json.dumps(body), "application/json").status == 400
    bot.settle()
    assert bot.fake.replies() == [] and errors(caplog) == []
