"""325 retour message -> Explanation: verdict, totals, retourcodes grouped, rejected prestaties.

Only aggregates and the first `max_rows` rejected prestaties are kept, so memory does not grow
with the file. Nothing of the file is written anywhere or logged; a BSN only ever exists
masked (see parse.py).

Reading a 325 (iWmo/iJw release 3.x): the municipality lists only the prestaties it rejects,
each with its retourcodes; TotaalToegekendBedrag says what it grants. At message level 0200
(no remark), 0233 (not assessed: what is below it decides) and 8001 (fully granted) reject
nothing; any other retourcode there means the whole message was rejected (nothing assessed).
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from bot.engine.knowledge import KnowledgeBase
from bot.engine.schema import Entry
from bot.explain.errors import MAX_BYTES, ExplainError, unreadable
from bot.explain.model import Amount, Answer, Client, CodeGroup, Explanation, Header, Prestatie, Row, Verdict
from bot.explain.parse import CHUNK, _Readable, read_325, xml_stream

MAX_ROWS = 100  # rejected prestaties kept for display (0: all); the counts cover all of them
NO_REMARK = "0200"  # "Geen opmerking over deze berichtklasse."
INFORMATIONAL = frozenset({NO_REMARK, "0233", "8001"})  # no remark / not assessed / fully granted


def explain_bytes(data: bytes, filename: str, kb: KnowledgeBase, max_rows: int = MAX_ROWS) -> Explanation:
    """Explain a 325 (XML, or a zip holding one) held in memory; raises ExplainError."""
    with _one_sentence():
        raw = io.BytesIO(data)
        with xml_stream(raw, len(data)) as stream:
            return explain_stream(stream, filename, kb, max_rows)


def explain_file(path: str | Path, kb: KnowledgeBase, max_rows: int = MAX_ROWS) -> Explanation:
    """Explain a 325 file on disk, streaming it; raises ExplainError."""
    with _one_sentence():
        try:
            raw = open(path, "rb")  # noqa: SIM115 - closed below, after the stream is read
        except OSError as exc:
            raise unreadable(exc) from None
        with raw:
            status = os.fstat(raw.fileno())
            if not stat.S_ISREG(status.st_mode):  # a pipe (/dev/stdin, <(...)), a device: no size
                data = _read_all(raw)
                with xml_stream(io.BytesIO(data), len(data)) as stream:
                    return explain_stream(stream, Path(path).name, kb, max_rows)
            with xml_stream(raw, status.st_size) as stream:
                return explain_stream(stream, Path(path).name, kb, max_rows)


def _read_all(raw: BinaryIO) -> bytes:
    """All of a stream without a size, up to MAX_BYTES (ExplainError beyond)."""
    parts: list[bytes] = []
    size = 0
    try:
        while part := raw.read(CHUNK):
            size += len(part)
            if size > MAX_BYTES:
                raise ExplainError("too_large")
            parts.append(part)
    except OSError as exc:
        raise unreadable(exc) from None
    return b"".join(parts)


@contextmanager
def _one_sentence() -> Iterator[None]:
    """Whatever goes wrong reading a file ends as an ExplainError: one sentence, never a traceback.

    The parser's own failures have their own sentences; anything else (a case nobody foresaw)
    becomes "failed". Its message may quote the file, so it is dropped: only the exception's
    type is kept (`cause`), for the caller's log.
    """
    try:
        yield
    except ExplainError:
        raise
    except Exception as exc:
        raise ExplainError("failed", cause=type(exc).__name__) from None


class _Lookup:
    """Retourcodes and code lists of one standard (iWmo or iJw), from the knowledge base."""

    def __init__(self, kb: KnowledgeBase, standard: str) -> None:
        self.kb = kb
        self.standard = standard
        self.units = self.codelist("Eenheid")
        self.categories = self.codelist("ProductCategorie")

    def codelist(self, label: str) -> dict[str, str]:
        for e in self.kb.entries:
            if e.kind == "codelijst" and e.label == label and self.standard in e.domains:
                return dict(e.values)
        return {}

    def retourcode(self, code: str) -> Entry | None:
        for e in self.kb.by_code.get(code, []):
            if e.kind == "retourcode" and self.standard in e.domains:
                return e
        return None


def explain_stream(
    stream: _Readable, filename: str, kb: KnowledgeBase, max_rows: int = MAX_ROWS
) -> Explanation:
    """`max_rows` rejected prestaties are kept for display: 0 keeps all of them (a 25 MB file
    holds about 35,000), a negative number none; the counts always cover all."""
    keep = None if max_rows == 0 else max(max_rows, 0)
    header: Header | None = None
    answer: Answer | None = None
    lookup: _Lookup | None = None
    groups: dict[str, CodeGroup] = {}
    rows: list[Row] = []
    clients = prestaties = listed = debit = credit = credit_prestaties = 0

    def count(codes: tuple[str, ...], level: str) -> None:
        assert lookup is not None
        for code in dict.fromkeys(codes):  # a code twice on one prestatie counts once
            g = groups.get(code)
            if g is None:
                g = groups[code] = CodeGroup(
                    code, lookup.retourcode(code), informational=code in INFORMATIONAL
                )
            setattr(g, level, getattr(g, level) + 1)

    for record in read_325(stream):
        if isinstance(record, Header):
            header, lookup = record, _Lookup(kb, record.standard)
            count(record.codes, "message")
        elif isinstance(record, Prestatie):
            assert lookup is not None
            prestaties += 1
            listed += record.amount.signed
            if record.amount.dc == "C":
                credit += record.amount.cents
                credit_prestaties += 1
            else:
                debit += record.amount.cents
            count(record.codes, "prestaties")
            if keep is None or len(rows) < keep:
                rows.append(
                    Row(record, lookup.categories.get(record.category), lookup.units.get(record.unit))
                )
        elif isinstance(record, Client):
            clients += 1
            count(record.codes, "clients")
        elif isinstance(record, Answer):
            answer = record
            count(record.codes, "declaration")
    assert header is not None  # read_325 raises when there is none

    rejections = tuple(c for c in header.codes if c not in INFORMATIONAL)
    message_rejected = bool(rejections)
    if answer is None and not message_rejected:
        raise ExplainError("no_answer")
    return Explanation(
        filename=filename,
        header=header,
        answer=answer,
        verdict=_verdict(answer, message_rejected, prestaties),
        wording=_wording(answer, message_rejected, prestaties, debit, credit_prestaties),
        message_rejected=message_rejected,
        message_rejections=rejections,
        listed_debit=debit,
        listed_credit=credit,
        credit_prestaties=credit_prestaties,
        rejected=Amount.of_signed(answer.submitted.signed - answer.granted.signed) if answer else None,
        listed=Amount.of_signed(listed),
        clients=clients,
        prestaties=prestaties,
        codes=sorted(groups.values(), key=lambda g: (g.informational, -g.prestaties, -g.clients, g.code)),
        rows=rows,
    )


def _verdict(answer: Answer | None, message_rejected: bool, prestaties: int) -> Verdict:
    if message_rejected or answer is None:
        return "rejected"
    submitted, granted = answer.submitted.signed, answer.granted.signed
    if granted == submitted and prestaties == 0:
        return "granted"
    if granted == 0 and (submitted != 0 or prestaties):
        return "rejected"
    return "partly"


def _wording(
    answer: Answer | None, message_rejected: bool, prestaties: int, debit: int, credit_prestaties: int
) -> str:
    """Which verdict sentence fits the numbers (the keys of _explain_words.j2). Never "nothing
    granted" when something is; the credit wording only when a rejected line is credit."""
    if message_rejected or answer is None:
        granted_something = answer is not None and answer.granted.signed != 0
        return "message_rejected_granted" if granted_something else "message_rejected"
    submitted, granted = answer.submitted.signed, answer.granted.signed
    if granted == submitted and prestaties == 0:
        return "granted_all"
    if granted == 0 and (submitted != 0 or prestaties):
        return "rejected_all"
    if credit_prestaties:
        return "partly_credit" if debit or credit_prestaties < prestaties else "partly_credit_only"
    if granted == submitted:
        return "same_amount"  # prestaties listed as rejected, yet all of it granted
    # A total is an amount of cents (never negative) with D or C: a credit total is a balance
    # below zero. "X of the Y" only reads right for debit totals; with a credit total the
    # sentence states both balances and which way the difference moves them.
    if granted > submitted:  # more granted than submitted without a rejected credit line
        return "granted_more_balance" if submitted < 0 else "granted_more"
    # only debit rejected: without those lines the balance moves towards credit
    return "partly_balance" if granted < 0 else "partly"


