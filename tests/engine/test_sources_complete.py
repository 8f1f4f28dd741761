"""Everything the iWmo/iJw 3.2 source lists is answered by itself: every retourcode of both
standards, with the source's own description, and every berichtcode from 414 to 491 that
a message of 3.2 (or the VECOZO page) carries; a number in that range that no source
gives is said to be unknown, not answered with a neighbour.
Skips where ../shared/sources is not next to the checkout."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.engine.answer import Engine
from bot.render import render

SOURCES = Path(__file__).resolve().parents[3] / "shared" / "sources" / "istandaarden-3.2"
pytestmark = pytest.mark.skipif(not SOURCES.is_dir(), reason=f"{SOURCES} is not here")


def rows(name: str) -> list[dict[str, str]]:
    with (SOURCES / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_retourcode_of_both_standards_is_answered_with_its_description(engine: Engine) -> None:
    codes = rows("retourcodes.csv")
    assert len({(r["standaard"], r["code"]) for r in codes}) == 118  # 59 per standard
    for row in codes:
        standard = "Wmo" if row["standaard"].startswith("iWmo") else "Jeugdwet"
        answer = engine.answer(f"wat is retourcode {row['code']} in een {standard} 325")
        assert answer.answered, row
        assert row["omschrijving"].rstrip(".") in render(answer, "plain", engine.kb), row


def test_every_berichtcode_from_414_to_491_is_answered(engine: Engine) -> None:
    listed = {int(r["berichtcode"]) for r in rows("berichten.csv")}
    assert min(listed) == 414 and max(listed) == 491
    known = {c for c in range(414, 492) if str(c) in engine.kb.by_code}
    assert listed <= known
    for code in range(414, 492):
        answer = engine.answer(f"wat is berichtcode {code}")
        if code in known:
            assert answer.answered and str(code) in answer.codes, code
            assert str(code) in render(answer, "plain", engine.kb)
        else:
            assert not answer.answered and answer.unknown_codes == (str(code),), code
