"""Each hand-written 325 fixture explained exactly: verdict, totals, codes with counts, masked BSNs.

Official retourcode descriptions are quoted from the 3.2 code list (WJ001); what-to-do texts
come from the knowledge base, so editing a remedy does not break these tests but changing a
fact does.
"""

from __future__ import annotations

import re

import pytest

from bot.engine.knowledge import KnowledgeBase
from bot.explain import Explanation, as_json, explain_bytes, explain_file
from bot.render.explain import euros, render_explanation

from .conftest import FIXTURES, fixture_bytes, fixture_text

LABELS = {  # iWmo/iJw 3.2, LDT_RetourCode
    "0200": "Geen opmerking over deze berichtklasse.",
    "0233": "Berichtklasse is niet beoordeeld.",
    "0611": "Het ingediende tarief komt niet overeen met het contractuele tarief",
    "8001": "Declaratie is volledig toegewezen.",
    "8017": "Van deze credit prestatie is geen debet prestatie bekend.",
    "9056": "Identificatie moet per berichtsoort uniek zijn voor de verzendende partij.",
    "9307": "Begindatum prestatie ligt niet tussen de ingangsdatum en einddatum toewijzing",
    "9308": "Einddatum prestatie ligt niet tussen de ingangsdatum en einddatum toewijzing",
    "9321": "Het ingediende volume overschrijdt het toegewezen volume.",
    "9338": "Niet iedere prestatie in een declaratiebericht is gerelateerd aan een toegewezen product op "
    "basis van het toewijzingnummer",
    "9340": "ProductCode in de Prestatie is niet gelijk aan ProductCode in het ToegewezenProduct.",
    "9389": "Deze prestatie heeft een debetprestatie zonder bijbehorende creditprestatie",
}

