"""The whole explanation of every 325 fixture, asserted exactly (issue 4, audit item 4).

Everything but the what-to-do texts is written out here: header, verdict sentence, totals,
codes with their official descriptions (3.2 code list WJ001) and where they occur, and each
rejected prestatie with its masked BSN. The what-to-do texts come from the knowledge base
(`remedy`), so editing a remedy does not break these tests but changing a fact does.
"""

from __future__ import annotations

import pytest

from bot.engine.knowledge import KnowledgeBase
from bot.explain import explain_file
from bot.render.explain import render_explanation

from .conftest import FIXTURES
from .test_fixtures import LABELS

HEAD = {
    "wmo325-fully-granted.xml": [
        "Retourbericht WMO325 (iWmo 3.2, berichtcode 485)",
        "Bestand: wmo325-fully-granted.xml",
        "Van gemeente 0599 aan AGB-code 21001234",
        "Bericht R2026020601 van 06-02-2026",
        "Antwoord op declaratie D2026020201 van 02-02-2026, declaratienummer 202601007",
    ],
    "wmo325-message-rejected.xml": [
        "Retourbericht WMO325 (iWmo 3.2, berichtcode 485)",
        "Bestand: wmo325-message-rejected.xml",
        "Van gemeente 0599 aan AGB-code 21001234",
        "Bericht R2026021301 van 13-02-2026",
        "Antwoord op declaratie D2026020202 van 11-02-2026, declaratienummer 202602003",
    ],
    "wmo325-partly-rejected.xml": [
        "Retourbericht WMO325 (iWmo 3.2, berichtcode 485)",
        "Bestand: wmo325-partly-rejected.xml",
        "Van gemeente 0599 aan AGB-code 21001234",
        "Bericht R2026020602 van 06-02-2026",
        "Antwoord op declaratie D2026020202 van 02-02-2026, declaratienummer 202601008",
    ],
    "jw325-fully-rejected.xml": [
        "Retourbericht JW325 (iJw 3.2, berichtcode 491)",
        "Bestand: jw325-fully-rejected.xml",
        "Van gemeente 0363 aan AGB-code 45009876",
        "Bericht JW325-88012 van 09-02-2026",
        "Antwoord op declaratie JW323-00457 van 03-02-2026, declaratienummer 2026010031",
    ],
    "jw325-several-clients.xml": [
        "Retourbericht JW325 (iJw 3.2, berichtcode 491)",
        "Bestand: jw325-several-clients.xml",
        "Van gemeente 0344 aan AGB-code 45009876",
        "Bericht JW325-88107 van 12-02-2026",
        "Antwoord op declaratie JW323-00470 van 04-02-2026, declaratienummer 2026010044",
    ],
    "jw325-credit-lines.xml": [
        "Retourbericht JW325 (iJw 3.2, berichtcode 491)",
        "Bestand: jw325-credit-lines.xml",
        "Van gemeente 0363 aan AGB-code 45009876",
        "Bericht JW325-88230 van 10-03-2026",
        "Antwoord op declaratie JW323-00512 van 04-03-2026, declaratienummer 2026020012",
    ],
}

