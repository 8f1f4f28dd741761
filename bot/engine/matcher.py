"""Fuzzy matching of free text against every entry's phrases.

Built once per knowledge base:
- every phrase (label, titles, phrases in both languages) folded into content tokens;
- an inverted index token -> phrases, and an IDF weight per token (rare words count more);
- the vocabulary, for typo correction with rapidfuzz.

A question is folded, stripped of stop-words, each unknown token corrected to its closest
vocabulary word (rapidfuzz ratio, only for words of 5+ letters), and every phrase sharing
a token is scored by how much of the phrase the question covers and how much of the
question the phrase explains (IDF-weighted). The best phrase gives the entry its score.
Same input, same output: ties are broken by entry order in the knowledge base.

Speed. A question touches every phrase that shares a word with it, and a common word
("bericht") is in one phrase in seven, so the work grows with the size of the base. Up
to VECTOR_FROM phrases plain Python does it in well under a millisecond. From there numpy
does the per-phrase arithmetic over arrays (numpy is imported only then: its
import costs more than a small base needs). Both give the same scores: the same float
operations in the same order (tests/bench/test_matcher_paths.py holds them to it). And
`score(..., keep=, floor=, within=)` returns only the entries a caller can use, so a
question that matches ten thousand entries a little does not build ten thousand results.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.engine.normalize import fold
from bot.engine.schema import Entry

TYPO_MIN_LEN = 5  # shorter words are never "corrected": too many false friends
LONG_WORD = 8  # from this length two typos are forgiven, below it one
BETA2 = 2.25  # F-beta, beta=1.5: covering the phrase matters more than covering the question
ENTRY_SHARE = 0.25  # weight of "how much of the question the entry's words explain" in the score
UNKNOWN_FACTOR = 0.75  # a word the knowledge base never uses weighs this much of the rarest word
LIGHT_FACTOR = 0.25  # a word that says where, not what ("detailscherm", "veld"), weighs this share
VECTOR_FROM = 20_000  # phrases; from here the vectorised scorer is faster than the plain one
_SCRATCH = threading.local()  # the vectorised scorer's work arrays, one pair per thread


def stem(token: str) -> str:
    """Plural and verb endings off, the same way for questions and phrases.

    berichten -> bericht, eenheden -> eenheid, codes -> code, pulled -> pull,
    matching -> match; "screen" and "geen" keep their "en".
    """
    if len(token) > 6 and token.endswith("heden"):
        return token[:-5] + "heid"
    if len(token) > 5 and token.endswith("en") and not token.endswith("een"):
        return token[:-2]
    if len(token) > 6 and token.endswith("ing") and not token.endswith("ning"):
        return token[:-3]
    if len(token) > 5 and token.endswith("ed") and not token.endswith("eed"):
        return token[:-2]
    if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


@dataclass(frozen=True)
class Scored:
    entry_index: int
    score: float  # 0..1
    phrase: str
    evidence: float = 0.0  # matched words' weight, relative to the rarest word (1.0)
    words: frozenset[str] = frozenset()  # the question's words this entry explains
    share: float = 0.0  # their share of the question's weight (0..1)


class Matcher:
    def __init__(
        self,
        entries: list[Entry],
        stopwords: set[str],
        synonyms: dict[str, str] | None = None,
        light: set[str] | None = None,
    ):
        self.entries = entries
        self.stopwords = stopwords
        self.synonyms = synonyms or {}
        self.phrases: list[tuple[int, str, frozenset[str]]] = []  # (entry index, text, tokens)
        for i, e in enumerate(entries):
            texts = [e.label, *(e.title.nl, e.title.en)] if e.title else [e.label]
            texts += e.phrases.nl + e.phrases.en
            seen: set[frozenset[str]] = set()
            for text in texts:
                toks = frozenset(self.content(text))
                if toks and toks not in seen:
                    seen.add(toks)
                    self.phrases.append((i, text, toks))
        df: dict[str, set[int]] = {}
        self.postings: dict[str, list[int]] = {}
        self.entry_words: list[set[str]] = [set() for _ in entries]
        for p, (i, _, toks) in enumerate(self.phrases):
            self.entry_words[i] |= toks
            for t in toks:
                df.setdefault(t, set()).add(i)
                self.postings.setdefault(t, []).append(p)
        n = max(len(entries), 1)
        self.idf = {t: math.log(1 + n / len(ids)) for t, ids in df.items()}
        self.light = {stem(self.synonyms.get(w, w)) for w in light or ()}
        self.max_idf = math.log(1 + n)
        self.unknown_weight = UNKNOWN_FACTOR * self.max_idf
        self.vocab = sorted(self.idf)
        self.phrase_weight = [sum(self.idf[t] for t in toks) for _, _, toks in self.phrases]
        # Vocabulary by word length, for typo correction: an edit distance of d or less needs
        # a length within d, so correct() looks at three or five lengths instead of all words.
        self.vocab_by_len: dict[int, list[str]] = {}
        for word in self.vocab:
            self.vocab_by_len.setdefault(len(word), []).append(word)
        self.arrays = _Arrays(self, df) if len(self.phrases) >= VECTOR_FROM else None

    def content(self, text: str) -> list[str]:
        """Folded words minus stop-words, each in its canonical form (synonyms), stemmed."""
        return [stem(self.synonyms.get(t, t)) for t in fold(text).split() if t not in self.stopwords]

    def correct(self, token: str) -> str | None:
        """The vocabulary word a token stands for, or None when it is not ours.

        A typo is forgiven when the word starts with the same letter and is one edit away
        (two for long words), counting a swap of neighbours as one edit: "statsu" is
        "status", "aangebodne" is "aangeboden", but "taart" is not "staat".
        """
        if token in self.idf:
            return token
        if len(token) < TYPO_MIN_LEN or token.isdigit():
            return None
        budget = 2 if len(token) >= LONG_WORD else 1
        # The closest word, the alphabetically first of equals: what one extractOne over the
        # whole sorted vocabulary returns, but only words of a length that can be that close.
        found: list[tuple[float, str]] = []
        for n in range(len(token) - budget, len(token) + budget + 1):
            words = self.vocab_by_len.get(n)
            hit = words and process.extractOne(
                token, words, scorer=OSA.distance, score_cutoff=budget, processor=None
            )
            if hit:
                found.append((hit[1], hit[0]))
        if not found:
            return None
        best = min(found)[1]
        return best if best[0] == token[0] else None

    def query(self, text: str, ignore: set[str] | None = None) -> dict[str, float]:
        """The question's words with their weights; a word we do not know gets a "\0" in front."""
        query: dict[str, float] = {}
        for raw in self.content(text):
            if ignore and raw in ignore:
                continue
            known = self.correct(raw)
            if known is None and (len(raw) == 1 or raw.isdigit()):
                continue  # the "t" of "can't", a number we have no phrase with: no words of their own
            if known is None:
                query.setdefault("\0" + raw, self.unknown_weight)
            else:
                query[known] = self.idf[known]
        if any(t in self.idf and t not in self.light for t in query):
            # next to a word that says what, a word that only says where counts for less
            query = {t: w * LIGHT_FACTOR if t in self.light else w for t, w in query.items()}
        return query

    def score(
        self,
        text: str,
        ignore: set[str] | None = None,
        *,
        keep: int | None = None,
        floor: float = 0.0,
        within: float = 0.0,
        limit: int | None = None,
    ) -> list[Scored]:
        """Entries that share a word with `text`, best first (one Scored per entry).

        All of them by default. With `keep`, only those a caller can use: the best one
        always, and of those scoring `floor` or more, the `keep` best and every entry within
        `within` of the best; with `limit`, at most that many of those (the first in this
        order). Either way the scores and the order are the same.
        """
        query = self.query(text, ignore)
        if not query:
            return []
        if self.arrays is not None and keep is not None:
            scored = self.arrays.results(self, query, keep, floor, within, limit)
            scored.sort(key=lambda s: (-s.score, s.entry_index))
        else:
            scored = self.score_all(query)
        return scored if keep is None else select(scored, keep, floor, within, limit)

    def score_all(self, query: dict[str, float]) -> list[Scored]:
        """Every entry sharing a word with the query, best first: the reference scorer."""
        q_weight = sum(query.values())
        matched: dict[int, float] = {}
        for t, w in query.items():
            for p in self.postings.get(t, ()):
                matched[p] = matched.get(p, 0.0) + w
        best: dict[int, Scored] = {}
        for p, w in matched.items():
            recall = w / self.phrase_weight[p]  # how much of the phrase is in the question
            precision = w / q_weight  # how much of the question the phrase explains
            f = (1 + BETA2) * precision * recall / (BETA2 * precision + recall)
            i, phrase, _ = self.phrases[p]
            if i not in best or f > best[i].score:
                best[i] = Scored(i, f, phrase, w / self.max_idf)
        out = []
        for i, s in best.items():
            out.append(self._entry_scored(i, s, query, q_weight))
        return sorted(out, key=lambda s: (-s.score, s.entry_index))

    def _entry_scored(self, i: int, best: Scored, query: dict[str, float], q_weight: float) -> Scored:
        """The entry's score from its best phrase and how much of the query its words explain."""
        words = frozenset(t for t in query if t in self.entry_words[i])
        explained = sum(w for t, w in query.items() if t in words) / q_weight  # in query order
        score = (1 - ENTRY_SHARE) * best.score + ENTRY_SHARE * explained
        return Scored(i, score, best.phrase, best.evidence, words, explained)