# name: message, verdict, submitted, granted, rejected, clients, prestaties,
#       codes as (code, message, declaration, clients, prestaties) in display order, BSNs of the rows
EXPECTED = {
    "wmo325-fully-granted.xml": dict(
        message=("WMO325", "485", "iWmo", "0599", "21001234", "R2026020601", "D2026020201", "202601007"),
        verdict="granted",
        submitted=(318450, "D"),
        granted=(318450, "D"),
        rejected=(0, "D"),
        clients=0,
        prestaties=0,
        codes=[("0200", 1, 0, 0, 0), ("8001", 0, 1, 0, 0)],
        bsns=[],
        sentence="De gemeente heeft de declaratie volledig toegekend: € 3.184,50.",
    ),
    "wmo325-partly-rejected.xml": dict(
        message=("WMO325", "485", "iWmo", "0599", "21001234", "R2026020602", "D2026020202", "202601008"),
        verdict="partly",
        submitted=(482610, "D"),
        granted=(364890, "D"),
        rejected=(117720, "D"),
        clients=2,
        prestaties=3,
        codes=[("9307", 0, 0, 0, 2), ("0611", 0, 0, 0, 1), ("9308", 0, 0, 0, 1), ("0200", 1, 1, 2, 0)],
        bsns=["******281", "******281", "******013"],
        sentence="De gemeente heeft de declaratie gedeeltelijk toegekend: € 3.648,90 van de € 4.826,10; "
        "€ 1.177,20 is afgewezen.",
    ),
    "jw325-fully-rejected.xml": dict(
        message=("JW325", "491", "iJw", "0363", "45009876", "JW325-88012", "JW323-00457", "2026010031"),
        verdict="rejected",
        submitted=(741975, "D"),
        granted=(0, "D"),
        rejected=(741975, "D"),
        clients=1,
        prestaties=2,
        codes=[("9338", 0, 0, 0, 2), ("0200", 1, 1, 1, 0)],
        bsns=["******039", "******039"],
        sentence="De gemeente heeft de declaratie volledig afgewezen: niets van de € 7.419,75 is toegekend.",
    ),
    "jw325-several-clients.xml": dict(
        message=("JW325", "491", "iJw", "0344", "45009876", "JW325-88107", "JW323-00470", "2026010044"),
        verdict="partly",
        submitted=(1106205, "D"),
        granted=(882555, "D"),
        rejected=(223650, "D"),
        clients=3,
        prestaties=4,
        codes=[("9321", 0, 0, 0, 2), ("9307", 0, 0, 0, 1), ("9340", 0, 0, 0, 1), ("0200", 1, 1, 3, 0)],
        bsns=["******358", "******918", "******918", "******320"],
        sentence="De gemeente heeft de declaratie gedeeltelijk toegekend: € 8.825,55 van de € 11.062,05; "
        "€ 2.236,50 is afgewezen.",
    ),
    "jw325-credit-lines.xml": dict(
        message=("JW325", "491", "iJw", "0363", "45009876", "JW325-88230", "JW323-00512", "2026020012"),
        verdict="partly",
        submitted=(40300, "D"),
        granted=(60000, "D"),
        rejected=(19700, "C"),
        clients=1,
        prestaties=2,
        codes=[("8017", 0, 0, 0, 1), ("9389", 0, 0, 0, 1), ("0200", 1, 1, 1, 0)],
        bsns=["******965", "******965"],
        sentence="De gemeente heeft de declaratie gedeeltelijk toegekend: € 600,00 toegekend op € 403,00 "
        "ingediend; afgewezen zijn € 985,00 aan creditregels en € 788,00 aan debetregels, netto € 197,00 "
        "credit, en een afgewezen creditregel wordt niet van het toegekende bedrag afgetrokken.",
    ),
    "wmo325-message-rejected.xml": dict(
        message=("WMO325", "485", "iWmo", "0599", "21001234", "R2026021301", "D2026020202", "202602003"),
        verdict="rejected",
        submitted=(125000, "D"),
        granted=(0, "D"),
        rejected=(125000, "D"),
        clients=0,
        prestaties=0,
        codes=[("9056", 1, 0, 0, 0), ("0233", 0, 1, 0, 0)],
        bsns=[],
        sentence="De gemeente heeft het hele bericht afgekeurd (retourcode 9056 op berichtniveau): "
        "de declaratie is niet beoordeeld en er is niets toegekend.",
    ),
}
FULL_BSNS = re.compile(r"<(?:\w+:)?Bsn>(\d{9})<")


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*325*.xml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_is_explained_exactly(name: str, kb: KnowledgeBase) -> None:
    want = EXPECTED[name]
    x = explain_file(FIXTURES / name, kb)
    h, a = x.header, x.answer
    assert a is not None
    assert (
        h.message,
        h.berichtcode,
        h.standard,
        h.sender,
        h.receiver,
        h.identification,
        h.declaration_identification,
        a.number,
    ) == want["message"]
    assert h.release == "3.2"
    assert x.verdict == want["verdict"]
    assert (a.submitted.cents, a.submitted.dc) == want["submitted"]
    assert (a.granted.cents, a.granted.dc) == want["granted"]
    assert x.rejected is not None and (x.rejected.cents, x.rejected.dc) == want["rejected"]
    assert (x.clients, x.prestaties) == (want["clients"], want["prestaties"])
    got = [(g.code, g.message, g.declaration, g.clients, g.prestaties) for g in x.codes]
    assert got == want["codes"]
    assert [r.p.bsn for r in x.rows] == want["bsns"]
    assert x.unknown_codes == []
    for g in x.codes:  # the iWmo/iJw meaning, never the Wlz one (0611 is in both)
        assert g.entry is not None and g.entry.label == LABELS[g.code]
        assert h.standard in g.entry.domains and "Wlz" not in g.entry.domains

    text = render_explanation(x, "plain", "nl")
    assert want["sentence"] in text.splitlines()
    assert (
        f"Ingediend: {euros(a.submitted.cents, 'nl')} {'credit' if a.submitted.dc == 'C' else 'debet'}"
        in text
    )
    for code, *_ in want["codes"]:
        assert f"• {code} {LABELS[code]}" in text
    for bsn in FULL_BSNS.findall(fixture_text(name)):
        assert bsn not in text
        assert bsn not in str(as_json(x))
        assert f"******{bsn[-3:]}" in text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bytes_and_file_give_the_same_explanation(name: str, kb: KnowledgeBase) -> None:
    from_file = explain_file(FIXTURES / name, kb)
    from_bytes = explain_bytes(fixture_bytes(name), name, kb)
    assert as_json(from_bytes) == as_json(from_file)


