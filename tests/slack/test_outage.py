"""Slack's Web API has a bad spell: 500s, then calls that hang past the client's timeout.
Each reply is retried with backoff; one that fails for good is logged with the event id
and recorded; the process stays up and answers normally once Slack is back."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from sqlalchemy import select

from bot.slack import app as slack_app
from bot.store import Store, open_store
from bot.store.report import summary
from bot.store.schema import actions
from tests.slack import payloads
from tests.slack.conftest import Bot
from tests.slack.fake_slack import TEAM

ATTEMPTS = 1 + slack_app.RETRIES


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'outage.db'}")
    yield s
    s.close()


# seconds per Web API call in these tests, instead of 10: every call gets it, the ones that
# succeed too (auth.test, the answer), so it leaves them room on a busy machine
QUICK_TIMEOUT = 2.0
HANG = 120.0  # a stalled call hangs this long (or until the test ends): far past the timeout


@pytest.fixture
def quick_timeout(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(slack_app, "TIMEOUT", QUICK_TIMEOUT)
    return QUICK_TIMEOUT


def attempts(bot: Bot) -> list[float]:
    return [c.at for c in bot.fake.calls if c.method == "chat.postMessage"]


def test_500s_are_retried_with_backoff_then_logged_recorded_and_the_bot_goes_on(
    start_bot: Callable[..., Bot], store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    bot = start_bot(store=store)
    bot.fake.fail("chat.postMessage", status=500, times=ATTEMPTS)
    with caplog.at_level(logging.ERROR, logger="declaratiebot.slack"):
        bot.event(payloads.mention("<@UBOT> wat is 8290"), eid="EvDuringOutage")
    times = attempts(bot)
    assert len(times) == ATTEMPTS and bot.fake.posts() == []
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.4 for gap in gaps), gaps  # waited before each retry (backoff 0.5 s, then 1 s)
    assert "Slack Web API call failed for event EvDuringOutage: chat.postMessage: HTTP 500" in caplog.text
    failures = summary(store, TEAM, datetime.now(UTC) - timedelta(days=1)).reply_failures
    assert failures == 1
    assert bot.get("/healthz").status == 200
    bot.event(payloads.mention("<@UBOT> wat is 8614"), eid="EvAfterOutage")
    [reply] = bot.fake.posts()
    assert "8614" in reply.params["text"]


def test_a_call_that_hangs_past_the_timeout_is_retried(
    start_bot: Callable[..., Bot], quick_timeout: float
) -> None:
    bot = start_bot()
    bot.fake.stall("chat.postMessage", seconds=HANG, times=ATTEMPTS - 1)
    bot.event(payloads.mention("<@UBOT> wat is 8290"))
    assert len(attempts(bot)) == ATTEMPTS
    [reply] = bot.fake.posts()  # the last attempt got through: one answer
    assert "8290" in reply.params["text"]


def test_when_every_attempt_hangs_the_failure_is_logged_recorded_and_the_bot_goes_on(
    start_bot: Callable[..., Bot], store: Store, quick_timeout: float, caplog: pytest.LogCaptureFixture
) -> None:
    bot = start_bot(store=store)
    bot.fake.stall("chat.postMessage", seconds=HANG, times=ATTEMPTS)
    with caplog.at_level(logging.ERROR, logger="declaratiebot.slack"):
        bot.event(payloads.mention("<@UBOT> wat is 8290"), eid="EvHangs")
    assert len(attempts(bot)) == ATTEMPTS and bot.fake.posts() == []
    assert "handling event EvHangs failed" in caplog.text and "TimeoutError" in caplog.text
    figures = summary(store, TEAM, datetime.now(UTC) - timedelta(days=1))
    assert (figures.questions, figures.reply_failures) == (1, 1)  # asked, and the reply lost
    with store.engine.connect() as conn:
        kinds = conn.execute(select(actions.c.kind, actions.c.question_ref)).all()
    assert [tuple(k) for k in kinds] == [("reply_failed", "EvHangs")]  # tied to its question
    assert bot.get("/healthz").status == 200
    bot.event(payloads.mention("<@UBOT> wat is 8614"))
    assert len(bot.fake.posts()) == 1


def test_a_response_url_that_fails_for_good_is_retried_logged_and_recorded(
    start_bot: Callable[..., Bot], store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    bot = start_bot(store=store)
    bot.fake.fail("response_url", status=503, error="service_unavailable", times=ATTEMPTS)
    with caplog.at_level(logging.ERROR, logger="declaratiebot.slack"):
        bot.command("wat is 8290")
    assert len(bot.fake.to("response_url", ok_only=False)) == ATTEMPTS
    assert bot.fake.to("response_url") == []
    assert "reply to command /declaratie (trigger 1337.42.abcdef) via response_url failed: HTTP 503" in (
        caplog.text
    )
    assert summary(store, TEAM, datetime.now(UTC) - timedelta(days=1)).reply_failures == 1
    bot.command("wat is 8614")  # the next one gets through
    [reply] = bot.fake.to("response_url")
    assert "8614" in reply.params["text"]


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateway_error_from_the_web_api_is_retried_and_the_answer_posted_once(
    start_bot: Callable[..., Bot], status: int
) -> None:
    """Every 5xx is retried, not only the 500 and 503 slack_sdk retries by itself."""
    bot = start_bot()
    bot.fake.fail("chat.postMessage", status=status, error="bad_gateway")
    bot.event(payloads.mention("<@UBOT> wat is 8290"))
    assert [c.status for c in bot.fake.calls if c.method == "chat.postMessage"] == [status, 200]
    [reply] = bot.fake.posts()
    assert "8290" in reply.params["text"]


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateway_error_from_a_response_url_is_retried_and_the_reply_sent_once(
    start_bot: Callable[..., Bot], status: int
) -> None:
    bot = start_bot()
    bot.fake.fail("response_url", status=status, error="bad_gateway")
    bot.command("wat is 8290")
    assert [c.status for c in bot.fake.to("response_url", ok_only=False)] == [status, 200]
    [reply] = bot.fake.to("response_url")
    assert "8290" in reply.params["text"]


def test_every_5xx_is_retried_and_no_4xx_but_429() -> None:
    """What the retry handlers of a Web API and a response_url client take, by status."""
    request = HttpRequest(method="POST", url="https://slack.com/api/chat.postMessage", headers={})

    def retried(status: int) -> bool:
        response = HttpResponse(status_code=status, headers={})
        return any(
            h.can_retry(state=RetryState(), request=request, response=response)
            for h in slack_app.retry_handlers()
        )

    assert [s for s in range(400, 600) if retried(s)] == [429, *range(500, 600)]
