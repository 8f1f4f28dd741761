"""Plain data read from a 325 retour message, and the explanation built from it.

Nothing here holds a full BSN: the parser masks it (last three digits) before it builds a
`Prestatie` or a `Client`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from bot.engine.schema import Entry

Standard = Literal["iWmo", "iJw"]
Verdict = Literal["granted", "partly", "rejected"]


@dataclass(frozen=True)
class Amount:
    """An amount in cents with its DebetCredit code (D or C)."""

    cents: int
    dc: str

    @property
    def signed(self) -> int:
        return -self.cents if self.dc == "C" else self.cents

    @staticmethod
    def of_signed(cents: int) -> Amount:
        return Amount(abs(cents), "C" if cents < 0 else "D")


@dataclass(frozen=True)
class Header:
    standard: Standard
    message: str  # WMO325 | JW325
    berichtcode: str  # 485 | 491
    release: str  # 3.2
    sender: str  # Afzender: municipality code (4 digits)
    receiver: str  # Ontvanger: AGB code of the provider
    identification: str  # BerichtIdentificatie/Identificatie
    date: dt.date  # BerichtIdentificatie/Dagtekening
    declaration_identification: str  # DeclaratieIdentificatie/Identificatie
    declaration_date: dt.date  # DeclaratieIdentificatie/Dagtekening
    codes: tuple[str, ...]  # RetourCodes at message level


@dataclass(frozen=True)
class Answer:
    """DeclaratieAntwoord: the declaration this message answers, its totals and codes."""

    number: str  # DeclaratieNummer
    submitted: Amount  # TotaalIngediendBedrag
    granted: Amount  # TotaalToegekendBedrag
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Client:
    bsn: str  # masked: ******782
    prestaties: int
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Prestatie:
    bsn: str  # masked, of the client it belongs to
    reference: str  # ProductReferentie/ReferentieNummer
    previous_reference: str | None
    toewijzing: str  # ToewijzingNummer
    category: str  # ProductCategorie
    product_code: str
    begin: dt.date
    end: dt.date
    volume: int
    unit: str  # Eenheid
    tariff: int | None  # ProductTarief, cents
    amount: Amount  # IngediendBedrag
    codes: tuple[str, ...]


@dataclass
class CodeGroup:
    """One retourcode of the message, where it occurs, and what the knowledge base says of it."""

    code: str
    entry: Entry | None  # None: not a known iWmo/iJw 3.2 retourcode (shown as unknown, never guessed)
    informational: bool  # 0200, 0233, 8001: no rejection in itself
    message: int = 0  # 1 when at message level
    declaration: int = 0  # 1 when at declaration level
    clients: int = 0
    prestaties: int = 0


@dataclass(frozen=True)
class Row:
    """A rejected prestatie with the code-list descriptions of its category and unit."""

    p: Prestatie
    category_label: str | None
    unit_label: str | None


@dataclass
class Explanation:
    filename: str
    header: Header
    answer: Answer | None
    verdict: Verdict
    message_rejected: bool  # a rejecting retourcode at message level: nothing was assessed
    rejected: Amount | None  # submitted minus granted
    listed: Amount  # the sum of the prestaties in the file
    clients: int
    prestaties: int  # rejected prestaties in the file
    codes: list[CodeGroup]
    rows: list[Row] = field(default_factory=list)  # the first `max_rows` rejected prestaties
    wording: str = "partly"  # which verdict sentence says it (explain.py: _wording)
    message_rejections: tuple[str, ...] = ()  # the rejecting retourcodes at message level
    listed_debit: int = 0  # cents of the rejected debit prestaties
    listed_credit: int = 0  # cents of the rejected credit prestaties (a positive number)
    credit_prestaties: int = 0  # rejected prestaties that are credit lines

    @property
    def standard(self) -> Standard:
        return self.header.standard

    @property
    def unknown_codes(self) -> list[str]:
        return [g.code for g in self.codes if g.entry is None]

    @property
    def to_do(self) -> list[CodeGroup]:
        """The codes with something to do (Slack's what-to-do message): every rejecting code
        whose what-to-do text the knowledge base has, and every unknown code (ask the
        municipality). The informational 0200, 0233 and 8001 ask for nothing."""
        return [g for g in self.codes if g.entry is None or (not g.informational and g.entry.remedy)]

    @property
    def rows_hidden(self) -> int:
        return self.prestaties - len(self.rows)