def _remedy(kb: KnowledgeBase, code: str, lang: str = "nl") -> str:
    entry = next(e for e in kb.by_code[code] if e.kind == "retourcode" and "iWmo" in e.domains)
    assert entry.remedy is not None
    return entry.remedy.get(lang)


def test_english_and_mrkdwn(kb: KnowledgeBase) -> None:
    x = explain_file(FIXTURES / "jw325-several-clients.xml", kb)
    en = render_explanation(x, "plain", "en")
    assert (
        "The municipality granted the declaration in part: €8,825.55 of the €11,062.05; "
        "€2,236.50 was rejected." in en.splitlines()
    )
    assert "Rejected: €2,236.50 debit (4 prestaties of 3 clients)" in en
    assert "  Found at: message, declaration, 3 clients" in en
    assert f"  What to do: {_remedy(kb, '9321', 'en')}" in en
    assert (
        "   48A01 (category 48 Jeugdbescherming), 2026-01-01 to 2026-01-31, 250 euro's, €250.00 debit" in en
    )
    md = render_explanation(x, "mrkdwn", "nl")
    assert md.splitlines()[0] == "*Retourbericht JW325 (iJw 3.2, berichtcode 491)*"
    assert f"• `9321` {LABELS['9321']}" in md


def test_mrkdwn_escapes_what_comes_from_the_file(kb: KnowledgeBase) -> None:
    data = fixture_text("jw325-fully-rejected.xml").replace("JW2601-0101", "A&amp;&lt;@U1&gt;")
    x = explain_bytes(data.encode(), "x.xml", kb)
    md = render_explanation(x, "mrkdwn", "nl")
    assert "ref. A&amp;&lt;@U1&gt;," in md and "<@U1>" not in md
    assert "ref. A&<@U1>," in render_explanation(x, "plain", "nl")
    # knowledge text is escaped too: the iJw description of 9415 contains "<>"
    x = explain_bytes(data.replace(">9338<", ">9415<", 1).encode(), "x.xml", kb)
    assert "RedenBeeindiging &lt;&gt; waarde 20" in render_explanation(x, "mrkdwn", "nl")
    assert "RedenBeeindiging <> waarde 20" in render_explanation(x, "plain", "nl")


def test_json_has_amounts_in_cents_and_masked_bsns(kb: KnowledgeBase) -> None:
    x: Explanation = explain_file(FIXTURES / "jw325-credit-lines.xml", kb)
    j = as_json(x, "en")
    assert j["verdict"] == "partly"
    assert j["submitted"] == {"cents": 40300, "debit_credit": "D", "signed_cents": 40300}
    assert j["rejected"] == {"cents": 19700, "debit_credit": "C", "signed_cents": -19700}
    assert [p["bsn"] for p in j["prestaties"]] == ["******965", "******965"]
    credit = j["prestaties"][0]
    assert credit["previous_reference"] == "JW2512-0040"
    assert credit["amount"] == {"cents": 98500, "debit_credit": "C", "signed_cents": -98500}
    assert (credit["unit"], credit["unit_label"], credit["category_label"]) == (
        "04",
        "Uur",
        "Jeugdhulp ambulant",
    )
    assert [c["code"] for c in j["retourcodes"]] == ["8017", "9389", "0200"]
    entry = next(e for e in kb.by_code["8017"] if e.kind == "retourcode" and "iJw" in e.domains)
    assert j["retourcodes"][0]["title"] == entry.heading("en")
    assert j["retourcodes"][0]["remedy"] == entry.remedy.get("en")  # type: ignore[union-attr]


