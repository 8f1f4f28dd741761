"""How the engine reads questions as people type them: the setting around a code, official
names in quotes, release numbers, contractions, where-words, lists of codes."""

from __future__ import annotations

import pytest

from bot.engine.answer import Engine
from bot.engine.matcher import stem
from bot.engine.normalize import fold
from tests.engine.test_answer import text


def topic(engine: Engine, question: str) -> list[str]:
    a = engine.answer(question)
    return a.topic if a.answered else []


# ------------------------------------------------- a code that is only the setting


def test_words_beside_a_message_code_are_the_question(engine: Engine) -> None:
    assert topic(engine, "hoe lang blijft een JW325 bewaard op vecozo") == ["bewaartermijn-twee-maanden"]


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("hoe download ik een 325", "howto-retourbericht-downloaden"),
        ("how do I link a 325 to my 323", "howto-325-matchen-aan-323"),
        ("how do I match a JW325 with my JW323 declaration", "howto-325-matchen-aan-323"),
        ("jw325 bewaartermijn", "bewaartermijn-twee-maanden"),
        # 316 is no standard: the message keeps its name, which its own phrases use
        ("WMO316 is the retour on which message?", "berichtcode-445"),
    ],
)
def test_words_beside_a_message_code_find_the_phrases_that_name_it(
    engine: Engine, question: str, entry_id: str
) -> None:
    """A how-to whose phrases name the standard ("325 downloaden") beats the standard itself,
    and the answer is about that, not also about the message or its standard."""
    assert topic(engine, question) == [entry_id]


def test_the_message_code_is_not_added_to_an_answer_about_the_words_beside_it(engine: Engine) -> None:
    assert topic(engine, "hoe lang blijft een JW325 bewaard") == ["bewaartermijn-twee-maanden"]


@pytest.mark.parametrize("question", ["wat is een JW325", "JW325?", "What is message 450 in VECOZO?"])
def test_a_message_code_alone_or_with_generic_words_is_answered_as_the_code(
    engine: Engine, question: str
) -> None:
    a = engine.answer(question)
    assert a.answered and a.items[0].entry.kind == "berichtcode"


@pytest.mark.parametrize(
    ("question", "unknown"),
    [("9310 in mijn JW325", "9310"), ("8291 op mijn AW320", "8291"), ("BRS99 bij een 323", "BRS99")],
)
def test_an_unknown_code_beside_a_message_code_is_not_answered_with_the_message(
    engine: Engine, question: str, unknown: str
) -> None:
    a = engine.answer(question)
    assert not a.answered and a.unknown_codes == (unknown,)
    assert unknown in text(engine, question)


def test_a_known_code_beside_a_message_code_is_answered(engine: Engine) -> None:
    assert topic(engine, "ik krijg 1113 terug op mijn AW319") == ["wlz-retourcode-1113"]


@pytest.mark.parametrize(("question", "code"), [("wmo 304 = ?", "304"), ("jw 303 uitleg", "303")])
def test_a_standard_written_with_wmo_or_jw_is_the_standard(engine: Engine, question: str, code: str) -> None:
    a = engine.answer(question)
    assert a.answered and a.items[0].entry.kind == "standaard" and a.items[0].entry.codes == [code]


# ------------------------------------------------------------ official names


def test_every_official_name_quoted_in_a_question_is_answered(engine: Engine) -> None:
    got = topic(engine, "difference between 'Wordt verwerkt' and 'Verwerking voltooid'?")
    assert sorted(got) == ["status-verwerking-voltooid", "status-wordt-verwerkt"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("whats the difference between Aangeboden and Bezorgd", ["status-aangeboden", "status-bezorgd"]),
        ("verschil tussen afzender en indiener", ["veld-afzender", "veld-indiener"]),
    ],
)
def test_several_official_names_of_one_word_and_one_kind_are_all_answered(
    engine: Engine, question: str, expected: list[str]
) -> None:
    assert sorted(topic(engine, question)) == expected


