"""Block Kit builders: pure functions from Answers to dicts, tested on the real knowledge base."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bot.engine.answer import Engine
from bot.render import render, slack_escape
from bot.slack import blocks
from bot.slack.listeners.home import contacts
from tests.conftest import at

QUESTIONS = [
    "wat is retourcode 8290?",
    "8409",
    "8614",
    "what is message code 490?",
    "mijn bericht blijft op Aangeboden staan",
    "wat is 8291",
    "help",
    "recept voor appeltaart",
    "Z999",
]


def all_buttons(bs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in bs if b["type"] == "actions" for e in b["elements"]]


def sections(bs: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in bs if b["type"] == "section" and "text" in b]


def assert_within_limits(msg: blocks.Message) -> None:
    assert msg.text and len(msg.text) <= blocks.MAX_FALLBACK
    assert 1 <= len(msg.blocks) <= blocks.MAX_BLOCKS
    for text in sections(msg.blocks):
        assert 0 < len(text) <= blocks.MAX_SECTION
    for b in all_buttons(msg.blocks):
        assert len(b["text"]["text"]) <= blocks.MAX_BUTTON_TEXT
        assert len(b["value"]) <= blocks.MAX_VALUE
    action_ids = [b["action_id"] for b in all_buttons(msg.blocks)]
    assert len(action_ids) == len(set(action_ids))


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_answer_fits_slacks_limits(engine: Engine, question: str) -> None:
    msg = blocks.answer_message(engine.answer(question), engine.kb, question=question, share=True)
    assert_within_limits(msg)


@pytest.mark.parametrize("question", ["wat is retourcode 8290?", "8409", "aangeboden", "help", "wat is 8291"])
def test_the_sections_are_the_rendered_answer_without_contacts_and_suggestions(
    engine: Engine, question: str
) -> None:
    answer = engine.answer(question)
    msg = blocks.answer_message(answer, engine.kb, question=question)
    expected = render(replace(answer, contacts=(), suggestions=()), "mrkdwn", engine.kb)
    shown = "\n\n".join(sections(msg.blocks))
    assert shown.startswith(expected)


def test_the_escalation_card_says_whether_the_helpdesk_is_open(engine: Engine) -> None:
    monday = blocks.answer_message(engine.answer("8409", now=at(2024, 1, 8, 10)), engine.kb, question="8409")
    saturday = blocks.answer_message(
        engine.answer("8409", now=at(2024, 1, 6, 10)), engine.kb, question="8409"
    )

    [open_card] = [t for t in sections(monday.blocks) if t.startswith(":telephone_receiver:")]
    [closed_card] = [t for t in sections(saturday.blocks) if t.startswith(":telephone_receiver:")]
    for card in (open_card, closed_card):
        assert "Helpdesk Digitaal Declareren" in card
        assert "040-2975729" in card and "ZKT.declareren@vgz.nl" in card
        assert "08:30–17:00" in card
    assert "nu bereikbaar" in open_card
    assert "nu gesloten" in closed_card and "maandag 08:30" in closed_card


def test_an_english_question_gets_an_english_card_and_buttons(engine: Engine) -> None:
    answer = engine.answer("what does retourcode 8614 mean?")
    msg = blocks.answer_message(answer, engine.kb, question="what does retourcode 8614 mean?")

    assert any("phone 040-2975729" in t for t in sections(msg.blocks))
    labels = [b["text"]["text"] for b in all_buttons(msg.blocks)]
    assert "👍 Helpful" in labels and "👎 Not helpful" in labels


def test_did_you_mean_buttons_carry_the_suggested_entry_and_ask_a_person(engine: Engine) -> None:
    answer = engine.answer("wat is 8291")
    msg = blocks.answer_message(answer, engine.kb, question="wat is 8291")

    buttons = {b["action_id"]: b for b in all_buttons(msg.blocks)}
    suggested = [blocks.unpack_value(b["value"]) for a, b in buttons.items() if a.startswith(blocks.SUGGEST)]
    assert {s["e"] for s in suggested} == {s.entry_id for s in answer.suggestions}
    assert all(s["e"] in engine.kb.by_id and s["q"] == "wat is 8291" for s in suggested)
    assert blocks.ASK_PERSON in buttons
    assert blocks.HELPFUL not in buttons  # nothing to rate: it did not answer


def test_feedback_only_under_answers_and_share_only_when_asked(engine: Engine) -> None:
    answered = blocks.answer_message(engine.answer("8290"), engine.kb, question="8290")
    shared = blocks.answer_message(engine.answer("8290"), engine.kb, question="8290", share=True)
    helped = blocks.answer_message(engine.answer("help"), engine.kb, question="help", share=True)

    assert {b["action_id"] for b in all_buttons(answered.blocks)} == {blocks.HELPFUL, blocks.NOT_HELPFUL}
    assert blocks.SHARE in {b["action_id"] for b in all_buttons(shared.blocks)}
    assert all_buttons(helped.blocks) == []


def test_a_very_long_answer_is_split_and_shortened_within_the_limits(engine: Engine) -> None:
    question = " ".join(engine.kb.by_code)  # every known code: a huge answer
    answer = engine.answer(question)
    msg = blocks.answer_message(answer, engine.kb, question=question)

    assert_within_limits(msg)
    assert len(sections(msg.blocks)) > 1
    assert "ingekort" in sections(msg.blocks)[-1] or any("ingekort" in t for t in sections(msg.blocks))


def test_split_text_keeps_everything_and_respects_the_limit() -> None:
    text = "\n\n".join(f"alinea {i} " + "woord " * (i * 40) for i in range(30)) + "\n" + "x" * 7000
    pieces = blocks.split_text(text, limit=3000)

    assert all(0 < len(p) <= 3000 for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_split_text_keeps_paragraphs_together_when_they_fit() -> None:
    assert blocks.split_text("a\n\nb\n\nc", limit=3000) == ["a\n\nb\n\nc"]
    assert blocks.split_text("aaaa\n\nbbbb", limit=6) == ["aaaa", "bbbb"]
    assert blocks.split_text("") == []


def test_the_carried_question_is_cleaned_masked_and_short(engine: Engine) -> None:
    question = "<!channel> <@U0OTHER1> bsn 123456782 geboren 01-02-1980 mail a@b.nl *8290*? " + "x" * 40_000
    value = blocks.pack_value(question, "nl", t=["wlz-retourcode-8290"])
    data = blocks.unpack_value(value)

    assert len(value) <= blocks.MAX_VALUE
    assert data["q"].startswith("bsn [BSN] geboren [datum] mail [e-mail] 8290?")
    assert "<" not in data["q"] and "U0OTHER1" not in data["q"]
    assert data["t"] == ["wlz-retourcode-8290"] and data["l"] == "nl"


@pytest.mark.parametrize("value", [None, "", "{not json", "[1]", '{"l": "xx", "q": 5}', "null"])
def test_a_value_that_is_not_ours_unpacks_to_defaults(value: Any) -> None:
    data = blocks.unpack_value(value)
    assert data["q"] == "" and data["l"] == "nl"


def test_the_support_message_masks_strips_and_escapes() -> None:
    question = "<!here> vraag over <@U0OTHER1> met bsn 1234.56.782, tel 06-12345678 & <b>html</b> `code`"
    msg = blocks.support_message(
        question,
        reason="unknown",
        asker="U0ASKER1",
        channel="C0GENERAL",
        link="https://test.slack.com/archives/C0GENERAL/p1",
    )
    text = json.dumps(msg.blocks)

    assert "<@U0ASKER1>" in text and "<#C0GENERAL>" in text
    assert "<https://test.slack.com/archives/C0GENERAL/p1|" in text
    for leaked in ("<!here>", "U0OTHER1", "1234.56.782", "06-12345678", "<b>"):
        assert leaked not in text
    assert "[BSN]" in text and "[telefoon]" in text and "&amp;" in text and "&lt;b&gt;" in text
    assert text.count("```") == 2  # the question cannot close its code block


def test_the_support_message_refuses_what_is_not_an_id() -> None:
    msg = blocks.support_message(
        "vraag", reason="<!channel>", asker="<!channel>", channel="<!here>", link="javascript:alert(1)"
    )
    text = json.dumps(msg.blocks)
    assert "<!channel>" not in text and "<!here>" not in text and "javascript" not in text


def test_a_long_question_to_support_fits_a_section() -> None:
    msg = blocks.support_message("&" * 40_000, reason="unknown", asker="U1AB", channel=None, link=None)
    assert all(len(t) <= blocks.MAX_SECTION for t in sections(msg.blocks))


def test_handoff_notices() -> None:
    assert "<#C0SUPPORT>" in blocks.handoff_notice("nl", "C0SUPPORT")
    assert "already" in blocks.handoff_notice("en", "C0SUPPORT", already=True)
    assert "collega van support" in blocks.handoff_notice("nl", None)
    failed = blocks.handoff_notice("nl", "C0SUPPORT", failed=True, contact="Team <Support>")
    assert "lukte niet" in failed and "Team &lt;Support&gt;" in failed and "<#" not in failed


def test_a_notes_notification_is_its_text_escaped_once() -> None:
    notice = blocks.handoff_notice("nl", None, contact="Team <Support> & co")
    msg = blocks.note(f"{blocks.word('thanks_not', 'nl')}\n{notice}")

    assert msg.text == "Jammer. Dank u voor het laten weten. Stel uw vraag aan Team &lt;Support&gt; &amp; co."
    assert blocks.note("&amp; " * 100).text.endswith("&amp;…")  # never half an entity


def test_the_home_view(engine: Engine) -> None:
    view = blocks.home_view(engine.kb, contacts(engine.kb, at(2024, 1, 8, 10)), usage=[("Vragen", "12")])
    text = json.dumps(view, ensure_ascii=False)

    assert view["type"] == "home" and len(view["blocks"]) <= blocks.MAX_HOME_BLOCKS
    kb = engine.kb
    assert f"{len(kb.entries)} onderwerpen en {len(kb.by_code)} codes" in text
    assert all(slack_escape(s.title) in text for s in kb.sources.values())
    assert "wat betekent retourcode 8290?" in text and "what is retourcode 8290?" in text
    assert "040-2975729" in text and "nu bereikbaar" in text
    assert "/declaratie &lt;vraag&gt;" in text
    assert '"Vragen' in text.replace("*", '"') and "12" in text
    assert "Gebruik" not in json.dumps(blocks.home_view(engine.kb, []), ensure_ascii=False)
