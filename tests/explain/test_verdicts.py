"""The verdict sentence agrees with the numbers (audit of issue 4, item 3).

Variants of the fixtures are made here: a rejected credit line and a rejected debit line
both stated with the net; message-level codes decided by their meaning (0200, 0233, 8001
reject nothing); never "niets toegekend" when something is granted; granted equal to
submitted with rejected prestaties listed said as it is.
"""

from __future__ import annotations

import re

import pytest

from bot.engine.knowledge import KnowledgeBase
from bot.explain import as_json, explain_bytes
from bot.explain.model import Amount
from bot.render.explain import render_explanation

from .conftest import fixture_text

PARTLY = "wmo325-partly-rejected.xml"  # submitted 482610 D, granted 364890 D, rows 41220+50580+25920 D
CREDIT = "jw325-credit-lines.xml"  # submitted 40300 D, granted 60000 D, rows 98500 C and 78800 D


def sentence(text: str, kb: KnowledgeBase, lang: str = "nl") -> str:
    x = explain_bytes(text.encode(), "x.xml", kb)
    return render_explanation(x, "plain", lang).split("\n\n")[1]


def header_code(name: str, code: str) -> str:
    text = fixture_text(name)
    head, rest = text.split("</wmo325:Header>", 1)
    return re.sub(r"<wmo325:RetourCode>0200<", f"<wmo325:RetourCode>{code}<", head, count=1) + (
        "</wmo325:Header>" + rest
    )


def test_rejected_credit_and_debit_lines_are_stated_apart_with_the_net(kb: KnowledgeBase) -> None:
    text = fixture_text(CREDIT)
    x = explain_bytes(text.encode(), "x.xml", kb)
    assert (x.wording, x.listed_debit, x.listed_credit, x.credit_prestaties) == (
        "partly_credit",
        78800,
        98500,
        1,
    )
    assert sentence(text, kb) == (
        "De gemeente heeft de declaratie gedeeltelijk toegekend: € 600,00 toegekend op € 403,00 ingediend; "
        "afgewezen zijn € 985,00 aan creditregels en € 788,00 aan debetregels, netto € 197,00 credit, "
        "en een afgewezen creditregel wordt niet van het toegekende bedrag afgetrokken."
    )
    assert sentence(text, kb, "en") == (
        "The municipality granted the declaration in part: €600.00 granted on €403.00 submitted; rejected "
        "were €985.00 of credit lines and €788.00 of debit lines, €197.00 credit net, and a rejected credit "
        "line is not deducted from the granted amount."
    )
    j = as_json(x)
    assert (j["rejected_debit_cents"], j["rejected_credit_cents"], j["verdict_wording"]) == (
        78800,
        98500,
        "partly_credit",
    )


def test_only_credit_lines_rejected(kb: KnowledgeBase) -> None:
    text = fixture_text(PARTLY).replace("DebetCredit>D<", "DebetCredit>C<")
    assert sentence(text, kb) == (
        "De gemeente heeft de declaratie gedeeltelijk toegekend: € 3.648,90 credit toegekend op € 4.826,10 "
        "credit ingediend; afgewezen zijn alleen creditregels, samen € 1.177,20, en een afgewezen "
        "creditregel wordt niet van het toegekende bedrag afgetrokken."
    )


def test_more_granted_than_submitted_without_a_credit_line_is_not_blamed_on_credit_lines(
    kb: KnowledgeBase,
) -> None:
    text = fixture_text(PARTLY).replace(">364890<", ">500000<")
    said = sentence(text, kb)
    assert said == (
        "De gemeente heeft € 5.000,00 toegekend op € 4.826,10 ingediend: meer dan ingediend, terwijl er "
        "geen creditregel is afgewezen; vraag de gemeente om uitleg."
    )
    assert "creditregels zijn afgewezen" not in said


