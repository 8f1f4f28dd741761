"""What a person notices about answers: right entry, right language, honest unknowns."""

from __future__ import annotations

import pytest

from bot.engine.answer import Engine
from bot.render import render
from tests.conftest import at


def text(engine: Engine, question: str) -> str:
    return render(engine.answer(question, now=at(2026, 11, 24, 10)), "plain", engine.kb)


# ----------------------------------------------------------------- exact codes


@pytest.mark.parametrize(
    "code", ["0551", "0553", "1113", "8004", "8010", "8220", "8221", "8290", "8612", "8866"]
)
def test_every_wlz_retourcode_is_answered_exactly(engine: Engine, code: str) -> None:
    a = engine.answer(f"wat is retourcode {code}")
    assert a.answered and a.confidence == 100
    assert [i.entry.codes[0] for i in a.items] == [code]
    assert a.items[0].entry.domains == ["Wlz"]


def test_several_codes_in_one_question_are_all_answered(engine: Engine) -> None:
    a = engine.answer("ik kreeg 0551, 8290 en 8612 terug")
    assert [i.code for i in a.items] == ["0551", "8290", "8612"]


def test_codes_in_noisy_slack_text(engine: Engine) -> None:
    a = engine.answer("<@U024BE7LH> *help* met `8290` a.u.b. <!here> zie <https://x.nl|link>")
    assert a.answered and a.codes == ("8290",)


def test_unknown_code_is_not_answered_with_a_neighbour(engine: Engine) -> None:
    a = engine.answer("wat is 8291")
    assert not a.answered and a.items == ()
    assert a.unknown_codes == ("8291",)
    assert "8290" in [s.code for s in a.suggestions]
    reply = text(engine, "wat is 8291")
    assert "8291" in reply and "ken ik niet" in reply


def test_unknown_code_next_to_a_known_one(engine: Engine) -> None:
    a = engine.answer("8290 en 8291")
    assert a.answered and [i.code for i in a.items] == ["8290"] and a.unknown_codes == ("8291",)
    assert "8291" in text(engine, "8290 en 8291")


def test_a_year_is_not_a_code(engine: Engine) -> None:
    a = engine.answer("hoe lang worden berichten bewaard op vecozo in 2026")
    assert "2026" not in a.codes


def test_a_number_is_only_a_berichtcode_when_asked_as_one(engine: Engine) -> None:
    assert engine.answer("berichtcode 490").items[0].entry.codes[0] == "490"
    assert "100" not in engine.answer("mag de referentie langer zijn dan 100 tekens").codes


def test_490_and_z490_are_different_things(engine: Engine) -> None:
    assert engine.answer("490").items[0].entry.kind == "berichtcode"
    assert engine.answer("Z490").items[0].entry.kind == "limit"


@pytest.mark.parametrize("spelling", ["AW319", "aw 319", "AW-319", "aw_319", "Aw319"])
def test_aw319_in_any_spelling(engine: Engine, spelling: str) -> None:
    a = engine.answer(f"wat is {spelling}")
    assert a.answered and a.items[0].entry.codes == ["AW319"]


def test_a_message_code_as_context_does_not_crowd_out_the_retourcode(engine: Engine) -> None:
    a = engine.answer("ik krijg 1113 terug op mijn AW319")
    assert [i.entry.codes[0] for i in a.items] == ["1113"]


@pytest.mark.parametrize("code", ["Z999", "H331", "O513", "Z916", "I002", "DN081"])
def test_prestatiecodes_find_their_limit(engine: Engine, code: str) -> None:
    a = engine.answer(f"wat is de limiet voor {code}")
    assert a.answered and a.items[0].entry.kind == "limit"
    assert code in a.items[0].entry.prestatiecodes


def test_limit_values_reach_the_reply(engine: Engine) -> None:
    assert "208" in text(engine, "Z999 maximum")
    assert "42" in text(engine, "H331")
    assert "182" in text(engine, "O513")