# after the head: the verdict, the totals, then (code, where) in display order, then the rows
BODY: dict[str, tuple[list[str], list[str], list[tuple[str, str]], list[str]]] = {
    "wmo325-fully-granted.xml": (
        ["De gemeente heeft de declaratie volledig toegekend: € 3.184,50."],
        ["Ingediend: € 3.184,50 debet", "Toegekend: € 3.184,50 debet"],
        [("0200", "bericht"), ("8001", "declaratie")],
        [],
    ),
    "wmo325-message-rejected.xml": (
        [
            "De gemeente heeft het hele bericht afgekeurd (retourcode 9056 op berichtniveau): "
            "de declaratie is niet beoordeeld en er is niets toegekend."
        ],
        ["Ingediend: € 1.250,00 debet", "Toegekend: € 0,00 debet", "Afgewezen: € 1.250,00 debet"],
        [("9056", "bericht"), ("0233", "declaratie")],
        [],
    ),
    "wmo325-partly-rejected.xml": (
        [
            "De gemeente heeft de declaratie gedeeltelijk toegekend: € 3.648,90 van de € 4.826,10; "
            "€ 1.177,20 is afgewezen."
        ],
        [
            "Ingediend: € 4.826,10 debet",
            "Toegekend: € 3.648,90 debet",
            "Afgewezen: € 1.177,20 debet (3 prestaties bij 2 cliënten)",
        ],
        [
            ("9307", "2 prestaties"),
            ("0611", "1 prestatie"),
            ("9308", "1 prestatie"),
            ("0200", "bericht, declaratie, 2 cliënten"),
        ],
        [
            "Afgewezen prestaties (3)",
            "1. BSN ******281, ref. WMO2601-0003, toewijzing 4410021",
            "   02A04 (categorie 02 Begeleiding), 01-01-2026 t/m 31-01-2026, 6 uur, € 412,20 debet",
            "   Retourcodes 9307, 9308",
            "2. BSN ******281, ref. WMO2601-0004, toewijzing 4410022",
            "   07A01 (categorie 07 Dagbesteding), 01-01-2026 t/m 31-01-2026, 12 dagdeel (4 uur), "
            "€ 505,80 debet",
            "   Retourcode 0611",
            "3. BSN ******013, ref. WMO2601-0011, toewijzing 4410087",
            "   01A01 (categorie 01 Hulp bij het huishouden), 05-01-2026 t/m 31-01-2026, 480 minuut, "
            "€ 259,20 debet",
            "   Retourcode 9307",
        ],
    ),
    "jw325-fully-rejected.xml": (
        ["De gemeente heeft de declaratie volledig afgewezen: niets van de € 7.419,75 is toegekend."],
        [
            "Ingediend: € 7.419,75 debet",
            "Toegekend: € 0,00 debet",
            "Afgewezen: € 7.419,75 debet (2 prestaties bij 1 cliënt)",
        ],
        [("9338", "2 prestaties"), ("0200", "bericht, declaratie, 1 cliënt")],
        [
            "Afgewezen prestaties (2)",
            "1. BSN ******039, ref. JW2601-0101, toewijzing 7730145",
            "   45A53 (categorie 45 Jeugdhulp ambulant), 01-01-2026 t/m 31-01-2026, 9 uur, € 886,50 debet",
            "   Retourcode 9338",
            "2. BSN ******039, ref. JW2601-0102, toewijzing 7730146",
            "   43A01 (categorie 43 Jeugdhulp verblijf (incl. behandeling)), 01-01-2026 t/m 31-01-2026, "
            "31 etmaal, € 6.533,25 debet",
            "   Retourcode 9338",
        ],
    ),
    "jw325-several-clients.xml": (
        [
            "De gemeente heeft de declaratie gedeeltelijk toegekend: € 8.825,55 van de € 11.062,05; "
            "€ 2.236,50 is afgewezen."
        ],
        [
            "Ingediend: € 11.062,05 debet",
            "Toegekend: € 8.825,55 debet",
            "Afgewezen: € 2.236,50 debet (4 prestaties bij 3 cliënten)",
        ],
        [
            ("9321", "2 prestaties"),
            ("9307", "1 prestatie"),
            ("9340", "1 prestatie"),
            ("0200", "bericht, declaratie, 3 cliënten"),
        ],
        [
            "Afgewezen prestaties (4)",
            "1. BSN ******358, ref. JW2601-0210, toewijzing 7731002",
            "   54001 (categorie 54 Jeugd-ggz), 01-01-2026 t/m 31-01-2026, 150 minuut, € 247,50 debet",
            "   Retourcode 9321",
            "2. BSN ******918, ref. JW2601-0231, toewijzing 7731019",
            "   47A02 (categorie 47 Jeugdreclassering), 01-01-2026 t/m 31-01-2026, 1 stuks (output), "
            "€ 1.345,00 debet",
            "   Retourcode 9340",
            "3. BSN ******918, ref. JW2601-0232, toewijzing 7731020",
            "   45A53 (categorie 45 Jeugdhulp ambulant), 01-01-2026 t/m 31-01-2026, 4 uur, € 394,00 debet",
            "   Retourcode 9321",
            "4. BSN ******320, ref. JW2601-0250, toewijzing 7731044",
            "   48A01 (categorie 48 Jeugdbescherming), 01-01-2026 t/m 31-01-2026, 250 euro's, € 250,00 debet",
            "   Retourcode 9307",
        ],
    ),
    "jw325-credit-lines.xml": (
        [
            "De gemeente heeft de declaratie gedeeltelijk toegekend: € 600,00 toegekend op € 403,00 "
            "ingediend; afgewezen zijn € 985,00 aan creditregels en € 788,00 aan debetregels, netto "
            "€ 197,00 credit, en een afgewezen creditregel wordt niet van het toegekende bedrag afgetrokken."
        ],
        [
            "Ingediend: € 403,00 debet",
            "Toegekend: € 600,00 debet",
            "Afgewezen: € 197,00 credit (2 prestaties bij 1 cliënt)",
        ],
        [("8017", "1 prestatie"), ("9389", "1 prestatie"), ("0200", "bericht, declaratie, 1 cliënt")],
        [
            "Afgewezen prestaties (2)",
            "1. BSN ******965, ref. JW2602-0005, toewijzing 7730145",
            "   45A53 (categorie 45 Jeugdhulp ambulant), 01-12-2025 t/m 31-12-2025, 10 uur, € 985,00 credit",
            "   Retourcode 8017",
            "2. BSN ******965, ref. JW2602-0006, toewijzing 7730145",
            "   45A53 (categorie 45 Jeugdhulp ambulant), 01-12-2025 t/m 31-12-2025, 8 uur, € 788,00 debet",
            "   Retourcode 9389",
        ],
    ),
}