@pytest.mark.parametrize("code", ["8001", "0233"])
def test_informational_codes_at_message_level_reject_nothing(kb: KnowledgeBase, code: str) -> None:
    text = header_code(PARTLY, code)
    x = explain_bytes(text.encode(), "x.xml", kb)
    assert (x.message_rejected, x.verdict, x.wording) == (False, "partly", "partly")
    said = sentence(text, kb)
    assert said == (
        "De gemeente heeft de declaratie gedeeltelijk toegekend: € 3.648,90 van de € 4.826,10; "
        "€ 1.177,20 is afgewezen."
    )
    granted = fixture_text("wmo325-fully-granted.xml").replace("<RetourCode>0200<", f"<RetourCode>{code}<", 1)
    assert sentence(granted, kb) == "De gemeente heeft de declaratie volledig toegekend: € 3.184,50."


def test_a_rejecting_code_at_message_level_never_says_nothing_granted_when_something_is(
    kb: KnowledgeBase,
) -> None:
    text = header_code(PARTLY, "9056")
    x = explain_bytes(text.encode(), "x.xml", kb)
    assert (x.message_rejected, x.verdict, x.wording, x.message_rejections) == (
        True,
        "rejected",
        "message_rejected_granted",
        ("9056",),
    )
    said = sentence(text, kb)
    assert "niets toegekend" not in said
    assert said == (
        "De gemeente heeft het hele bericht afgekeurd (retourcode 9056 op berichtniveau), maar het bestand "
        "noemt toch een toegekend bedrag van € 3.648,90; vraag de gemeente wat er geldt."
    )
    # with nothing granted it is the plain sentence, naming only the rejecting codes (not 0233)
    rejected = fixture_text("wmo325-message-rejected.xml")
    code = "<wmo325:RetourCode>9056</wmo325:RetourCode>"
    with_0233 = rejected.replace(code, code + "<wmo325:RetourCode>0233</wmo325:RetourCode>", 1)
    assert with_0233 != rejected
    for text in (rejected, with_0233):
        assert sentence(text, kb) == (
            "De gemeente heeft het hele bericht afgekeurd (retourcode 9056 op berichtniveau): "
            "de declaratie is niet beoordeeld en er is niets toegekend."
        )


def test_granted_equal_to_submitted_with_rejected_prestaties_says_so(kb: KnowledgeBase) -> None:
    text = fixture_text(PARTLY).replace(">364890<", ">482610<")
    x = explain_bytes(text.encode(), "x.xml", kb)
    assert (x.verdict, x.wording) == ("partly", "same_amount")
    full = render_explanation(x, "plain", "nl")
    said = full.split("\n\n")[1]
    assert said == (
        "De gemeente heeft het hele ingediende bedrag van € 4.826,10 toegekend en toch 3 prestaties "
        "afgewezen (samen € 1.177,20)."
    )
    assert "€ 0,00 is afgewezen" not in full and "gedeeltelijk" not in said
    assert (
        "Let op: de afgewezen prestaties in het bestand tellen op tot € 1.177,20, "
        "niet tot het afgewezen bedrag € 0,00." in full.splitlines()
    )


def test_a_credit_and_a_debit_line_that_cancel_out(kb: KnowledgeBase) -> None:
    text = fixture_text(CREDIT).replace(">98500<", ">78800<").replace(">60000<", ">40300<")
    assert sentence(text, kb) == (
        "De gemeente heeft de declaratie gedeeltelijk toegekend: € 403,00 toegekend op € 403,00 ingediend; "
        "afgewezen zijn € 788,00 aan creditregels en € 788,00 aan debetregels, netto € 0,00, "
        "en een afgewezen creditregel wordt niet van het toegekende bedrag afgetrokken."
    )


def credit_totals(submitted: int, granted: int, rows: tuple[int, int, int] = (10000, 5000, 5000)) -> str:
    """The partly-rejected WMO325 with credit totals and its three debit rows set to `rows`.

    Amounts are cents (LDT_TotaalBedrag, LDT_Bedrag: never negative) with a DebetCredit code
    (codelijst DebetCredit: C "Creditbedrag en aantal", D "Debetbedrag en aantal"); a credit
    total is a balance below zero: more credit than debit was declared.
    """
    text = fixture_text(PARTLY)
    for old, new in zip((">41220<", ">50580<", ">25920<"), rows, strict=True):
        text = text.replace(old, f">{new}<", 1)
    head, rest = text.split("</wmo325:TotaalToegekendBedrag>", 1)
    head = head.replace(">482610<", f">{submitted}<").replace(">364890<", f">{granted}<")
    return head.replace("DebetCredit>D<", "DebetCredit>C<") + "</wmo325:TotaalToegekendBedrag>" + rest


