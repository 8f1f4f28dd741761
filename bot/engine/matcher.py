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
question that matches ten thousand entries a little does not build ten thousand results;
the vectorised scorer then computes only the phrases that can decide which entries those
are: of about the question's weight and holding one of its rarer words (`_Arrays`).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from bot.engine.normalize import fold
from bot.engine.schema import Entry

TYPO_MIN_LEN = 5  # shorter words are never "corrected": too many false friends
LONG_WORD = 8  # from this length two typos are forgiven, below it one
MAX_INDEL = 3  # ... and then at most one of them a changed letter (which is a delete and an insert)
BETA2 = 2.25  # F-beta, beta=1.5: covering the phrase matters more than covering the question
ENTRY_SHARE = 0.25  # weight of "how much of the question the entry's words explain" in the score
UNKNOWN_FACTOR = 0.75  # a word the knowledge base never uses weighs this much of the rarest word
LIGHT_FACTOR = 0.25  # a word that says where, not what ("detailscherm", "veld"), weighs this share
VECTOR_FROM = 20_000  # phrases; from here the vectorised scorer is faster than the plain one
_SCRATCH = threading.local()  # the vectorised scorer's work arrays, one set per thread


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
        # Typo correction looks at the vocabulary and at the words a synonym stands in for,
        # each leading to the word it means ("mesages" -> "message" -> "bericht").
        self.typo_words = {w: w for w in self.vocab}
        for word, canon in sorted(self.synonyms.items()):
            target = stem(canon)
            if target in self.idf and word.isalpha():
                self.typo_words.setdefault(stem(word), target)
        # ... by word length: an edit distance of d or less needs a length within d, so
        # correct() looks at three or five lengths instead of all words.
        self.vocab_by_len: dict[int, list[str]] = {}
        for word in sorted(self.typo_words):
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
        # The closest word, the alphabetically first of equals, looking only at words of a
        # length that can be that close. Two edits must not both be a letter changed into
        # another (more than MAX_INDEL inserts and deletes): "retrourcode" is "retourcode",
        # but "betaaltermijn" is another word than "bewaartermijn", not a typo of it.
        found: list[tuple[float, str]] = []
        for n in range(len(token) - budget, len(token) + budget + 1):
            words = self.vocab_by_len.get(n)
            if not words:
                continue
            hits = process.extract(
                token, words, scorer=OSA.distance, score_cutoff=budget, processor=None, limit=None
            )
            found += [(d, w) for w, d, _ in hits if d < 2 or Indel.distance(token, w) <= MAX_INDEL]
        if not found:
            return None
        best = min(found)[1]
        return self.typo_words[best] if best[0] == token[0] else None

    def query(self, text: str, ignore: set[str] | None = None) -> dict[str, float]:
        """The question's words with their weights; a word we do not know gets a "\0" in front."""
        query: dict[str, float] = {}
        words = [t for t in fold(text).split() if t not in self.stopwords]
        if all(t.isdigit() for t in words if not (ignore and t in ignore)):
            return {}  # "2+2", "100 of 200": numbers alone are no words to match ("2 maanden" is)
        for raw in (stem(self.synonyms.get(t, t)) for t in words):
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


Span = tuple[int, int]  # start, end in a flat array of postings
Window = tuple[float, float, set[str]]  # phrase weights from, to; the words a phrase must have one of