def remedy(kb: KnowledgeBase, code: str, standard: str, lang: str = "nl") -> str:
    entry = next(e for e in kb.by_code[code] if e.kind == "retourcode" and standard in e.domains)
    assert entry.remedy is not None
    return entry.remedy.get(lang)


def expected(name: str, kb: KnowledgeBase) -> str:
    verdict, totals, codes, rows = BODY[name]
    standard = "iWmo" if name.startswith("wmo") else "iJw"
    lines = [*HEAD[name], "", *verdict, "", *totals, "", "Retourcodes"]
    for code, where in codes:
        lines += [
            f"• {code} {LABELS[code]}",
            f"  Staat bij: {where}",
            f"  Wat te doen: {remedy(kb, code, standard)}",
        ]
    if rows:
        lines += ["", *rows]
    return "\n".join(lines)


def test_every_325_fixture_has_its_whole_text() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*325*.xml")) == sorted(HEAD) == sorted(BODY)


@pytest.mark.parametrize("name", sorted(BODY))
def test_the_whole_explanation_of_each_fixture(name: str, kb: KnowledgeBase) -> None:
    x = explain_file(FIXTURES / name, kb)
    assert render_explanation(x, "plain", "nl") == expected(name, kb)


def test_the_whole_english_explanation_of_the_credit_lines(kb: KnowledgeBase) -> None:
    x = explain_file(FIXTURES / "jw325-credit-lines.xml", kb)
    r = {c: remedy(kb, c, "iJw", "en") for c in ("8017", "9389", "0200")}
    title = {
        c: next(e for e in kb.by_code[c] if e.kind == "retourcode" and "iJw" in e.domains).label for c in r
    }
    assert render_explanation(x, "plain", "en") == "\n".join(
        [
            "Retour message JW325 (iJw 3.2, berichtcode 491)",
            "File: jw325-credit-lines.xml",
            "From municipality 0363 to AGB code 45009876",
            "Message JW325-88230 of 2026-03-10",
            "Answer to declaration JW323-00512 of 2026-03-04, declaration number 2026020012",
            "",
            "The municipality granted the declaration in part: €600.00 granted on €403.00 submitted; "
            "rejected were €985.00 of credit lines and €788.00 of debit lines, €197.00 credit net, and a "
            "rejected credit line is not deducted from the granted amount.",
            "",
            "Submitted: €403.00 debit",
            "Granted: €600.00 debit",
            "Rejected: €197.00 credit (2 prestaties of 1 client)",
            "",
            "Retourcodes",
            f"• 8017 {title['8017']}",
            "  Found at: 1 prestatie",
            f"  What to do: {r['8017']}",
            f"• 9389 {title['9389']}",
            "  Found at: 1 prestatie",
            f"  What to do: {r['9389']}",
            f"• 0200 {title['0200']}",
            "  Found at: message, declaration, 1 client",
            f"  What to do: {r['0200']}",
            "",
            "Rejected prestaties (2)",
            "1. BSN ******965, ref. JW2602-0005, allocation (toewijzing) 7730145",
            "   45A53 (category 45 Jeugdhulp ambulant), 2025-12-01 to 2025-12-31, 10 uur, €985.00 credit",
            "   Retourcode 8017",
            "2. BSN ******965, ref. JW2602-0006, allocation (toewijzing) 7730145",
            "   45A53 (category 45 Jeugdhulp ambulant), 2025-12-01 to 2025-12-31, 8 uur, €788.00 debit",
            "   Retourcode 9389",
        ]
    )
