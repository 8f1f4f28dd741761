"""The Slack app with a store: what it records, the Home tab's figures, dedupe across
instances, and answering on while the database is unavailable."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.store import QuestionRecord, Store, open_store
from bot.store.report import summary
from bot.store.schema import actions, question_codes, questions
from tests.explain.conftest import fixture_bytes
from tests.slack import payloads
from tests.slack.conftest import Bot
from tests.slack.fake_slack import TEAM

WEEK_AGO = datetime.now(UTC) - timedelta(days=7)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'bot.db'}")
    yield s
    s.close()


@pytest.fixture
def sbot(start_bot: Callable[..., Bot], store: Store) -> Bot:
    return start_bot(store=store)


def rows(store: Store, table: Any) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table))]


def kinds(store: Store) -> list[tuple[str, str | None]]:
    return sorted((a["kind"], a["question_ref"]) for a in rows(store, actions))


def test_a_shared_retour_file_counts_as_a_question_and_nothing_of_it_is_kept(sbot: Bot, store: Store) -> None:
    """An explained 325 is an answered question with its retourcodes (no text, no file name);
    a 323 that cannot be explained is one not answered."""
    explained = sbot.fake.share_file("retour.xml", fixture_bytes("wmo325-partly-rejected.xml"))
    sbot.event(
        payloads.dm("", ts="1700000000.000301", subtype="file_share", files=[explained]), eid="EvFile1"
    )
    declaration = sbot.fake.share_file("decl.xml", fixture_bytes("wmo323-declaration.xml"))
    sbot.event(
        payloads.dm("", ts="1700000000.000302", subtype="file_share", files=[declaration]), eid="EvFile2"
    )
    first, second = sorted(rows(store, questions), key=lambda q: q["ref"])
    assert (first["ref"], first["channel_type"], first["answered"], first["text"]) == (
        "EvFile1",
        "dm",
        True,
        None,
    )
    assert (second["ref"], second["answered"], second["text"]) == ("EvFile2", False, None)
    codes = {c["code"] for c in rows(store, question_codes) if c["question_id"] == first["id"]}
    assert {"9307", "9308", "0611"} <= codes
    figures = summary(store, TEAM, WEEK_AGO)
    assert (figures.questions, figures.answered) == (2, 1)


def test_a_mention_is_recorded_with_codes_ref_and_masked_text(sbot: Bot, store: Store) -> None:
    text = f"<@UBOT> wat is 8290? BSN {payloads.BSN}"
    sbot.event(payloads.mention(text), eid="EvMention1")
    [q] = rows(store, questions)
    assert (q["team_id"], q["channel_type"], q["answered"], q["ref"], q["language"]) == (
        TEAM,
        "channel",
        True,
        "EvMention1",
        "nl",
    )
    assert payloads.BSN not in q["text"] and "8290" in q["text"]
    assert [c["code"] for c in rows(store, question_codes)] == ["8290"]
    assert q["confidence"] > 0 and q["latency_ms"] is not None


def test_an_unknown_dm_question_is_recorded_unanswered_with_its_hand_off(sbot: Bot, store: Store) -> None:
    sbot.event(payloads.dm("recept voor appeltaart"), eid="EvUnknown1")
    [q] = rows(store, questions)
    assert (q["channel_type"], q["answered"]) == ("dm", False)
    assert sbot.fake.posts(channel="C0SUPPORT"), "the question reached the support channel"
    assert kinds(store) == [("handoff", "EvUnknown1")]


def test_thanks_and_greetings_are_answered_but_not_passed_on_or_counted(sbot: Bot, store: Store) -> None:
    sbot.event(payloads.dm("bedankt!", ts="1700000000.000300", thread_ts="1700000000.000200"), eid="EvThanks")
    sbot.event(payloads.dm("hoi", ts="1700000000.000400"), eid="EvHello")
    thanks, hello = sbot.fake.posts(payloads.DM)
    assert thanks.params["thread_ts"] == "1700000000.000200" and "Graag gedaan" in thanks.texts()
    assert "retourcodes" in hello.texts()  # what the bot can answer
    assert sbot.fake.posts(channel="C0SUPPORT") == []
    assert rows(store, questions) == [] and kinds(store) == []


def test_clicks_are_recorded_against_the_question_they_were_under(sbot: Bot, store: Store) -> None:
    sbot.event(payloads.mention("<@UBOT> wat is 8290"), eid="EvClick1")
    [reply] = sbot.fake.posts(channel=payloads.CHANNEL)
    buttons = payloads.buttons(reply.params["blocks"])
    sbot.action(buttons["feedback_helpful"])
    sbot.action(buttons["feedback_not_helpful"])
    assert kinds(store) == [("handoff", "EvClick1"), ("helpful", "EvClick1"), ("not_helpful", "EvClick1")]
    # answered, but handed off and marked not helpful: not deflected
    s = summary(store, TEAM, WEEK_AGO)
    assert (s.questions, s.answered, s.deflected, s.helpful, s.not_helpful, s.handoffs) == (1, 1, 0, 1, 1, 1)


def test_a_suggestion_click_is_recorded(sbot: Bot, store: Store) -> None:
    sbot.event(payloads.mention("<@UBOT> retour"), eid="EvSuggest1")  # too vague: "did you mean"
    [reply] = sbot.fake.posts(channel=payloads.CHANNEL)
    suggestions = [b for k, b in payloads.buttons(reply.params["blocks"]).items() if k.startswith("suggest")]
    assert suggestions, "a vague question gets suggestions"
    sbot.action(suggestions[0])
    assert [ref for kind, ref in kinds(store) if kind == "suggestion"] == ["EvSuggest1"]


def test_a_slash_command_is_recorded_as_a_command_with_its_trigger(sbot: Bot, store: Store) -> None:
    sbot.command("wat is 8409")
    [q] = rows(store, questions)
    assert (q["channel_type"], q["ref"], q["answered"]) == ("command", "1337.42.abcdef", True)


def test_without_question_storage_only_the_figures_are_kept(
    start_bot: Callable[..., Bot], tmp_path: Path
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'figures.db'}", store_questions=False)
    bot = start_bot(store=store)
    bot.event(payloads.mention("<@UBOT> wat is 8290"))
    [q] = rows(store, questions)
    assert q["text"] is None and q["answered"] is True
    store.close()


def test_a_reply_that_fails_for_good_is_recorded(
    sbot: Bot, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    sbot.fake.fail("chat.postMessage", status=200, error="channel_not_found", times=1)
    with caplog.at_level(logging.ERROR, logger="declaratiebot.slack"):
        sbot.event(payloads.mention("<@UBOT> wat is 8290"), eid="EvFails1")
    assert "EvFails1" in caplog.text
    assert kinds(store) == [("reply_failed", "EvFails1")]
    [q] = rows(store, questions)  # still a question asked, answered as it was
    assert (q["ref"], q["answered"], q["channel_type"]) == ("EvFails1", True, "channel")
    s = summary(store, TEAM, WEEK_AGO)
    assert (s.questions, s.reply_failures) == (1, 1)


def test_a_dm_whose_reply_fails_for_good_is_recorded_as_a_question_and_a_failure(
    sbot: Bot, store: Store
) -> None:
    sbot.fake.fail("chat.postMessage", status=500, times=3)  # every attempt
    sbot.event(payloads.dm("wat is 8614"), eid="EvFails2")
    assert sbot.fake.posts() == []
    [q] = rows(store, questions)
    assert (q["ref"], q["answered"], q["channel_type"]) == ("EvFails2", True, "dm")
    assert [c["code"] for c in rows(store, question_codes)] == ["8614"]
    assert kinds(store) == [("reply_failed", "EvFails2")]


def home_figures(bot: Bot) -> dict[str, str]:
    """The usage figures of the last Home tab published, by label."""
    home = bot.fake.to("views.publish")[-1]
    fields = [
        f["text"]
        for b in home.params["view"]["blocks"]
        if b.get("type") == "section"
        for f in b.get("fields", [])
    ]
    return dict(f.replace("*", "").split("\n", 1) for f in fields)


def seed_elsewhere(store: Store) -> None:
    """Rows the Home tab must not count: this workspace's of 8 days ago, another's of today."""
    old = datetime.now(UTC) - timedelta(days=8)
    for team, at in ((TEAM, old), ("T0OTHER", None), ("T0OTHER", None)):
        store.record_question(
            QuestionRecord(
                team_id=team, channel_type="channel", answered=True, language="nl", confidence=90, at=at
            )
        )
        store.record_handoff(team, at=at)


def test_home_tab_shows_the_workspaces_figures_of_the_last_week(sbot: Bot, store: Store) -> None:
    seed_elsewhere(store)
    sbot.event(payloads.mention("<@UBOT> wat is 8290"))
    sbot.event(payloads.mention("<@UBOT> wat is 8614"))
    sbot.event(payloads.dm("recept voor appeltaart"))
    sbot.event(payloads.home_opened())
    figures = home_figures(sbot)
    assert figures["Vragen"].startswith("3 ")
    assert figures["Beantwoord"] == "2 (67%)"
    assert figures["Doorgezet naar support"] == "1"


def test_a_home_tab_opened_without_a_workspace_shows_no_figures_at_all(sbot: Bot, store: Store) -> None:
    seed_elsewhere(store)
    envelope = payloads.envelope(payloads.home_opened())
    del envelope["team_id"]
    envelope["authorizations"][0].pop("team_id")
    assert sbot.post(json.dumps(envelope), "application/json").status == 200
    sbot.settle()
    assert sbot.fake.to("views.publish"), "the Home tab is published"
    assert home_figures(sbot) == {}, "not the figures of every workspace together"


def test_a_retry_to_another_instance_sharing_the_database_gets_no_second_reply(
    start_bot: Callable[..., Bot], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = open_store(url), open_store(url)
    a, b = start_bot(store=first), start_bot(store=second)
    body = payloads.mention("<@UBOT> wat is 8290")
    assert a.event(body, eid="EvShared1").status == 200
    assert b.event(body, eid="EvShared1", headers={"X-Slack-Retry-Num": "1"}).status == 200
    assert len(a.fake.posts(channel=payloads.CHANNEL)) == 1
    assert len(rows(first, questions)) == 1
    first.close()
    second.close()


def test_questions_are_answered_while_the_database_is_locked_and_recorded_after(
    sbot: Bot, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    path = store.engine.url.database
    assert path
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")  # nobody else can read or write the file now
    try:
        with caplog.at_level(logging.WARNING):
            sbot.event(payloads.mention("<@UBOT> wat is 8290"), eid="EvDuringOutage")
        assert len(sbot.fake.posts(channel=payloads.CHANNEL)) == 1, "answered without the database"
        assert "could not record question of EvDuringOutage" in caplog.text
        assert "dedupe of EvDuringOutage falls back to this process" in caplog.text
        # the retry of that event reaches this instance: its memory still drops it
        sbot.event(payloads.mention("<@UBOT> wat is 8290"), eid="EvDuringOutage")
        assert len(sbot.fake.posts(channel=payloads.CHANNEL)) == 1
    finally:
        blocker.rollback()
        blocker.close()
    sbot.event(payloads.mention("<@UBOT> wat is 8614"), eid="EvAfterOutage")
    refs = sorted(q["ref"] for q in rows(store, questions))
    # a write given up on at the deadline may still land once the lock is gone: late, not lost
    assert refs in (["EvAfterOutage"], ["EvAfterOutage", "EvDuringOutage"])
    assert "wat is 8290" not in json.dumps(
        [r.getMessage() for r in caplog.records]
    )  # no question text in logs


def test_personal_data_is_masked_where_it_is_stored_and_where_it_is_forwarded(
    sbot: Bot, store: Store
) -> None:
    question = (
        f"wat is 8290 bij BSN {payloads.BSN}, geboren 03-04-1981? "
        "mail j.jansen@example.nl of bel 06-12345678; dossier 123456789"  # fails the elfproef
    )
    sbot.event(payloads.mention(f"<@UBOT> {question}"))
    [answer] = sbot.fake.posts(channel=payloads.CHANNEL)
    sbot.action(payloads.buttons(answer.params["blocks"])["feedback_not_helpful"])
    [forwarded] = sbot.fake.posts(channel="C0SUPPORT")
    [stored] = [q["text"] for q in rows(store, questions)]
    for text in (forwarded.texts(), stored):
        for personal in (payloads.BSN, "03-04-1981", "j.jansen@example.nl", "06-12345678"):
            assert personal not in text
        for mark in ("[BSN]", "[datum]", "[e-mail]", "[telefoon]"):
            assert mark in text
        assert "123456789" in text  # nine digits that are no BSN are left as typed