class _Arrays:
    """The matcher's postings as numpy arrays, for the vectorised scorer of large bases.

    The scorer computes only what can change the result. The entries a caller can use all
    score at least some theta, and an entry reaches theta only through a phrase whose
    F-beta is at least f_min, which only a phrase of about the question's weight can have,
    holding one of the question's rarer words (`_window`). Each word's postings are ordered
    by phrase weight, so those phrases are one slice of them. theta is not known before
    scoring: the scorer guesses a perfect match, computes the slices for that guess, and
    lowers the guess (each time taking only the postings around the slices it has) until
    the scores it has prove that no entry under the guess can be kept (`_lower`). Which of
    the question's words a phrase holds comes from a bitmap for the commonest words and
    from marking the postings of the window for the others (`_Weights`). A question of
    common words with a clear best match computes a few thousand phrases instead of
    several hundred thousand; a question the scores cannot prune is computed whole. The
    scores are those of score_all, float for float (see `results`).
    """

    def __init__(self, m: Matcher, df: dict[str, set[int]]):
        import numpy as np  # here, not at the top: only large bases pay for importing numpy

        self.phrase_entry = np.array([i for i, _, _ in m.phrases], dtype=np.int64)
        self.phrase_weight = np.array(m.phrase_weight, dtype=np.float64)
        self.n_entries = len(m.entries)
        # An entry's phrases are numbered consecutively: entry i has entry_start[i]:entry_start[i + 1].
        self.entry_start = np.searchsorted(self.phrase_entry, np.arange(self.n_entries + 1))
        # token -> (start, end) in one flat array: far less memory than an array per token.
        # Each word's phrases go from the lightest to the heaviest (their weights: posting_weight).
        self.phrase_span, self.postings = _flatten({t: m.postings[t] for t in m.postings}, np)
        for a, b in self.phrase_span.values():
            part = self.postings[a:b]
            part[:] = part[np.argsort(self.phrase_weight[part], kind="stable")]
        self.posting_weight = self.phrase_weight[self.postings]
        self.entry_span, self.entry_flat = _flatten({t: sorted(ids) for t, ids in df.items()}, np)
        # The commonest words' phrases also as one bit per phrase: looking up the phrases
        # computed is cheaper than marking the many postings of a common word's window.
        self.bitmaps: dict[str, Any] = {}
        for t, (a, b) in self.phrase_span.items():
            if (b - a) * COMMON_SHARE >= len(self.phrase_entry):
                has = np.zeros(len(self.phrase_entry), dtype=bool)
                has[self.postings[a:b]] = True
                self.bitmaps[t] = np.packbits(has, bitorder="little")

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

        Every step mirrors score_all: phrase weights summed word by word in query order (a
        phrase is in the window of all its words or of none, so in the window every word it
        holds is known), the same F-beta formula, the best phrase per entry (the first met
        among equals), the share of the query explained. The result is a prefix of
        score_all's order that holds all `select` keeps, a few entries more perhaps (ties at
        the cut). Only those entries become Python objects.
        """
        words = [(t, w) for t, w in query.items() if t in self.phrase_span]
        # A question of few postings is computed whole, at once, and all its words are marked.
        whole = sum(b - a for a, b in (self.phrase_span[t] for t, _ in words)) < PRUNE_FROM
        rare = [t for t, _ in words if whole or t not in self.bitmaps]  # the words whose postings are marked
        marks, explained, best = self._scratch(len(rare))
        added: dict[str, Span] = {}  # per word, the postings marked in `marks`
        try:
            return self._results(
                marks, explained, best, words, rare, whole, added, m, query, keep, floor, within, limit
            )
        finally:  # leave the scratch arrays all zero for the next question
            if sum(b - a for a, b in added.values()) * 10 > len(self.phrase_entry):
                for mark in marks:
                    mark.fill(0)
            else:
                for k, t in enumerate(rare):
                    a, b = added.get(t, (0, 0))
                    marks[k // 8][self.postings[a:b]] = 0
            explained.fill(0.0)
            best.fill(0.0)

    def _scratch(self, rare: int) -> tuple[list[Any], Any, Any]:
        """Zeroed arrays of this thread, kept between questions: one byte per phrase for each
        eight rare words (a bit per word: is it in the phrase?), and two numbers per entry.

        New arrays of millions of zeros for every question cost more than the arithmetic
        (the kernel hands out and clears fresh pages). Each thread has its own, so
        questions answered at the same time never share one.
        """
        import numpy as np

        mine = getattr(_SCRATCH, "arrays", None)
        if mine is None or len(mine[1]) != self.n_entries or len(mine[0][0]) != len(self.phrase_entry):
            mine = (
                [np.zeros(len(self.phrase_entry), dtype=np.uint8)],
                np.zeros(self.n_entries),
                np.zeros(self.n_entries),
            )
            _SCRATCH.arrays = mine
        while len(mine[0]) * 8 < rare:
            mine[0].append(np.zeros(len(self.phrase_entry), dtype=np.uint8))
        return mine

    def _results(
        self,
        marks: list[Any],
        explained: Any,
        best: Any,
        words: list[tuple[str, float]],
        rare: list[str],
        whole: bool,
        added: dict[str, Span],
        m: Matcher,
        query: dict[str, float],
        keep: int,
        floor: float,
        within: float,
        limit: int | None,
    ) -> list[Scored]:
        import numpy as np

        q_weight = sum(query.values())
        for t, w in words:
            a, b = self.entry_span[t]
            np.add.at(explained, self.entry_flat[a:b], w)  # a word is in an entry's list at most once
        weights = _Weights(self, words, rare, marks)
        entries, score = self._search(
            weights, explained, best, words, rare, whole, added, q_weight, keep, floor, within, limit
        )
        if len(entries) == 0:
            return []
        top = float(score.max())
        if keep > 0 and len(score) < keep:
            kept = np.arange(len(score))  # fewer than `keep`: select decides
        else:
            kth = top if keep <= 0 else float(-np.partition(-score, keep - 1)[keep - 1])  # keep-th best
            cut = min(max(min(top - within, kth), floor), top)
            kept = np.flatnonzero(score >= cut)  # in entry order
        if limit is not None and len(kept) > max(limit, 1):
            # the first `limit` in select's order (score down, then entry order), back in entry order
            order = np.lexsort((kept, -score[kept]))[: max(limit, 1)]
            kept = np.sort(kept[order])
        entries, score = entries[kept], score[kept]

        # The phrases of the kept entries that share a word, and which of them score the entry's
        # best f. (Outside the last window a phrase may look as if it matched less than it
        # does: it is not an entry's best either way.)
        lo = self.entry_start[entries]
        sizes = self.entry_start[entries + 1] - lo
        at = np.repeat(lo - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())  # their phrases
        group = np.repeat(np.arange(len(entries)), sizes)
        weight = weights.of(at)
        shares = weight != 0
        at, group, weight = at[shares], group[shares], weight[shares]
        is_best = _f_beta(weight, self.phrase_weight[at], q_weight) == best[entries][group]
        best_at, best_group = at[is_best], group[is_best]
        count = np.bincount(best_group, minlength=len(entries))
        first = np.cumsum(count) - count  # (np.r_ costs more than all the arithmetic here)
        chosen = best_at[first].tolist()  # the lowest phrase number among the best
        evidence = weight[is_best][first].tolist()
        for g in np.flatnonzero(count > 1).tolist():
            # Several phrases of one entry equally good: score_all kept the one it met first,
            # i.e. the one reached by the earliest query word, then the lowest phrase number.
            tied = best_at[first[g] : first[g] + count[g]].tolist()
            chosen[g] = min(tied, key=lambda p: (_first_word(query, m.phrases[p][2]), p))

        out = []
        for i, sc, p, w in zip(entries.tolist(), score.tolist(), chosen, evidence, strict=True):
            explains = frozenset(t for t in query if t in m.entry_words[i])
            # summed as score_all does: in query order
            share = sum(qw for t, qw in query.items() if t in explains) / q_weight
            out.append(Scored(i, sc, m.phrases[p][1], w / m.max_idf, explains, share))
        return out

    def _search(
        self,
        weights: _Weights,
        explained: Any,
        best: Any,
        words: list[tuple[str, float]],
        rare: list[str],
        whole: bool,
        added: dict[str, Span],
        q_weight: float,
        keep: int,
        floor: float,
        within: float,
        limit: int | None,
    ) -> tuple[Any, Any]:
        """Every entry that select may keep, and more, with its score: all entries from some
        theta up, in entry order. On the way, `weights` marks the rare words of every phrase
        in the last window, and `best` gets the best F-beta of each entry (exact for those
        entries)."""
        import numpy as np

        scored: dict[str, Span] = {}  # per word, the postings whose F-beta is in `best`
        theta = -math.inf if whole else _best_possible(words, q_weight)  # first guess: a perfect match
        while True:
            window = _window(theta, words, q_weight)
            slices = {t: self._slice(t, window) for t, _ in words}
            for t in rare:
                added[t], new = _grow(slices[t], added.get(t))
                for a, b in new:
                    weights.mark(t, self.postings[a:b])
            for t, _ in words:
                if window is None or t in window[2]:
                    scored[t], new = _grow(slices[t], scored.get(t))
                    for a, b in new:
                        phrases = self.postings[a:b]
                        f = _f_beta(weights.of(phrases), self.posting_weight[a:b], q_weight)
                        np.maximum.at(best, self.phrase_entry[phrases], f)
            # Every f is > 0 (every idf is), so the entries with a computed phrase have best > 0.
            entries = np.flatnonzero(best != 0)  # (on a boolean array flatnonzero is 8x faster)
            score = (1 - ENTRY_SHARE) * best[entries] + ENTRY_SHARE * (explained[entries] / q_weight)
            if window is None:
                return entries, score  # every entry, every phrase
            # The scores are exact from theta up and lower than the true ones below it.
            proved = _lower(score, keep, floor, within, limit)
            if proved >= theta:
                exact = np.flatnonzero(score >= theta)
                return entries[exact], score[exact]
            theta = max(proved, theta - THETA_STEP)

    def _slice(self, token: str, window: Window | None) -> Span:
        """The token's postings whose phrase weight is in the window."""
        import numpy as np

        a, b = self.phrase_span[token]
        if window is None:
            return a, b
        weights = self.posting_weight[a:b]
        lo, hi = np.searchsorted(weights, window[0], "left"), np.searchsorted(weights, window[1], "right")
        return a + int(lo), a + int(hi)