def test_a_credit_total_partly_granted_says_the_balance_not_x_of_y(kb: KnowledgeBase) -> None:
    """The audit's file: € 500,00 credit submitted, € 700,00 credit granted, € 200,00 of
    debit lines rejected. Signed: -500 - (-700) = +200, the rejected debit; rejecting a
    debit line leaves more credit. "€ 700,00 credit van de € 500,00 credit" read as if more
    was granted than submitted."""
    text = credit_totals(50000, 70000)
    x = explain_bytes(text.encode(), "x.xml", kb)
    assert (x.verdict, x.wording, x.rejected, x.listed) == (
        "partly",
        "partly_balance",
        Amount(20000, "D"),
        Amount(20000, "D"),
    )
    said = sentence(text, kb)
    assert said == (
        "De gemeente heeft de declaratie gedeeltelijk toegekend: per saldo is € 500,00 credit ingediend en "
        "€ 700,00 credit toegekend; het verschil van € 200,00 is afgewezen debet, en zonder die debetregels "
        "valt het toegekende saldo € 200,00 verder naar credit uit dan het ingediende."
    )
    assert " van de " not in said
    assert sentence(text, kb, "en") == (
        "The municipality granted the declaration in part: on balance €500.00 credit was submitted and "
        "€700.00 credit granted; the difference of €200.00 is rejected debit, and without those debit lines "
        "the granted balance comes out €200.00 further towards credit than the submitted one."
    )
    full = render_explanation(x, "plain", "nl").splitlines()
    totals = full.index("Ingediend: € 500,00 credit")
    assert full[totals + 1 : totals + 3] == [
        "Toegekend: € 700,00 credit",
        "Afgewezen: € 200,00 debet (3 prestaties bij 2 cliënten)",
    ]
    assert not [line for line in full if line.startswith("Let op")]  # the rows add up to the difference
    assert as_json(x)["verdict_wording"] == "partly_balance"


def test_a_debit_declaration_granted_as_credit_says_the_balance(kb: KnowledgeBase) -> None:
    # € 500,00 debet submitted (rows of € 2.000,00 debit and a credit line granted), € 1.500,00 credit
    # granted: € 2.000,00 debit rejected, the balance crosses zero
    text = credit_totals(50000, 150000, rows=(100000, 50000, 50000))
    text = text.replace("DebetCredit>C<", "DebetCredit>D<", 1)  # the submitted total
    x = explain_bytes(text.encode(), "x.xml", kb)
    assert (x.verdict, x.wording, x.rejected) == ("partly", "partly_balance", Amount(200000, "D"))
    assert sentence(text, kb) == (
        "De gemeente heeft de declaratie gedeeltelijk toegekend: per saldo is € 500,00 debet ingediend en "
        "€ 1.500,00 credit toegekend; het verschil van € 2.000,00 is afgewezen debet, en zonder die "
        "debetregels valt het toegekende saldo € 2.000,00 verder naar credit uit dan het ingediende."
    )


def test_less_credit_granted_than_submitted_without_a_credit_line_asks_the_municipality(
    kb: KnowledgeBase,
) -> None:
    # € 500,00 credit submitted, € 300,00 credit granted, yet only debit lines rejected: the granted
    # balance is € 200,00 towards debit, which rejecting debit lines cannot cause
    text = credit_totals(50000, 30000)
    x = explain_bytes(text.encode(), "x.xml", kb)
    assert (x.verdict, x.wording, x.rejected) == ("partly", "granted_more_balance", Amount(20000, "C"))
    said = sentence(text, kb)
    assert said == (
        "De gemeente heeft per saldo € 300,00 credit toegekend op € 500,00 credit ingediend: het toegekende "
        "saldo valt € 200,00 verder naar debet uit dan het ingediende, terwijl er geen creditregel is "
        "afgewezen; vraag de gemeente om uitleg."
    )
    assert "meer dan ingediend" not in said
    assert sentence(text, kb, "en") == (
        "The municipality granted €300.00 credit on balance on €500.00 credit submitted: the granted balance "
        "comes out €200.00 further towards debit than the submitted one, while no credit line was rejected; "
        "ask the municipality to explain."
    )
