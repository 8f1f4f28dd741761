"""Property-based tests of the Block Kit builders: whatever a person types, what the bot
posts carries none of its Slack markup, mentions, links or personal data.

The one message that shows what someone typed is the hand-off to the support channel
(`blocks.support_message`): the question in a code block, cleaned and masked. Every other
message carries the question only in its buttons' values (cleaned the same way), never in
a text. CI runs these derandomized (tests/slack/hypothesis_ci.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.answer import Engine
from bot.engine.privacy import mask
from bot.slack import blocks
from tests.conftest import at

NOW = at(2026, 11, 24, 10)
# Slack markup of every kind; the ids and the host are marked, so any trace of them shows
MARKUP = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|here>",
    "<@U0INJECT1>",
    "<@U0INJECT1|iemand>",
    "<@W0INJECT1>",
    "<#C0INJECT1>",
    "<#C0INJECT1|algemeen>",
    "<!subteam^S0INJECT1>",
    "<!subteam^S0INJECT1|@support>",
    "<!date^1392734382^{date_num} {time}|18 februari>",
    "<http://evil.example|klik>",
    "<https://evil.example/x?a=1&b=2|hier>",
    "<https://evil.example>",
    "<mailto:iemand@evil.example|mail>",
    "&lt;!channel&gt;",
    "&lt;@U0INJECT1&gt;",
    "&amp;lt;!here&amp;gt;",
    "&lt;https://evil.example|klik&gt;",
    "@here",
    "@channel",
    "@everyone",
    "```",
    "```code```",
    "a```b",
    "`code`",
    "*vet*",
    "_schuin_",
    "~doorgehaald~",
    "> citaat",
    ">>> citaat",
    "&",
    "<",
    ">",
]
INVISIBLE_CHARS = ["\x00", "\x07", "\x1b[31m", "\r\n", "\t", "\u200b", "\u200e", "\u202e", "\u2066", "\ufeff"]
# valid BSNs (elfproef) as people paste them, dates of birth, an e-mail address, a phone number
PERSONAL = [
    "123456782",
    "111222333",
    "111\u00a0222\u00a0333",
    "111-222-333",
    "1234.56.782",
    "111    222    333",
    "111\n\n\n\n222\n\n\n\n333",
    "03-02-1987",
    "1987-02-03",
    "3 februari 1987",
    "jan@voorbeeld.nl",
    "06-12345678",
]
BSNS = ("123456782", "111222333")
WORDS = ["8290", "8409", "490", "AW319", "wat is", "what is", "retourcode", "aangeboden"]

questions = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(MARKUP),
        st.sampled_from(INVISIBLE_CHARS),
        st.sampled_from(PERSONAL),
        st.sampled_from(WORDS),
        st.integers(min_value=1, max_value=4000).map(lambda n: "&" * n),  # escapes to 5 times as long
    ),
    max_size=14,
).map(" ".join)

TOKEN = re.compile(r"<[^<>]*>")  # what Slack reads as a mention, broadcast, channel or link
MARKUP_TOKEN = re.compile(r"<[@#!][^<>]*>|<(?:https?|mailto|tel|ftp):", re.IGNORECASE)
INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
LINK = "https://test.slack.com/archives/C0GENERAL/p1700000000000100"


def texts(msg: blocks.Message) -> list[str]:
    """Everything of a message a person can read: the fallback, and every text in its blocks."""
    found = [msg.text]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                elif key != "value":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(msg.blocks)
    return found


def values(msg: blocks.Message) -> list[str]:
    return [e["value"] for b in msg.blocks if b["type"] == "actions" for e in b["elements"] if "value" in e]


def unescape(mrkdwn: str) -> str:
    return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def assert_clean(text: str) -> None:
    """Nothing of the input's markup or personal data in `text` (unescaped)."""
    assert "INJECT" not in text and "evil.example" not in text, text
    assert not MARKUP_TOKEN.search(text) and not INVISIBLE.search(text), text
    assert not re.search(r"(?<![\w@])@(here|channel|everyone)\b", text), text
    assert mask(text) == text, text  # no BSN, date, e-mail address or phone number left
    assert not [bsn for bsn in BSNS if bsn in text], text


def assert_within_limits(msg: blocks.Message) -> None:
    assert 1 <= len(msg.blocks) <= blocks.MAX_BLOCKS
    assert 0 < len(msg.text) <= blocks.MAX_FALLBACK
    for block in msg.blocks:
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= blocks.MAX_SECTION
    assert all(len(v) <= blocks.MAX_VALUE for v in values(msg))


@settings(max_examples=400, deadline=None)
@given(
    question=questions,
    reason=st.sampled_from(["unknown", "not_helpful", "ask_person"]),
    channel=st.sampled_from(["C0GENERAL", "D0DIRECT1", None]),
    clicked=st.booleans(),
    command=st.booleans(),
    lang=st.sampled_from(["nl", "en"]),
)
def test_the_hand_off_forwards_the_question_without_markup_or_personal_data(
    question: str, reason: str, channel: str | None, clicked: bool, command: bool, lang: str
) -> None:
    def hand_off(text: str) -> blocks.Message:
        return blocks.support_message(
            text,
            reason=reason,
            asker="U0ASKER1",
            channel=channel,
            link=LINK if channel == "C0GENERAL" else None,
            command=command,
            topics=("8290 Een onderwerp",),
            lang=lang,
            clicked=clicked,
            dm_with_bot=channel == "D0DIRECT1",
        )

    msg, header = hand_off(question), hand_off("")
    assert_within_limits(msg)
    # the question changes nothing but the code block it is quoted in
    assert msg.text == header.text and msg.blocks[0] == header.blocks[0]
    assert len(msg.blocks) <= 2
    header_tokens = set(TOKEN.findall(json.dumps(header.blocks)))
    for text in texts(msg):
        assert set(TOKEN.findall(text)) <= header_tokens, text  # the asker, the channel, the link
    if len(msg.blocks) == 2:
        quote = msg.blocks[1]["text"]["text"]
        assert quote.startswith("```\n") and quote.endswith("\n```"), quote
        inner = quote[4:-4]
        assert "```" not in inner and "<" not in inner and ">" not in inner  # it cannot close its block
        assert_clean(unescape(inner))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=questions, share=st.booleans())
def test_an_answer_shows_nothing_of_the_question_and_carries_it_cleaned(
    engine: Engine, question: str, share: bool
) -> None:
    answer = engine.answer(question, now=NOW)
    msg = blocks.answer_message(answer, engine.kb, question=question, share=share, ref="Ev0PROP1")
    assert_within_limits(msg)
    # what the person sees is the same whatever they typed around what the engine understood
    bare = blocks.answer_message(answer, engine.kb, question="", share=share, ref="Ev0PROP1")
    assert texts(msg) == texts(bare)
    for text in texts(msg):
        assert "INJECT" not in text and "evil.example" not in text and "<!" not in text, text
    for value in values(msg):
        assert_clean(blocks.unpack_value(value)["q"])  # passed on later only through the hand-off
