"""A 325 retour file shared with the bot in Slack: fetched from the (fake) Slack file host
with the bot token, explained in the thread under it, never echoed with a full BSN."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bench.explain_bench import generate
from bot.slack.blocks import MAX_BLOCKS, MAX_SECTION
from tests.explain.conftest import fixture_bytes
from tests.explain.test_fixtures import LABELS
from tests.slack import payloads
from tests.slack.conftest import SUPPORT, Bot
from tests.slack.fake_slack import TOKEN, FakeSlack

PARTLY = "wmo325-partly-rejected.xml"
BSNS = ("533257281", "403101013")  # the clients of that fixture


def dm_with(files: list[dict[str, Any]], text: str = "", ts: str = "1700000000.000300") -> dict[str, Any]:
    return payloads.dm(text, ts=ts, subtype="file_share", files=files)


def mention_with(files: list[dict[str, Any]], text: str = "<@UBOT> kijk hier eens naar") -> dict[str, Any]:
    event = payloads.mention(text, ts="1700000000.000400")
    event["files"] = files
    return event


def replies(bot: Bot, channel: str) -> list[Any]:
    return [p for p in bot.fake.posts(channel=channel)]


def everything_posted(bot: Bot) -> str:
    return json.dumps([c.texts() for c in bot.fake.replies()], ensure_ascii=False)


def everything_sent(bot: Bot) -> str:
    """Every parameter of every call the bot made to Slack, not only what was posted."""
    return json.dumps([c.params for c in bot.fake.calls], ensure_ascii=False)


def remedy(bot: Bot, code: str, standard: str = "iWmo", lang: str = "nl") -> str:
    """What to do, from the knowledge base (editing a remedy does not break these tests)."""
    entry = next(e for e in bot.engine.kb.by_code[code] if e.kind == "retourcode" and standard in e.domains)
    assert entry.remedy is not None
    return str(entry.remedy.get(lang))


def section_texts(post: Any) -> list[str]:
    assert all(b["type"] == "section" for b in post.params["blocks"])
    return [b["text"]["text"] for b in post.params["blocks"]]


def test_a_retour_file_in_a_dm_is_explained_in_a_thread_under_it(bot: Bot) -> None:
    """The summary with the codes as a compact list first, then what to do per code, then the
    rejected prestaties: each its own message in the thread, each with a plain fallback."""
    shared = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    bot.event(dm_with([shared]))
    [download] = bot.fake.to("file_download")
    assert download.authorization == f"Bearer {TOKEN}"
    summary, todo, rows = replies(bot, payloads.DM)
    assert all(p.params["thread_ts"] == "1700000000.000300" for p in (summary, todo, rows))
    assert section_texts(summary) == [
        "\n".join(
            [
                "*Retourbericht WMO325 (iWmo 3.2, berichtcode 485)*",
                "Bestand: wmo325-partly-rejected.xml",
                "Van gemeente 0599 aan AGB-code 21001234",
                "Bericht R2026020602 van 06-02-2026",
                "Antwoord op declaratie D2026020202 van 02-02-2026, declaratienummer 202601008",
                "",
                "*De gemeente heeft de declaratie gedeeltelijk toegekend: € 3.648,90 van de € 4.826,10; "
                "€ 1.177,20 is afgewezen.*",
                "",
                "Ingediend: € 4.826,10 debet",
                "Toegekend: € 3.648,90 debet",
                "Afgewezen: € 1.177,20 debet (3 prestaties bij 2 cliënten)",
                "",
                "*Retourcodes*",
                f"• `9307` {LABELS['9307']} (2 prestaties)",
                f"• `0611` {LABELS['0611']} (1 prestatie)",
                f"• `9308` {LABELS['9308']} (1 prestatie)",
                f"• `0200` {LABELS['0200']} (bericht, declaratie, 2 cliënten)",
                "",
                "Hieronder in deze thread: wat te doen per retourcode en de afgewezen prestaties.",
            ]
        )
    ]
    assert section_texts(todo) == [
        "\n".join(
            [
                "*Wat te doen per retourcode*",  # 0200 asks for nothing
                f"• `9307` {remedy(bot, '9307')}",
                f"• `0611` {remedy(bot, '0611')}",
                f"• `9308` {remedy(bot, '9308')}",
            ]
        )
    ]
    assert section_texts(rows) == [
        "\n".join(
            [
                "*Afgewezen prestaties (3)*",
                "1. BSN ******281, ref. WMO2601-0003, toewijzing 4410021",
                "   `02A04` (categorie 02 Begeleiding), 01-01-2026 t/m 31-01-2026, 6 uur, € 412,20 debet",
                "   Retourcodes 9307, 9308",
                "2. BSN ******281, ref. WMO2601-0004, toewijzing 4410022",
                "   `07A01` (categorie 07 Dagbesteding), 01-01-2026 t/m 31-01-2026, 12 dagdeel (4 uur), "
                "€ 505,80 debet",
                "   Retourcode 0611",
                "3. BSN ******013, ref. WMO2601-0011, toewijzing 4410087",
                "   `01A01` (categorie 01 Hulp bij het huishouden), 05-01-2026 t/m 31-01-2026, 480 minuut, "
                "€ 259,20 debet",
                "   Retourcode 9307",
            ]
        )
    ]
    # plain fallbacks for notifications
    assert [p.params["text"] for p in (summary, todo, rows)] == [
        "Retourbericht WMO325 (iWmo 3.2, berichtcode 485)",
        "Wat te doen per retourcode",
        "Afgewezen prestaties (3)",
    ]
    for bsn in BSNS:
        assert bsn not in everything_sent(bot)


def test_a_fully_granted_file_is_one_message_without_what_to_do(bot: Bot) -> None:
    name = "wmo325-fully-granted.xml"
    bot.event(dm_with([bot.fake.share_file(name, fixture_bytes(name))]))
    [summary] = replies(bot, payloads.DM)
    assert section_texts(summary)[0].splitlines()[-4:] == [
        "",
        "*Retourcodes*",
        f"• `0200` {LABELS['0200']} (bericht)",
        f"• `8001` {LABELS['8001']} (declaratie)",
    ]


def test_an_unknown_code_is_one_line_in_the_summary_and_said_in_full_with_what_to_do(bot: Bot) -> None:
    text = fixture_bytes(PARTLY).decode().replace(">0611<", ">9999<")
    bot.event(dm_with([bot.fake.share_file(PARTLY, text.encode())]))
    summary, todo, _ = replies(bot, payloads.DM)
    assert "• `9999` Onbekende retourcode (1 prestatie)" in section_texts(summary)[0].splitlines()
    assert (
        "• `9999` Onbekende retourcode: die staat niet in de iWmo 3.2-codelijst van mijn kennisbank, dus "
        "ik ga er niet naar raden. Vraag de gemeente wat deze code betekent."
        in section_texts(todo)[0].splitlines()
    )


def test_a_file_with_a_mention_in_a_channel_is_explained_in_the_thread_not_the_root(bot: Bot) -> None:
    shared = bot.fake.share_file("retour.xml", fixture_bytes(PARTLY))
    bot.event(mention_with([shared], "<@UBOT> why was this rejected?"))
    posts = replies(bot, payloads.CHANNEL)
    assert posts and all(p.params.get("thread_ts") == "1700000000.000400" for p in posts)
    assert "granted the declaration in part" in posts[0].texts()  # the question was English
    summary, todo, _ = posts
    assert section_texts(summary)[0].splitlines()[-7:] == [
        "*Retourcodes*",
        f"• `9307` {LABELS['9307']} (2 prestaties)",
        f"• `0611` {LABELS['0611']} (1 prestatie)",
        f"• `9308` {LABELS['9308']} (1 prestatie)",
        f"• `0200` {LABELS['0200']} (message, declaration, 2 clients)",
        "",
        "Below in this thread: what to do per retourcode and the rejected prestaties.",
    ]
    assert section_texts(todo)[0].splitlines() == [
        "*What to do per retourcode*",
        *(f"• `{c}` {remedy(bot, c, lang='en')}" for c in ("9307", "0611", "9308")),
    ]


def test_a_323_gets_the_sentence_of_the_cli(bot: Bot) -> None:
    shared = bot.fake.share_file("declaratie.xml", fixture_bytes("wmo323-declaration.xml"))
    bot.event(dm_with([shared]))
    [post] = replies(bot, payloads.DM)
    assert "de retourcodes staan in het 325-antwoordbericht" in post.texts()


def test_a_zip_with_two_files_and_a_file_that_is_not_xml(bot: Bot) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as z:
        z.writestr("a.xml", fixture_bytes(PARTLY))
        z.writestr("b.xml", fixture_bytes(PARTLY))
    two = bot.fake.share_file("retour.zip", packed.getvalue())
    text = bot.fake.share_file("notities.txt", b"dit is geen xml")
    bot.event(dm_with([two, text]))
    first, second = replies(bot, payloads.DM)
    assert "Het zip-bestand bevat 2 bestanden" in first.texts()
    assert "Dit is geen XML-bestand" in second.texts()


def test_an_oversized_file_is_refused_without_downloading_it(bot: Bot) -> None:
    big = bot.fake.share_file("groot.xml", b"<x/>")
    name, _ = bot.fake.files[big["id"]]
    bot.fake.files[big["id"]] = (name, b" " * (25 * 1024 * 1024 + 1))
    bot.event(dm_with([big]))
    assert bot.fake.to("file_download", ok_only=False) == []
    [post] = replies(bot, payloads.DM)
    assert "groter dan 25 MB" in post.texts()


@pytest.mark.parametrize("reported", [None, 0, 1000])
def test_an_oversized_file_whose_size_is_not_reported_gets_the_25_mb_sentence(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, reported: int | None
) -> None:
    big = bot.fake.share_file("groot.xml", b" " * (25 * 1024 * 1024 + 1))
    real = bot.fake._file_info

    def without_size(file_id: str) -> dict[str, Any]:
        info = real(file_id)
        if reported is None:
            del info["file"]["size"]
        else:
            info["file"]["size"] = reported
        return info

    monkeypatch.setattr(bot.fake, "_file_info", without_size)
    bot.event(dm_with([big]))
    [post] = replies(bot, payloads.DM)
    assert "groter dan 25 MB" in post.texts()
    assert "kon het bestand niet ophalen" not in post.texts()


def test_a_file_not_on_slack_is_never_fetched_with_the_token(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    real = bot.fake._file_info

    def elsewhere(file_id: str) -> dict[str, Any]:
        info = real(file_id)
        info["file"]["url_private_download"] = "https://attacker.example/steal"
        return info

    monkeypatch.setattr(bot.fake, "_file_info", elsewhere)
    bot.event(dm_with([shared]))
    [post] = replies(bot, payloads.DM)
    assert "staat niet bij Slack" in post.texts()
    assert bot.fake.to("file_download", ok_only=False) == []


@pytest.mark.parametrize("status", [404, 500])
def test_a_failed_download_is_told_and_logged_with_the_event(
    bot: Bot, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    shared = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    bot.fake.fail("file_download", status=status, times=5)
    with caplog.at_level(logging.WARNING, logger="declaratiebot.slack"):
        bot.event(dm_with([shared]), eid="EvFileFails")
    [post] = replies(bot, payloads.DM)
    assert "kon het bestand niet ophalen" in post.texts()
    assert "EvFileFails" in caplog.text and "download failed" in caplog.text
    assert TOKEN not in caplog.text


def test_a_retried_delivery_explains_the_file_once(bot: Bot) -> None:
    shared = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    bot.event(dm_with([shared]), eid="EvFileOnce")
    bot.event(dm_with([shared]), eid="EvFileOnce", headers={"X-Slack-Retry-Num": "1"})
    assert len(bot.fake.to("file_download")) == 1
    assert len(replies(bot, payloads.DM)) == 3  # the summary, what to do and the list, once


@pytest.mark.parametrize("text", ["", "kijk hier eens naar", "<@U0COLLEGA> kijk hier eens naar"])
def test_a_file_shared_in_a_channel_without_a_mention_of_the_bot_is_left_alone(bot: Bot, text: str) -> None:
    """Only a DM or a mention of the bot asks for an explanation. app.yaml subscribes to
    message.im only, but an app configured by hand may also get channel messages."""
    shared = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    event = payloads.dm(text, ts="1700000000.000900", subtype="file_share", files=[shared])
    event |= {"channel": payloads.CHANNEL, "channel_type": "channel"}
    assert bot.event(event, eid="EvChannelFile").status == 200
    assert bot.fake.to("files.info", ok_only=False) == []
    assert bot.fake.to("file_download", ok_only=False) == []
    assert bot.fake.replies() == []


def test_file_shared_alone_gets_no_reply(bot: Bot) -> None:
    shared = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    bot.event(
        {"type": "file_shared", "file_id": shared["id"], "user_id": payloads.USER, "channel_id": payloads.DM}
    )
    assert bot.fake.replies() == []


def test_one_upload_sends_two_events_and_gets_one_explanation(bot: Bot) -> None:
    shared = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    bot.event(dm_with([shared]), eid="EvMessage")
    bot.event(
        {"type": "file_shared", "file_id": shared["id"], "user_id": payloads.USER, "channel_id": payloads.DM},
        eid="EvFileShared",
    )
    assert len(bot.fake.to("file_download")) == 1
    assert len(replies(bot, payloads.DM)) == 3  # the summary, what to do and the list, once


def test_question_text_next_to_a_file_is_not_answered_as_well(bot: Bot) -> None:
    shared = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    bot.event(dm_with([shared], text="Wat betekent retourcode 9307 en wie moet ik bellen?"))
    posts = replies(bot, payloads.DM)
    assert len(posts) == 3  # the summary, what to do, the list: no answer to the text, no hand-off
    assert "gedeeltelijk toegekend" in posts[0].texts()
    assert bot.fake.posts(channel=SUPPORT) == []


def test_a_redirect_takes_the_token_along_only_on_slack(bot: Bot) -> None:
    shared = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    moved = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    bot.fake.redirects[shared["id"]] = f"{bot.fake.url}/files/{moved['id']}/{PARTLY}"
    bot.event(dm_with([shared], ts="1700000000.000500"))
    first, second = bot.fake.to("file_download")
    assert first.authorization == second.authorization == f"Bearer {TOKEN}"
    assert "gedeeltelijk toegekend" in replies(bot, payloads.DM)[0].texts()

    elsewhere = FakeSlack().start()  # another host: another port on loopback
    try:
        elsewhere.files[shared["id"]] = (PARTLY, fixture_bytes(PARTLY))
        bot.fake.redirects[shared["id"]] = f"{elsewhere.url}/files/{shared['id']}/{PARTLY}"
        bot.event(dm_with([shared], ts="1700000000.000600"))
        [followed] = elsewhere.to("file_download", ok_only=False)
        assert followed.authorization is None
        assert all(TOKEN not in json.dumps(c.params) for c in elsewhere.calls)
        assert [p.params["thread_ts"] for p in replies(bot, payloads.DM)][-1] == "1700000000.000600"
    finally:
        elsewhere.stop()


def test_nothing_of_the_file_is_logged(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    name = "retour-Jansen-de-Vries.xml"  # a file name can carry a client's name
    shared = bot.fake.share_file(name, fixture_bytes(PARTLY))
    with caplog.at_level(logging.INFO):
        bot.event(dm_with([shared]), eid="EvFileLogged")
    assert "EvFileLogged" in caplog.text and shared["id"] in caplog.text  # the outcome is logged
    assert "Jansen" not in caplog.text
    for bsn in BSNS:
        assert bsn not in caplog.text


def test_a_long_explanation_is_split_within_block_kit_limits(bot: Bot, tmp_path: Path) -> None:
    generate(tmp_path / "groot.xml", prestaties=300)
    shared = bot.fake.share_file("groot.xml", (tmp_path / "groot.xml").read_bytes())
    bot.event(dm_with([shared]))
    posts = replies(bot, payloads.DM)
    assert len(posts) >= 4  # the summary, what to do, then the prestaties over more than one message
    assert posts[1].params["text"] == "Wat te doen per retourcode"
    listed = json.dumps([p.params["blocks"] for p in posts[2:]], ensure_ascii=False)
    assert "Afgewezen prestaties (300)" in listed
    assert "\\n200. BSN" in listed and "\\n201. BSN" not in listed
    assert "nog 100 afgewezen prestaties, hier niet getoond" in listed
    first = json.dumps(posts[2].params["blocks"], ensure_ascii=False)
    assert (
        "Hier staan de eerste 200 van de 300 afgewezen prestaties; de hele lijst geeft "
        "`declaratiebot explain BESTAND --max-rows 0` (0 is alle)." in first
    )
    for post in posts:
        assert len(post.params["blocks"]) <= MAX_BLOCKS
        assert all(
            len(b["text"]["text"]) <= MAX_SECTION for b in post.params["blocks"] if b["type"] == "section"
        )


def test_many_retourcodes_stay_within_block_kit_limits_one_line_each(bot: Bot) -> None:
    codes = [f"X{i:03d}" for i in range(190)]  # just under the 200 distinct codes a file may hold
    extra = "".join(f"<wmo325:RetourCode>{c}</wmo325:RetourCode>" for c in codes)
    text = fixture_bytes(PARTLY).decode()
    text = text.replace(
        "<wmo325:RetourCode>9307</wmo325:RetourCode>",
        "<wmo325:RetourCode>9307</wmo325:RetourCode>" + extra,
        1,
    )
    bot.event(dm_with([bot.fake.share_file(PARTLY, text.encode())]))
    posts = replies(bot, payloads.DM)
    summary = "\n".join(section_texts(posts[0]))
    assert sum(line.startswith("• `X") for line in summary.splitlines()) == 190
    assert "• `X189` Onbekende retourcode (1 prestatie)" in summary.splitlines()
    assert "Vraag de gemeente" not in summary  # the full sentence is in what to do
    todo = "\n".join(section_texts(posts[1]))
    assert sum(line.startswith("• `X") for line in todo.splitlines()) == 190
    for post in posts:
        assert post.params["text"] and len(post.params["blocks"]) <= MAX_BLOCKS
        assert all(len(t) <= MAX_SECTION for t in section_texts(post))
    assert len(posts[0].params["blocks"]) > 1  # the list did not fit in one section: split, not cut


def test_a_hostile_file_name_never_pings_or_injects_markup(bot: Bot) -> None:
    shared = bot.fake.share_file(
        "<!channel> <@U0BOSS> <https://evil.example|klik>.xml", fixture_bytes(PARTLY)
    )
    bot.event(dm_with([shared]))
    posted = everything_posted(bot)
    assert "gedeeltelijk toegekend" in posted
    for markup in ("<!channel>", "<@U0BOSS>", "<https://evil.example"):
        assert markup not in posted


# ------------------------------------------------------------------ a file that crashes: a sentence


def _damaged_zip() -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", fixture_bytes(PARTLY))
    data = bytearray(packed.getvalue())
    data[data.rindex(b"PK\x01\x02") + 6] = 197  # "version needed to extract" 19.7: NotImplementedError
    return bytes(data)


def test_files_that_used_to_crash_get_their_sentence_in_the_thread(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    text = fixture_bytes(PARTLY).decode()
    damaged = bot.fake.share_file("retour.zip", _damaged_zip())
    digits = bot.fake.share_file("retour.xml", text.replace(">41220<", ">" + "9" * 5000 + "<").encode())
    encoding = bot.fake.share_file("r.xml", text.replace('"UTF-8"', '"KTF-8"', 1).encode())
    with caplog.at_level(logging.INFO):
        bot.event(dm_with([damaged, digits, encoding]), eid="EvCrash")
    first, second, third = replies(bot, payloads.DM)
    assert all(p.params["thread_ts"] == "1700000000.000300" for p in (first, second, third))
    assert "Het zip-bestand is beschadigd" in first.texts()
    assert "Prestatie/IngediendBedrag/Bedrag is langer dan 256 tekens" in second.texts()
    assert "tekenset (encoding) die ik niet lees" in third.texts()
    assert "Traceback" not in caplog.text and "99999" not in caplog.text and "KTF" not in caplog.text
    assert "zip_bad" in caplog.text and "too_long" in caplog.text and "encoding" in caplog.text


def test_a_crash_while_explaining_posts_the_sentence_and_logs_only_its_type(
    bot: Bot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.slack.listeners import files

    def crash(x: Any, lang: str) -> list[Any]:
        raise ValueError(f"cannot render {x.rows[0].p.reference} of BSN 533257281")

    monkeypatch.setattr(files, "explanation_messages", crash)
    shared = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    with caplog.at_level(logging.INFO):
        bot.event(dm_with([shared]), eid="EvRenderCrash")
    [post] = replies(bot, payloads.DM)
    assert post.params["thread_ts"] == "1700000000.000300"
    sentence = (
        "Ik kon dit bestand niet lezen; het is geen leesbaar 325-retourbericht. "
        "Download het opnieuw uit VECOZO, of vraag een collega."
    )
    assert post.params["text"] == sentence
    assert [b["text"]["text"] for b in post.params["blocks"]] == [sentence]
    assert "EvRenderCrash" in caplog.text and "explaining failed (ValueError)" in caplog.text
    for secret in ("WMO2601-0003", "533257281", "cannot render", "Traceback"):
        assert secret not in caplog.text


def test_a_crash_inside_the_explainer_is_told_and_logged_as_its_type(
    bot: Bot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.explain.explain as explain_module

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("533257281")

    monkeypatch.setattr(explain_module, "read_325", crash)
    shared = bot.fake.share_file(PARTLY, fixture_bytes(PARTLY))
    with caplog.at_level(logging.INFO):
        bot.event(dm_with([shared]), eid="EvParseCrash")
    [post] = replies(bot, payloads.DM)
    assert "Ik kon dit bestand niet lezen" in post.texts()
    assert "not explained (failed, KeyError)" in caplog.text
    assert "533257281" not in caplog.text and "Traceback" not in caplog.text


def test_20000_rejected_prestaties_the_first_follow_up_says_what_is_shown_and_how_to_get_all(
    bot: Bot, tmp_path: Path
) -> None:
    generate(tmp_path / "groot.xml", prestaties=20_000)
    shared = bot.fake.share_file("groot.xml", (tmp_path / "groot.xml").read_bytes())
    bot.event(dm_with([shared]))
    posts = replies(bot, payloads.DM)
    first = posts[2].params["blocks"][0]["text"]["text"]
    assert first.splitlines()[:2] == [
        "*Afgewezen prestaties (20.000)*",
        "Hier staan de eerste 200 van de 20.000 afgewezen prestaties; de hele lijst geeft "
        "`declaratiebot explain BESTAND --max-rows 0` (0 is alle).",
    ]
    listed = json.dumps([p.params["blocks"] for p in posts[2:]], ensure_ascii=False)
    assert "nog 19.800 afgewezen prestaties, hier niet getoond" in listed
    for post in posts:
        assert len(post.params["blocks"]) <= MAX_BLOCKS


# ------------------------------------------------------------------ a JW325, and a 325 inside a zip


def _sections(post: Any) -> str:
    return "\n\n".join(b["text"]["text"] for b in post.params["blocks"] if b["type"] == "section")


def test_a_jw325_is_explained_in_the_thread_exactly_as_rendered(bot: Bot) -> None:
    from bot.engine.knowledge import default_dir, load
    from bot.explain import explain_bytes
    from bot.render.explain import render_explanation

    name = "jw325-several-clients.xml"
    shared = bot.fake.share_file(name, fixture_bytes(name))
    bot.event(dm_with([shared]))
    summary, todo, rows = replies(bot, payloads.DM)
    x = explain_bytes(fixture_bytes(name), name, load(default_dir()), max_rows=200)
    assert _sections(summary) == render_explanation(x, "mrkdwn", "nl", "compact").strip()
    assert _sections(todo) == render_explanation(x, "mrkdwn", "nl", "todo").strip()
    assert _sections(rows) == render_explanation(x, "mrkdwn", "nl", "rows").strip()
    lines = _sections(summary).splitlines()
    assert lines[:2] == ["*Retourbericht JW325 (iJw 3.2, berichtcode 491)*", f"Bestand: {name}"]
    assert (
        "*De gemeente heeft de declaratie gedeeltelijk toegekend: € 8.825,55 van de € 11.062,05; "
        "€ 2.236,50 is afgewezen.*" in lines
    )
    assert "Afgewezen: € 2.236,50 debet (4 prestaties bij 3 cliënten)" in lines
    assert "• `9321` Het ingediende volume overschrijdt het toegewezen volume. (2 prestaties)" in lines
    assert _sections(todo).splitlines()[0] == "*Wat te doen per retourcode*"
    assert _sections(rows).splitlines()[:3] == [
        "*Afgewezen prestaties (4)*",
        "1. BSN ******358, ref. JW2601-0210, toewijzing 7731002",
        "   `54001` (categorie 54 Jeugd-ggz), 01-01-2026 t/m 31-01-2026, 150 minuut, € 247,50 debet",
    ]
    for bsn in ("358", "918", "320"):
        assert f"******{bsn}" in _sections(rows)
    for full in ("288195358", "481111918", "866275320"):
        assert full not in everything_sent(bot)


def test_a_325_inside_a_zip_is_explained_like_the_xml(bot: Bot) -> None:
    name = "jw325-credit-lines.xml"
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("JW325_0363_20260310.xml", fixture_bytes(name))
    as_zip = bot.fake.share_file("retour.zip", packed.getvalue())
    bot.event(dm_with([as_zip], ts="1700000000.000700"))
    as_xml = bot.fake.share_file(name, fixture_bytes(name))
    bot.event(dm_with([as_xml], ts="1700000000.000800"))
    zip_summary, zip_todo, zip_rows, xml_summary, xml_todo, xml_rows = replies(bot, payloads.DM)
    assert [p.params["thread_ts"] for p in (zip_summary, zip_todo, zip_rows)] == ["1700000000.000700"] * 3
    assert _sections(zip_summary) == _sections(xml_summary).replace(f"Bestand: {name}", "Bestand: retour.zip")
    assert _sections(zip_todo) == _sections(xml_todo)
    assert _sections(zip_rows) == _sections(xml_rows)
    assert (
        "*De gemeente heeft de declaratie gedeeltelijk toegekend: € 600,00 toegekend op € 403,00 ingediend; "
        "afgewezen zijn € 985,00 aan creditregels en € 788,00 aan debetregels, netto € 197,00 credit, en een "
        "afgewezen creditregel wordt niet van het toegekende bedrag afgetrokken.*"
    ) in _sections(zip_summary).splitlines()
    assert "€ 985,00 credit" in _sections(zip_rows) and "522420965" not in everything_sent(bot)
