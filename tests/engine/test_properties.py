"""Property-based tests: whatever Unicode people paste, the engine and renderer stay safe."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.answer import Engine
from bot.engine.privacy import elfproef
from bot.render import render
from tests.conftest import at

NOW = at(2026, 11, 24, 10)
SLACK_MARKUP = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U024BE7LH>",
    "<#C123|general>",
    "<!subteam^S123|@support>",
    "<https://evil.example/x|klik hier>",
    "<mailto:a@b.nl|mail>",
    "@here",
    "*bold*",
    "`code`",
    "```block```",
    "{{ 'zq' ~ 'jx' }}",
    "{% raw %}",
    "{# comment #}",
    "\u202e",
    "\u200b",
    "\x00",
    "\r\n",
]
WORDS = ["8290", "8409", "0611", "490", "AW319", "Z999", "status", "aangeboden", "BRS13", "wat is", "what is"]
ECHO = "xylofoonkwartet"  # a word no answer contains: if it shows up, the question was echoed

# A valid BSN and a date of birth that a person might paste.
PERSONAL = ["123456782", "111222333", "111\u00a0222\u00a0333", "111-222-333", "03-02-1987", "1987-02-03"]

questions = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(SLACK_MARKUP),
        st.sampled_from([*WORDS, ECHO]),
        st.sampled_from(PERSONAL),
    ),
    max_size=12,
).map(" ".join)

MENTION = re.compile(r"<[@#!][^>]*>")
LINK = re.compile(r"<(?:https?|mailto):")


def replies(engine: Engine, question: str) -> tuple[str, str]:
    answer = engine.answer(question, now=NOW)
    return render(answer, "plain", engine.kb), render(answer, "mrkdwn", engine.kb)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=questions)
def test_any_text_is_answered_safely_and_deterministically(engine: Engine, question: str) -> None:
    plain, mrkdwn = replies(engine, question)
    assert replies(engine, question) == (plain, mrkdwn)
    for reply in (plain, mrkdwn):
        assert not MENTION.search(reply), reply
        assert not LINK.search(reply)
        assert "@here" not in reply and "@channel" not in reply and "@everyone" not in reply
        assert "{{" not in reply and "{%" not in reply and "{#" not in reply
        assert "zqjx" not in reply  # a template in the question was never evaluated
        assert ECHO not in reply.lower()
        for secret in PERSONAL:
            assert secret not in reply


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(questions.filter(bool))
def test_huge_messages_do_not_break_the_engine(engine: Engine, piece: str) -> None:
    question = (piece + " ") * (40_000 // (len(piece) + 1))  # about 40,000 characters
    plain, mrkdwn = replies(engine, question)
    assert plain and mrkdwn
    assert not MENTION.search(mrkdwn) and ECHO not in plain.lower()


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=100_000_000, max_value=999_999_999))
def test_no_valid_bsn_is_ever_repeated(number: int) -> None:
    from bot.engine.privacy import mask

    digits = str(number)
    masked = mask(f"klant {digits} heeft 8004")
    assert (digits in masked) == (not elfproef(digits))