def test_an_entry_matched_by_its_own_name_beats_a_phrase_as_good(engine: Engine) -> None:
    """'wat is pull' is a phrase of the overview of delivery methods; 'Pull' is the method's name."""
    assert topic(engine, "what is pull") == ["aflevermethode-pull"]


def test_entries_that_list_the_same_phrase_are_both_answered(engine: Engine) -> None:
    # the source calls both VECOZO rejecting a message; and it says under 8614 how to declare
    # meerzorg (ZMZ01), which the meerzorg entry says too
    assert topic(engine, "message rejected by vecozo what now") == [
        "actie-afkeuren",
        "status-afgekeurd-door-dienst",
    ]
    assert sorted(topic(engine, "hoe declareer ik meerzorg")) == ["wlz-meerzorg-zmz01", "wlz-retourcode-8614"]


def test_an_official_name_in_a_chatty_question_is_enough(engine: Engine) -> None:
    assert topic(engine, "staat al een uur op wordt verwerkt") == ["status-wordt-verwerkt"]


def test_an_official_name_in_a_long_message_beats_a_runner_up_about_as_good(engine: Engine) -> None:
    question = (
        "Goedemiddag allemaal, ik ben nieuw hier. We hebben vorige week declaraties ingediend via ons "
        "pakket en nu zie ik in VECOZO dat een deel de status Afgekeurd door dienst heeft. Mijn collega "
        "zegt dat ik het gewoon opnieuw kan versturen, wat moet ik doen?"
    )
    assert topic(engine, question)[0] == "status-afgekeurd-door-dienst"


def test_words_for_the_same_thing_meet(engine: Engine) -> None:
    assert engine.matcher.query("ons pakket") == engine.matcher.query("onze software")
    assert (
        topic(engine, "kan ik een Pull bericht 2x ophalen met ons pakket?")[0] == "ophalen-eenmalig-software"
    )


# ------------------------------------------------------- words that mislead


def test_a_release_number_is_not_read_as_two_words(engine: Engine) -> None:
    assert fold("iJw 3.2") == "ijw"
    got = topic(engine, "welke eenheden kent iJw 3.2")
    assert got and got[0] == "ijw-iwmo-codelijst-eenheid"
    assert "Minuut" in text(engine, "welke eenheden kent iJw 3.2")


def test_contractions_do_not_count_as_words(engine: Engine) -> None:
    assert fold("client's AW320's") == "client aw320"
    assert topic(
        engine, "client's BSN and date of birth combination is rejected, which retourcode is that?"
    ) == ["wlz-retourcode-8004"]
    assert engine.matcher.query("where can t find it") == engine.matcher.query("where can find it")


def test_words_that_say_where_do_not_outweigh_the_field(engine: Engine) -> None:
    assert topic(engine, "wat staat er bij afzender op het detailscherm") == ["veld-afzender"]
    assert topic(engine, "wat zie ik allemaal op het detailscherm") == ["veld-detailscherm"]