def as_json(x: Explanation, lang: str = "nl") -> dict[str, Any]:
    """The explanation as plain JSON values (amounts in cents, dates ISO, BSNs masked)."""

    def amount(a: Amount | None) -> dict[str, Any] | None:
        return None if a is None else {"cents": a.cents, "debit_credit": a.dc, "signed_cents": a.signed}

    h, a = x.header, x.answer
    return {
        "file": x.filename,
        "message": {
            "standard": h.standard,
            "name": h.message,
            "berichtcode": h.berichtcode,
            "release": h.release,
            "sender_municipality": h.sender,
            "receiver_agb": h.receiver,
            "identification": h.identification,
            "date": h.date.isoformat(),
            "retourcodes": list(h.codes),
        },
        "declaration": {
            "identification": h.declaration_identification,
            "date": h.declaration_date.isoformat(),
            "number": a.number if a else None,
            "retourcodes": list(a.codes) if a else [],
        },
        "submitted": amount(a.submitted if a else None),
        "granted": amount(a.granted if a else None),
        "rejected": amount(x.rejected),
        "verdict": x.verdict,
        "verdict_wording": x.wording,
        "message_rejected": x.message_rejected,
        "message_rejections": list(x.message_rejections),
        "rejected_debit_cents": x.listed_debit,
        "rejected_credit_cents": x.listed_credit,
        "clients": x.clients,
        "rejected_prestaties": x.prestaties,
        "retourcodes": [
            {
                "code": g.code,
                "known": g.entry is not None,
                "label": g.entry.label if g.entry else None,
                "title": g.entry.heading(lang) if g.entry else None,
                "remedy": g.entry.remedy.get(lang) if g.entry and g.entry.remedy else None,
                "informational": g.informational,
                "message": g.message,
                "declaration": g.declaration,
                "clients": g.clients,
                "prestaties": g.prestaties,
            }
            for g in x.codes
        ],
        "unknown_retourcodes": x.unknown_codes,
        "prestaties": [
            {
                "bsn": r.p.bsn,
                "reference": r.p.reference,
                "previous_reference": r.p.previous_reference,
                "toewijzing": r.p.toewijzing,
                "product_code": r.p.product_code,
                "category": r.p.category,
                "category_label": r.category_label,
                "begin": r.p.begin.isoformat(),
                "end": r.p.end.isoformat(),
                "volume": r.p.volume,
                "unit": r.p.unit,
                "unit_label": r.unit_label,
                "tariff_cents": r.p.tariff,
                "amount": amount(r.p.amount),
                "retourcodes": list(r.p.codes),
            }
            for r in x.rows
        ],
        "prestaties_not_shown": x.rows_hidden,
    }