def test_unknown_retourcode_is_shown_as_unknown_never_guessed(kb: KnowledgeBase) -> None:
    # 9999 is in no code list; 8290 is a Wlz retourcode only, which a 325 cannot carry
    data = fixture_text("wmo325-partly-rejected.xml").replace(">0611<", ">9999<").replace(">9308<", ">8290<")
    x = explain_bytes(data.encode(), "x.xml", kb)
    assert x.unknown_codes == ["8290", "9999"]
    text = render_explanation(x, "plain", "nl")
    for code in ("9999", "8290"):
        assert (
            f"• {code} Onbekende retourcode: die staat niet in de iWmo 3.2-codelijst van mijn kennisbank, "
            "dus ik ga er niet naar raden. Vraag de gemeente wat deze code betekent." in text
        )
    wlz = next(e for e in kb.by_code["8290"] if "Wlz" in e.domains)
    assert wlz.label not in text
    assert x.verdict == "partly"  # the amounts still decide


def test_listed_prestaties_that_do_not_add_up_are_pointed_out(kb: KnowledgeBase) -> None:
    data = fixture_text("wmo325-partly-rejected.xml").replace(">364890<", ">400000<")
    x = explain_bytes(data.encode(), "x.xml", kb)
    assert (
        "Let op: de afgewezen prestaties in het bestand tellen op tot € 1.177,20, "
        "niet tot het afgewezen bedrag € 826,10." in render_explanation(x, "plain", "nl")
    )


def test_rows_are_capped_but_counts_are_not(kb: KnowledgeBase) -> None:
    x = explain_file(FIXTURES / "jw325-several-clients.xml", kb, max_rows=1)
    assert len(x.rows) == 1 and x.prestaties == 4 and x.rows_hidden == 3
    assert sum(g.prestaties for g in x.codes if not g.informational) == 4
    assert render_explanation(x, "plain", "nl").endswith(
        "… en nog 3 afgewezen prestaties, hier niet getoond."
    )


def test_euros() -> None:
    assert euros(123456789, "nl") == "€ 1.234.567,89"
    assert euros(123456789, "en") == "€1,234,567.89"
    assert euros(5, "nl") == "€ 0,05"
    assert euros(-19700, "nl") == "-€ 197,00"


def test_a_cut_list_says_first_how_many_are_shown_and_how_to_get_all(kb: KnowledgeBase) -> None:
    x = explain_file(FIXTURES / "jw325-several-clients.xml", kb, max_rows=1)
    rows = render_explanation(x, "plain", "nl", "rows").splitlines()
    assert rows[:2] == [
        "Afgewezen prestaties (4)",
        "Hier staan de eerste 1 van de 4 afgewezen prestaties; de hele lijst geeft "
        "declaratiebot explain BESTAND --max-rows 0 (0 is alle).",
    ]
    assert rows[-1] == "… en nog 3 afgewezen prestaties, hier niet getoond."
    md = render_explanation(x, "mrkdwn", "en", "rows")
    assert (
        "Shown here: the first 1 of the 4 rejected prestaties; `declaratiebot explain FILE --max-rows 0` "
        "gives the whole list (0 is all)." in md.splitlines()
    )


def test_max_rows_0_lists_all_and_a_negative_number_keeps_the_note(kb: KnowledgeBase) -> None:
    every = explain_file(FIXTURES / "jw325-several-clients.xml", kb, max_rows=0)
    assert (len(every.rows), every.rows_hidden) == (4, 0)
    text = render_explanation(every, "plain", "nl")
    assert "4. BSN ******320" in text and "niet getoond" not in text and "Hier staan" not in text
    none = explain_file(FIXTURES / "jw325-several-clients.xml", kb, max_rows=-5)
    assert (len(none.rows), none.rows_hidden) == (0, 4)
    assert render_explanation(none, "plain", "nl").endswith(
        "Afgewezen prestaties (4)\n"
        "Hier staan de eerste 0 van de 4 afgewezen prestaties; de hele lijst geeft "
        "declaratiebot explain BESTAND --max-rows 0 (0 is alle).\n"
        "… en nog 4 afgewezen prestaties, hier niet getoond."
    )


def test_large_counts_have_thousands_separators() -> None:
    from bot.render.explain import number

    assert (number(20_000, "nl"), number(19_800, "en"), number(7, "nl")) == ("20.000", "19,800", "7")