def test_a_word_the_knowledge_uses_never_marks_a_question_out_of_domain(engine: Engine) -> None:
    assert "wachtwoord" in engine.kb.language.out_of_domain
    assert topic(engine, "zip bestand met wachtwoord afgekeurd") == ["vecozo-foutcode-brs17"]
    assert topic(engine, "hoe vraag ik een nieuw wachtwoord aan voor mijn laptop") == []


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("berichten", "bericht"),
        ("eenheden", "eenheid"),
        ("codes", "code"),
        ("pulled", "pull"),
        ("matching", "match"),
        ("screen", "screen"),
        ("geen", "geen"),
        ("opening", "opening"),
    ],
)
def test_stem(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


# ---------------------------------------------------------------- code lists


@pytest.mark.parametrize(("code", "with_"), [("Z015", "Z916"), ("Z253G", "Z917"), ("ZN043", "Z917")])
def test_a_code_on_a_list_finds_the_retourcode_that_names_the_list(
    engine: Engine, code: str, with_: str
) -> None:
    a = engine.answer(f"wat is {code}")
    assert a.topic == ["wlz-retourcode-8612"]
    reply = text(engine, f"wat is {code}")
    assert reply.startswith("Retourcode 8612")
    assert f'Gevraagd: {code} staat in de lijst "Verblijfscodes die samen met {with_}' in reply


def test_a_code_on_both_lists_names_both(engine: Engine) -> None:
    reply = text(engine, "Z995")
    assert (
        "samen met Z916" in reply.split("Wat te doen")[0]
        and "samen met Z917" in reply.split("Wat te doen")[0]
    )


# -------------------------------------------------- a bare berichtcode number


def test_a_bare_message_number_is_offered_not_answered(engine: Engine) -> None:
    a = engine.answer("wat is 437")
    assert not a.answered and a.needs_cue == ("437",)
    assert [s.code for s in a.suggestions] == ["437"]
    assert 'vraag naar "berichtcode 437"' in text(engine, "wat is 437")
    assert engine.answer("berichtcode 437").topic == ["berichtcode-437"]


def test_a_number_in_a_sentence_is_not_read_as_a_message(engine: Engine) -> None:
    a = engine.answer("ik heb 414 declaraties ingediend")
    assert "414" not in a.codes and "berichtcode-414" not in a.topic


# ------------------------------------------------------------- small talk


@pytest.mark.parametrize(
    ("message", "lang"),
    [
        ("bedankt!", "nl"),
        ("top, thanks", "en"),
        ("dank je wel", "nl"),
        ("dankjewel voor de hulp!", "nl"),
        ("thanks for the help", "en"),
        ("thanks a lot, that helped", "en"),
    ],
)
def test_thanks_gets_a_welcome_not_a_search(engine: Engine, message: str, lang: str) -> None:
    a = engine.answer(message)
    assert a.thanks and not a.answered and not a.help and a.suggestions == () and a.language == lang
    assert text(engine, message).startswith("Graag gedaan" if lang == "nl" else "You're welcome")


@pytest.mark.parametrize(
    "message",
    [
        "hoi",
        "hallo!",
        "wat is het?",
        "help",
        "?",
        "hello bot",
        "help, bedankt",
        "good morning",
        "goeiemorgen!",
    ],
)
def test_a_greeting_or_an_empty_question_gets_what_the_bot_can_answer(engine: Engine, message: str) -> None:
    a = engine.answer(message)
    assert a.help and not a.thanks and not a.answered


def test_thanks_with_a_question_is_the_question(engine: Engine) -> None:
    assert topic(engine, "ok, bedankt, en wat is 8290 dan?") == ["wlz-retourcode-8290"]


# ------------------------------------------------------ numbers that are no codes


def test_a_sum_of_money_is_not_an_unknown_code(engine: Engine) -> None:
    a = engine.answer("ToegekendBedrag 2500, hoeveel euro is dat?")
    assert "2500" not in a.unknown_codes
    assert a.topic == ["bedragen-in-centen"] or a.suggestions[0].entry_id == "bedragen-in-centen"
    assert engine.answer("retourcode 2500 bij het bedrag").unknown_codes == ("2500",)  # called a code
    assert engine.answer("wat is 2500").unknown_codes == ("2500",)


def test_a_number_we_have_no_phrase_with_does_not_weigh_as_a_word(engine: Engine) -> None:
    assert engine.matcher.query("toegekendbedrag 2500 euro") == engine.matcher.query("toegekendbedrag euro")


# -------------------------------------------------- a partial match is no answer


@pytest.mark.parametrize(
    "question",
    [
        "hoe reset ik het wachtwoord van mijn vecozo certificaat? ben het vergeten",
        "What's the WSDL endpoint URL for the VECOZO Pull webservice?",
    ],
)
def test_a_question_mostly_about_something_else_is_not_answered_from_a_few_words(
    engine: Engine, question: str
) -> None:
    a = engine.answer(question)
    assert not a.answered and a.suggestions  # offered, not answered


def test_a_long_question_mostly_about_an_entry_is_answered(engine: Engine) -> None:
    question = (
        "Our software already pulled a retour message. Can the customer still download it in the portal?"
    )
    assert engine.answer(question).answered


# ------------------------------------------------------------- typos, numbers, names


def test_two_letters_changed_make_another_word_not_a_typo(engine: Engine) -> None:
    """A long word may have two typos, but two changed letters make another word."""
    m = engine.matcher
    assert m.correct("betaaltermijn") is None  # not "bewaartermijn"
    assert engine.answer("wat is de betaaltermijn van de gemeente").answered is False
    assert m.correct("retrourcode") == "retourcode"  # a letter too many
    assert m.correct("afgekuerd") == "afgekeurd"  # two letters swapped
    assert m.correct("retourcoed") == "retourcode"


def test_a_typo_of_a_synonym_finds_the_word_it_stands_for(engine: Engine) -> None:
    assert engine.matcher.correct("mesage") == "bericht"  # "message" means "bericht"
    assert topic(engine, "how long are mesages kept on vecozo") == ["bewaartermijn-twee-maanden"]


def test_what_does_that_mean_in_dutch_is_no_word_to_match(engine: Engine) -> None:
    assert topic(engine, "pull aflevering wat houdt dat in")[0] == "aflevermethode-pull"


def test_numbers_alone_are_no_words_to_match(engine: Engine) -> None:
    assert not engine.answer("what's 2+2").answered  # "2" is "twee", but not by itself
    assert topic(engine, "bewaren 2 maanden") == ["bewaartermijn-twee-maanden"]


def test_a_name_from_the_schema_with_an_underscore_is_read_as_written(engine: Engine) -> None:
    assert topic(engine, "what's LDT_Bedrag") == ["bedragen-in-centen"]
    assert topic(engine, "JW325 TotaalToegekendBedrag 150000 hoeveel euro is dat") == ["bedragen-in-centen"]


# ------------------------------------------------ a code in several code lists


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("0611", ["ijw-iwmo-retourcode-0611", "wlz-retourcode-0611"]),
        ("0611 op mijn AW320", ["wlz-retourcode-0611"]),
        ("what is 0611 for the care office", ["wlz-retourcode-0611"]),
        ("0611 in een JW325", ["ijw-iwmo-retourcode-0611"]),
        ("0611 jeugdwet", ["ijw-iwmo-retourcode-0611"]),
        ("0611 from the municipality", ["ijw-iwmo-retourcode-0611"]),
        ("9360 jeugdwet", ["ijw-retourcode-9360"]),
        ("9360 wmo", ["iwmo-retourcode-9360"]),
    ],
)
def test_a_code_in_several_lists_is_answered_for_the_standard_the_question_points_at(
    engine: Engine, question: str, expected: list[str]
) -> None:
    assert sorted(topic(engine, question)) == expected


# ------------------------------------------------------------- overviews


def test_the_overview_of_berichtcodes_lists_every_one_the_knowledge_holds(engine: Engine) -> None:
    a = engine.answer("overzicht berichtcodes")
    assert a.topic == ["berichtcodes-overzicht"]
    listed = [e.codes[0] for e in a.items[0].listing]
    assert listed == sorted(e.codes[0] for e in engine.kb.of_kind("berichtcode"))
    assert {"414", "416", "491"} <= set(listed) and "422" not in listed
    reply = text(engine, "overzicht berichtcodes")
    assert "• 414 WMO301: Toewijzing Wmo (iWmo)" in reply and "• 416 Declaratie Wmo (iWmo)" in reply


@pytest.mark.parametrize("question", ["wat is berichtcode 422", "what is JW399"])
def test_an_unknown_message_code_is_offered_the_overview(engine: Engine, question: str) -> None:
    a = engine.answer(question)
    assert not a.answered and a.suggestions[0].entry_id == "berichtcodes-overzicht"
    assert engine.answer("wat is 8291").suggestions[0].entry_id != "berichtcodes-overzicht"