def test_retourcode_8220_lists_the_limits_it_enforces(engine: Engine) -> None:
    reply = text(engine, "retourcode 8220")
    for number in ("390", "234", "208"):
        assert number in reply


# ----------------------------------------------------------------- escalation


@pytest.mark.parametrize("code", ["8409", "8614"])
def test_escalation_carries_the_helpdesk(engine: Engine, code: str) -> None:
    a = engine.answer(code, now=at(2026, 11, 24, 10))
    assert a.escalate
    helpdesk = a.contacts[0]
    assert helpdesk.entry.phone == "040-2975729" and helpdesk.entry.email == "ZKT.declareren@vgz.nl"
    assert helpdesk.open_now is True


def test_8614_also_gives_team_klantadvies(engine: Engine) -> None:
    reply = text(engine, "8614")
    assert "040-2975729" in reply and "088-1311660" in reply


def test_escalation_says_closed_and_when_it_opens(engine: Engine) -> None:
    friday_evening = at(2026, 11, 27, 18, 0)
    a = engine.answer("8409", now=friday_evening)
    assert a.contacts[0].open_now is False
    assert a.contacts[0].next_open == at(2026, 11, 30, 8, 30)
    reply = render(a, "plain", engine.kb)
    assert "nu gesloten" in reply and "maandag 08:30" in reply
    en = render(engine.answer("what is 8409", now=friday_evening), "plain", engine.kb)
    assert "closed now" in en and "Monday 08:30" in en


def test_open_now_in_the_reply(engine: Engine) -> None:
    reply = render(engine.answer("8409", now=at(2026, 11, 24, 9, 0)), "plain", engine.kb)
    assert "nu bereikbaar" in reply


# ----------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("wat is 8290", "nl"),
        ("what is 8290", "en"),
        ("8290", "nl"),
        ("status bezorgd", "nl"),
        ("what does status Aangeboden mean", "en"),
        ("mijn bericht staat op aangeboden", "nl"),
        ("i got 0551 and 0553 back", "en"),
        ("crisiszorg Z490 maximum", "nl"),
        # no marker word at all: words the knowledge uses in one language only tell
        ("H331 limit", "en"),
        ("klantadvies phone number", "en"),
        ("8409 phone number?", "en"),
        ("virus detected in payload", "en"),
        ("telefoonnummer klantadvies", "nl"),
        ("maximum logeren per jaar", "nl"),
        ("hello bot", "en"),
        ("help", "nl"),  # a Dutch word too (a stopword of both): Dutch, the default
    ],
)
def test_language_is_detected(engine: Engine, question: str, language: str) -> None:
    assert engine.answer(question).language == language


def test_the_words_that_tell_the_language_come_from_the_knowledge(engine: Engine) -> None:
    """Every entry is written in both languages: a word only its English texts use is English."""
    detect = engine.detect
    assert "phone" in detect.en_only and "telefoonnummer" in detect.nl_only
    # an official Dutch name quoted in the English texts is in both, so it tells nothing
    assert "klantadvies" not in detect.en_only | detect.nl_only
    assert engine.answer("H331 limiet").language == "nl"


def test_answer_is_in_the_language_asked(engine: Engine) -> None:
    entry = engine.kb.by_code["8290"][0]
    assert entry.text.nl in text(engine, "wat is 8290")
    assert entry.text.en in text(engine, "what is 8290")
    assert entry.label in text(engine, "what is 8290")  # the official label stays Dutch


# ----------------------------------------------------------------- free text