def select(
    scored: list[Scored], keep: int, floor: float, within: float, limit: int | None = None
) -> list[Scored]:
    """The best one, and of those scoring `floor` or more the `keep` best and all within
    `within`; at most `limit` of them."""
    if not scored:
        return []
    top = scored[0].score
    kept = [
        s
        for rank, s in enumerate(scored)
        if rank == 0 or (s.score >= floor and (rank < keep or s.score >= top - within))
    ]
    return kept if limit is None else kept[: max(limit, 1)]


class _Arrays:
    """The matcher's postings as numpy arrays, for the vectorised scorer of large bases."""

    def __init__(self, m: Matcher, df: dict[str, set[int]]):
        import numpy as np  # here, not at the top: only large bases pay for importing numpy

        self.phrase_entry = np.array([i for i, _, _ in m.phrases], dtype=np.int64)
        self.phrase_weight = np.array(m.phrase_weight, dtype=np.float64)
        self.n_entries = len(m.entries)
        # token -> (start, end) in one flat array: far less memory than an array per token
        self.phrase_span, self.phrase_flat = _flatten({t: m.postings[t] for t in m.postings}, np)
        self.entry_span, self.entry_flat = _flatten({t: sorted(ids) for t, ids in df.items()}, np)

    def results(
        self,
        m: Matcher,
        query: dict[str, float],
        keep: int,
        floor: float,
        within: float,
        limit: int | None = None,
    ) -> list[Scored]:
        """The Scored of every entry `select` may keep, with the same arithmetic as score_all.

        Every step mirrors score_all: phrase weights summed word by word in query order, the
        same F-beta formula, the best phrase per entry (the first met among equals), the
        share of the query explained. The result may hold a few entries too many (ties at
        the cut); never one too few. Only those entries become Python objects.
        """
        matched, explained = self._scratch()
        used: list[Any] = []  # where the two arrays were written, to clear just that after
        try:
            return self._results(matched, explained, used, m, query, keep, floor, within, limit)
        finally:  # leave the scratch arrays all zero for the next question
            if len(used) == 2:
                matched[used[0]] = 0.0
                explained[used[1]] = 0.0
            else:  # stopped half-way (cannot happen unless numpy fails): clear everything
                matched.fill(0.0)
                explained.fill(0.0)

    def _scratch(self) -> tuple[Any, Any]:
        """Two zeroed arrays (per phrase, per entry) of this thread, kept between questions.

        A new np.zeros of two million floats for every question costs more than the
        arithmetic (the kernel hands out and clears fresh pages). Each thread has its own,
        so questions answered at the same time never share one.
        """
        import numpy as np

        mine = getattr(_SCRATCH, "arrays", None)
        if mine is None or len(mine[0]) != len(self.phrase_entry) or len(mine[1]) != self.n_entries:
            mine = (np.zeros(len(self.phrase_entry)), np.zeros(self.n_entries))
            _SCRATCH.arrays = mine
        return mine

    def _results(
        self,
        matched: Any,
        explained: Any,
        used: list[Any],
        m: Matcher,
        query: dict[str, float],
        keep: int,
        floor: float,
        within: float,
        limit: int | None,
    ) -> list[Scored]:
        import numpy as np

        q_weight = sum(query.values())
        for t, w in query.items():
            if t in self.phrase_span:
                a, b = self.phrase_span[t]
                matched[self.phrase_flat[a:b]] += w  # a word is in a phrase at most once
                a, b = self.entry_span[t]
                explained[self.entry_flat[a:b]] += w
        # Every idf is > 0, so matched means > 0. (On a boolean array flatnonzero is 8x faster.)
        touched = np.flatnonzero(matched != 0)
        used.append(touched)
        if len(touched) == 0:
            used.append(touched)  # no phrase touched: no entry either
            return []
        weight = matched[touched]
        recall = weight / self.phrase_weight[touched]
        precision = weight / q_weight
        f = (1 + BETA2) * precision * recall / (BETA2 * precision + recall)
        entry = self.phrase_entry[touched]  # ascending: phrases are stored entry by entry
        new_entry = np.ones(len(entry), dtype=bool)
        new_entry[1:] = entry[1:] != entry[:-1]
        starts = np.flatnonzero(new_entry)
        used.append(entry[starts])  # the entries that share a word: where `explained` was written
        best_f = np.maximum.reduceat(f, starts)
        score = (1 - ENTRY_SHARE) * best_f + ENTRY_SHARE * (explained[entry[starts]] / q_weight)
        top = float(score.max())
        if keep <= 0:
            kth = top
        elif len(score) <= keep:
            kth = float(score.min())
        else:
            kth = float(-np.partition(-score, keep - 1)[keep - 1])  # the keep-th best score
        cut = min(max(min(top - within, kth), floor), top)
        kept = np.flatnonzero(score >= cut)  # groups: one per entry, in entry order
        if limit is not None and len(kept) > max(limit, 1):
            # the first `limit` in select's order (score down, then entry order), back in entry order
            order = np.lexsort((kept, -score[kept]))[: max(limit, 1)]
            kept = np.sort(kept[order])

        # The touched phrases of the kept entries, and which of them score the entry's best f.
        sizes = np.diff(np.r_[starts, len(touched)])[kept]
        at = np.repeat(starts[kept] - np.r_[0, np.cumsum(sizes)[:-1]], sizes) + np.arange(sizes.sum())
        group = np.repeat(np.arange(len(kept)), sizes)
        is_best = f[at] == best_f[kept][group]
        best_at, best_group = at[is_best], group[is_best]
        count = np.bincount(best_group, minlength=len(kept))
        first = np.r_[0, np.cumsum(count)[:-1]]
        chosen = touched[best_at[first]].tolist()  # the lowest phrase number among the best
        for g in np.flatnonzero(count > 1).tolist():
            # Several phrases of one entry equally good: score_all kept the one it met first,
            # i.e. the one reached by the earliest query word, then the lowest phrase number.
            tied = touched[best_at[first[g] : first[g] + count[g]]].tolist()
            chosen[g] = min(tied, key=lambda p: (_first_word(query, m.phrases[p][2]), p))

        out = []
        for i, sc, p in zip(entry[starts[kept]].tolist(), score[kept].tolist(), chosen, strict=True):
            words = frozenset(t for t in query if t in m.entry_words[i])
            share = sum(w for t, w in query.items() if t in words) / q_weight  # as score_all: in query order
            out.append(Scored(i, sc, m.phrases[p][1], float(matched[p]) / m.max_idf, words, share))
        return out


def _first_word(query: dict[str, float], tokens: frozenset[str]) -> int:
    return next(k for k, t in enumerate(query) if t in tokens)


def _flatten(lists: dict[str, list[int]], np: Any) -> tuple[dict[str, tuple[int, int]], Any]:
    spans: dict[str, tuple[int, int]] = {}
    flat: list[int] = []
    for t, items in lists.items():
        spans[t] = (len(flat), len(flat) + len(items))
        flat.extend(items)
    return spans, np.array(flat, dtype=np.int64)
