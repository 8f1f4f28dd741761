"""Tell Dutch from English by counting marker words (knowledge/language.yaml)."""

from __future__ import annotations

from bot.engine.schema import Language


def detect(tokens: list[str], language: Language) -> str:
    """ "en" when English markers outnumber Dutch ones; "nl" otherwise (the default)."""
    nl = set(language.markers.nl)
    en = set(language.markers.en)
    score_nl = sum(t in nl for t in tokens)
    score_en = sum(t in en for t in tokens)
    return "en" if score_en > score_nl else "nl"
