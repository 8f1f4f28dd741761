"""The matchers someone would knock together instead of ours, written honestly.

Each one sees the same knowledge as the engine: per entry its codes, label, titles and
phrases in both languages (BM25 also gets the explanation text, as a search index would).
Each returns the entry it would answer with, or None when it declines. They get no code
extraction, no thresholds tuned on our questions and no stop-words: that is the point of
the comparison. Where a library has a usual default (difflib's cutoff 0.6), it is used.
"""

from __future__ import annotations

import difflib
import re

from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process, utils

from bot.engine.schema import Entry

_WORD = re.compile(r"\w+")


def phrases_of(e: Entry) -> list[str]:
    """What a person could type to mean this entry: its codes, label, titles and phrases."""
    texts = [*e.codes, e.label]
    if e.title:
        texts += [e.title.nl, e.title.en]
    return texts + e.phrases.nl + e.phrases.en


class PhraseList:
    """Every entry's phrases in one list, and which entry each phrase belongs to."""

    def __init__(self, entries: list[Entry]):
        self.phrases: list[str] = []
        self.owner: list[int] = []
        for i, e in enumerate(entries):
            for text in phrases_of(e):
                self.phrases.append(text)
                self.owner.append(i)


class Difflib(PhraseList):
    """`difflib.get_close_matches` over the lower-cased phrases (the standard library only)."""

    name = "difflib get_close_matches"

    def __init__(self, entries: list[Entry]):
        super().__init__(entries)
        self.lowered = [p.lower() for p in self.phrases]
        self.index = {p: k for k, p in reversed(list(enumerate(self.lowered)))}  # first owner wins

    def match(self, question: str) -> int | None:
        found = difflib.get_close_matches(question.lower(), self.lowered, n=1, cutoff=0.6)
        return self.owner[self.index[found[0]]] if found else None


class RapidfuzzWRatio(PhraseList):
    """`rapidfuzz.process.extractOne` with WRatio and default_process: the library's defaults."""

    name = "rapidfuzz extractOne WRatio"

    def match(self, question: str) -> int | None:
        found = process.extractOne(
            question, self.phrases, scorer=fuzz.WRatio, processor=utils.default_process
        )
        return self.owner[found[2]] if found else None


class BM25:
    """rank-bm25's BM25Okapi over each entry's text; declines only when nothing scores above 0."""

    name = "BM25 (rank-bm25)"

    def __init__(self, entries: list[Entry]):
        docs = []
        for e in entries:
            text = " ".join([*phrases_of(e), e.text.nl, e.text.en])
            docs.append(tokens(text))
        self.bm25 = BM25Okapi(docs)

    def match(self, question: str) -> int | None:
        scores = self.bm25.get_scores(tokens(question))
        best = int(scores.argmax())
        return best if scores[best] > 0 else None


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


BASELINES = (Difflib, BM25, RapidfuzzWRatio)