class _Weights:
    """The matched weight of phrases: the weights of the question's words each holds, added up
    in the question's order as score_all does. A common word is in a phrase when its bit in
    the word's bitmap is set; a rare word when its bit is set in `marks`, where its postings
    (of the window so far) were marked."""

    def __init__(self, arrays: _Arrays, words: list[tuple[str, float]], rare: list[str], marks: list[Any]):
        import numpy as np

        self.arrays, self.words, self.marks = arrays, words, marks
        self.bit = {t: (k // 8, 1 << k % 8) for k, t in enumerate(rare)}
        self.table = None  # up to 8 words, all marked: the weight of each combination of them
        if len(rare) == len(words) <= 8:
            combination = np.arange(1 << len(words))
            self.table = np.zeros(len(combination))
            for k, (_, w) in enumerate(words):
                self.table += w * (combination >> k & 1)

    def mark(self, token: str, phrases: Any) -> None:
        mark, bit = self.bit[token]
        self.marks[mark][phrases] |= bit

    def of(self, phrases: Any) -> Any:
        import numpy as np

        if self.table is not None:
            return self.table[self.marks[0][phrases]]
        byte, bit = phrases >> 3, (phrases & 7).astype(np.uint8)
        weight = np.zeros(len(phrases))
        for t, w in self.words:  # adding 0.0 where a word is not in the phrase changes nothing
            if t in self.bit:
                mark, rare_bit = self.bit[t]
                weight += w * ((self.marks[mark][phrases] & rare_bit) != 0)
            else:
                weight += w * ((self.arrays.bitmaps[t][byte] >> bit) & 1)
        return weight


COMMON_SHARE = 64  # a word in one phrase in this many, or more, gets a bitmap
PRUNE_FROM = 20_000  # postings; a question with fewer is computed whole, without guessing
THETA_STEP = 0.1  # how far each guess at the lowest score a caller keeps is lowered
SLACK = 1e-9  # every bound is widened by this much, far more than float rounding can move it


def _grow(now: Span, before: Span | None) -> tuple[Span, list[Span]]:
    """Slice `before` grown to cover `now`, and the parts of it that are new."""
    if before is None:
        return now, [now] if now[0] < now[1] else []
    grown = (min(now[0], before[0]), max(now[1], before[1]))
    return grown, [(a, b) for a, b in ((grown[0], before[0]), (before[1], grown[1])) if a < b]


def _window(theta: float, words: list[tuple[str, float]], q_weight: float) -> Window | None:
    """Where the best phrase of an entry that scores `theta` or more can be: a phrase weight
    from lo to hi, and one of the words in `essential`. None: anywhere.

    The question weighs q, of which the words the base knows weigh k. A phrase of weight
    pw matches w of them, w <= k and w <= pw. An entry scores (1 - ENTRY_SHARE) * f +
    ENTRY_SHARE * (the share of q its words explain, at most k/q), so its best phrase has an
    F-beta f >= f_min. f = F(w/q, w/pw) and F grows with both, so f <= F(k/q, w/pw), which
    needs w/pw >= r_min, so pw <= w / r_min <= k / r_min; and f <= F(w/q, 1), which needs
    w >= p_min * q, so pw >= w >= p_min * q. The commonest words of the question that
    together weigh less than p_min * q cannot make that w alone: the phrase holds one of the
    others, the essential words. theta is at most _best_possible, so f_min <= F(k/q, 1).
    """
    known = sum(w for _, w in words)
    share = known / q_weight
    f_min = (theta - ENTRY_SHARE * share) / (1 - ENTRY_SHARE) - SLACK
    if f_min <= 0:
        return None
    r_min = BETA2 * f_min * share / ((1 + BETA2) * share - f_min)  # F(share, r_min) = f_min
    p_min = f_min / (1 + BETA2 - BETA2 * f_min)  # F(p_min, 1) = f_min
    need = p_min * q_weight * (1 - SLACK)
    essential: set[str] = set()
    total = 0.0
    for w, t in sorted((w, t) for t, w in words):
        total += w
        if total >= need:
            essential.add(t)
    return need * (1 - SLACK), known / r_min * (1 + SLACK), essential


def _best_possible(words: list[tuple[str, float]], q_weight: float) -> float:
    """The highest score an entry can have: one phrase of exactly the known words of the question."""
    share = sum(w for _, w in words) / q_weight
    return (1 - ENTRY_SHARE) * (1 + BETA2) * share / (BETA2 * share + 1) + ENTRY_SHARE * share


def _lower(score: Any, keep: int, floor: float, within: float, limit: int | None) -> float:
    """A score that every entry select keeps reaches, from scores no higher than the true ones.

    select keeps the best entry, and those from `floor` up that are among the `keep` best
    or within `within` of the best, so each of them scores at least
    min(top, max(floor, min(kth, top - within))); and at most `limit` of them, so each scores
    at least the limit-th best score. Both grow with the scores, so lower scores (of some of
    the entries) give a lower bound.
    """
    import numpy as np

    if len(score) == 0:
        return -math.inf
    ranks = [k - 1 for k in (1, keep, limit) if k is not None and 0 < k <= len(score)]
    ordered = -np.partition(-score, ranks)
    top = float(ordered[0])
    kth = top if keep <= 0 else float(ordered[keep - 1]) if keep <= len(score) else -math.inf
    bound = min(top, max(floor, min(kth, top - within)))
    if limit is not None and 0 < limit <= len(score):
        bound = max(bound, float(ordered[limit - 1]))
    return bound


def _f_beta(weight: Any, phrase_weight: Any, q_weight: float) -> Any:
    """score_all's F-beta, array by array, in the same order of operations (so the same floats)."""
    recall = weight / phrase_weight
    precision = weight / q_weight
    return (1 + BETA2) * precision * recall / (BETA2 * precision + recall)


def _first_word(query: dict[str, float], tokens: frozenset[str]) -> int:
    return next(k for k, t in enumerate(query) if t in tokens)


def _flatten(lists: dict[str, list[int]], np: Any) -> tuple[dict[str, tuple[int, int]], Any]:
    spans: dict[str, tuple[int, int]] = {}
    flat: list[int] = []
    for t, items in lists.items():
        spans[t] = (len(flat), len(flat) + len(items))
        flat.extend(items)
    return spans, np.array(flat, dtype=np.int64)
