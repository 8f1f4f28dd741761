"""A bounded fuzz session against the real HTTP endpoint on loopback: whatever arrives
(signed or not, any content type, JSON and form bodies of any shape, odd or doubled
headers), the answer is a 4xx or a harmless 200, never a 5xx, and the server keeps serving."""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.slack import payloads
from tests.slack.conftest import SECRET, Bot, sign

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


def test_fuzzed_requests_never_get_a_5xx_and_the_server_keeps_serving(bot: Bot) -> None:
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
    assert bot.get("/healthz").status == 200
    before = len(bot.fake.posts())
    answer: dict[str, Any] = payloads.envelope(
        payloads.mention("<@UBOT> wat is 8290", ts="1700000099.000001")
    )
    assert bot.post(json.dumps(answer), "application/json").status == 200
    bot.settle()
    assert len(bot.fake.posts()) == before + 1