@pytest.mark.parametrize(
    ("question", "entry_kind", "must_contain"),
    [
        ("mijn bericht blijft op aangeboden staan", "status", "Aangeboden"),
        ("statsu aangebodne", "status", "Aangeboden"),
        ("what does Bezorgd mean?", "status", "Bezorgd"),
        ("hoe lang blijft een bericht op het portaal staan", "aflevering", "twee maanden"),
        ("how many days can I declare for respite care (logeren)", "limit", "208"),
        ("wie moet ik bellen over de helpdesk digitaal declareren", "contact", "040-2975729"),
        ("wat is RINIS", "topic", "RINIS"),
        ("welke berichtcode hoort bij Declareren Wmo Retour", "berichtcode", "485"),
    ],
)
def test_free_text_finds_the_entry(engine: Engine, question: str, entry_kind: str, must_contain: str) -> None:
    a = engine.answer(question)
    assert a.answered, (question, a.suggestions)
    assert a.items[0].entry.kind == entry_kind
    assert must_contain in text(engine, question)


@pytest.mark.parametrize(
    "question",
    [
        "what's the weather in Utrecht tomorrow",
        "tell me a joke",
        "hoe vraag ik verlof aan",
        "wie wint het WK voetbal",
        "kun je mijn printer repareren",
        "asdfghjkl qwerty",
    ],
)
def test_out_of_domain_is_not_answered(engine: Engine, question: str) -> None:
    assert not engine.answer(question).answered


@pytest.mark.parametrize("question", ["bericht", "declaratie", "wat moet ik met mijn declaratie"])
def test_too_vague_gets_suggestions_not_a_guess(engine: Engine, question: str) -> None:
    a = engine.answer(question)
    assert not a.answered and a.suggestions
    assert "Bedoelde u misschien" in text(engine, question)


def test_a_close_runner_up_is_offered_next_to_the_answer(engine: Engine) -> None:
    a = engine.answer("retourcode")
    assert a.answered and a.suggestions


def test_empty_and_help_questions_give_help(engine: Engine) -> None:
    assert engine.answer("").help
    assert engine.answer("<@U123>").help
    assert engine.answer("help").help
    assert "8290" in text(engine, "help")


# ----------------------------------------------------------------- safety


def test_the_same_question_always_gets_the_same_answer(engine: Engine) -> None:
    questions = ["wat is 8290", "status aangeboden", "hoe download ik een retourbericht", "8614", "xyz"]
    first = [text(engine, q) for q in questions]
    assert [text(engine, q) for q in reversed(questions)] == list(reversed(first))


def test_personal_data_is_never_repeated(engine: Engine) -> None:
    question = "klant bsn 123456782 geboren 03-02-1987 mail a.b@example.nl krijgt 8004"
    reply = text(engine, question)
    for secret in ("123456782", "03-02-1987", "a.b@example.nl"):
        assert secret not in reply
    assert "8004" in reply


def test_user_text_is_never_rendered_or_echoed(engine: Engine) -> None:
    for question in [
        "{{ 7*7 }} 8290",
        "{% for x in y %}",
        "<!channel> <@U1> wat is 8291",
        "ik heet Jan Jansen",
    ]:
        reply = text(engine, question)
        assert "49" not in reply and "{{" not in reply and "{%" not in reply
        assert "<!channel>" not in reply and "<@U1>" not in reply and "Jansen" not in reply


def test_mrkdwn_escapes_slack_control_characters(engine: Engine) -> None:
    reply = render(engine.answer("8290"), "mrkdwn", engine.kb)
    assert "*Retourcode 8290" in reply
    assert "<" not in reply.replace("&lt;", "")


def test_a_question_about_two_things_answers_both(engine: Engine) -> None:
    a = engine.answer("wat is het verschil tussen afzender en indiener")
    assert a.answered and set(a.topic) == {"veld-afzender", "veld-indiener"}


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("maximale lengte referentie", "veld-referentie"),  # maximale ~ maximum, lengte ~ lang
        ("what happens after 2 months with my messages", "bewaartermijn-twee-maanden"),  # 2 ~ twee
    ],
)
def test_synonyms_from_language_yaml(engine: Engine, question: str, entry_id: str) -> None:
    assert engine.answer(question).topic == [entry_id]
