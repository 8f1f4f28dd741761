"""Tell Dutch from English: marker words (knowledge/language.yaml), and the knowledge's own words.

Marker words ("wat", "hoe", "the", "what") count one each. Many short questions have none
("H331 limit", "klantadvies phone number"), so a word that the knowledge base uses only in
its English texts counts half a point for English, and one it uses only in its Dutch texts
half a point for Dutch: every entry is written in both languages, so these lists grow with
the knowledge and need no upkeep. Official Dutch names quoted in the English texts are in
both and count for neither, and so does a word the other language lists as its own (a
marker or stopword: "help" is Dutch too). More points wins; a tie (a bare "8290") is Dutch.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.engine.normalize import fold
from bot.engine.schema import Entry, Language, Text

VOCABULARY_WEIGHT = 0.5  # a word only one language's texts use, against 1 for a marker word


class Detector:
    def __init__(self, language: Language, entries: Iterable[Entry] = ()):
        self.nl = set(language.markers.nl)
        self.en = set(language.markers.en)
        words: dict[str, set[str]] = {"nl": set(), "en": set()}
        for entry in entries:
            for lang, text in _texts(entry):
                words[lang].update(t for t in fold(text).split() if _is_word(t))
        # a word the other language's lists claim ("help" is a Dutch stopword too) tells nothing
        nl_claims = self.nl | set(language.stopwords.nl)
        en_claims = self.en | set(language.stopwords.en)
        self.nl_only = frozenset(words["nl"] - words["en"] - en_claims)
        self.en_only = frozenset(words["en"] - words["nl"] - nl_claims)

    def __call__(self, tokens: list[str]) -> str:
        """ "en" when English outweighs Dutch; "nl" otherwise (the default)."""
        score_nl = sum(
            1.0 if t in self.nl else VOCABULARY_WEIGHT if t in self.nl_only else 0.0 for t in tokens
        )
        score_en = sum(
            1.0 if t in self.en else VOCABULARY_WEIGHT if t in self.en_only else 0.0 for t in tokens
        )
        return "en" if score_en > score_nl else "nl"


def detect(tokens: list[str], language: Language) -> str:
    """By marker words alone (no knowledge entries at hand)."""
    return Detector(language)(tokens)


def _texts(entry: Entry) -> Iterable[tuple[str, str]]:
    texts: list[Text | None] = [entry.text, entry.title, entry.remedy, entry.note, entry.unit, entry.period]
    texts += entry.details + entry.steps
    for text in texts:
        if text is not None:
            yield "nl", text.nl
            yield "en", text.en
    for phrase in entry.phrases.nl:
        yield "nl", phrase
    for phrase in entry.phrases.en:
        yield "en", phrase


def _points(token: str, markers: set[str], only: frozenset[str]) -> float:
    return 1.0 if token in markers else VOCABULARY_WEIGHT if token in only else 0.0


def _is_word(token: str) -> bool:
    return len(token) > 1 and token.isalpha()
