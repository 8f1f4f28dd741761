"""The fast paths of the matcher give exactly what the plain one gives.

The matcher has a reference scorer (`score_all`, plain Python over every entry), a
vectorised one for large bases (numpy) and a selection (`keep`/`floor`/`within`) that the
engine uses to build only the results it looks at. The vectorised scorer computes only the
phrases in a window that it widens until its scores prove the selection complete; on these
small bases a question has too few postings for that (PRUNE_FROM), so each test runs with
the window ("pruned") and without. None of them may change an answer.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from rapidfuzz.distance import OSA, Indel

from bench.synth import Generator, text_questions
from bot.engine import matcher as matcher_mod
from bot.engine.answer import MAX_CLOSE, MAX_SUGGESTIONS, SUGGEST_AT, UNSURE_MARGIN, Engine
from bot.engine.knowledge import KnowledgeBase, default_dir, load
from bot.engine.matcher import LONG_WORD, MAX_INDEL, TYPO_MIN_LEN, Matcher, _lower, select

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
# (keep, floor, within, limit): the engine's, and others that keep more or fewer
SELECTIONS = (
    (MAX_SUGGESTIONS, SUGGEST_AT, UNSURE_MARGIN, MAX_CLOSE),
    (1, 0.0, 0.0, None),
    (10, 0.1, 0.3, None),
    (3, 0.0, 0.5, 5),
    (0, 0.5, 0.05, 20),
    (50, 0.6, 0.0, 100),
)


def eval_questions() -> list[str]:
    out: list[str] = []
    for name in ("questions.yaml", "questions-3.2.yaml"):
        if (EVAL / name).exists():
            out += [c["q"] for c in yaml.safe_load((EVAL / name).read_text(encoding="utf-8"))]
    return out


def questions_for(kb: KnowledgeBase, count: int) -> list[str]:
    entries = [{"phrases": {"nl": e.phrases.nl, "en": e.phrases.en}} for e in kb.entries if e.phrases.nl]
    return text_questions(entries, count) + eval_questions() + ["bericht", "message", "status", "code"]


@pytest.fixture(scope="module")
def synth_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    out = tmp_path_factory.mktemp("synth") / "kb"
    Generator(default_dir(), 1_500).write(out)
    return load(out)


def vectorised(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, pruned: bool = False) -> Engine:
    monkeypatch.setattr(matcher_mod, "VECTOR_FROM", 0)
    if pruned:  # the window and its guesses for every question, not only for large ones
        monkeypatch.setattr(matcher_mod, "PRUNE_FROM", 0)
    engine = Engine(kb)
    assert engine.matcher.arrays is not None
    return engine


@pytest.mark.parametrize("pruned", [False, True], ids=["whole", "pruned"])
def test_vectorised_scorer_keeps_exactly_what_the_reference_keeps(
    synth_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, pruned: bool
) -> None:
    m = vectorised(synth_kb, monkeypatch, pruned).matcher
    compared = 0
    for q in questions_for(synth_kb, 400):
        query = m.query(q)
        if not query:
            continue
        for keep, floor, within, limit in SELECTIONS:
            want = select(m.score_all(query), keep, floor, within, limit)
            assert m.score(q, keep=keep, floor=floor, within=within, limit=limit) == want, q
            compared += 1
    assert compared > 1000


@pytest.mark.parametrize("pruned", [False, True], ids=["whole", "pruned"])
def test_vectorised_scorer_on_the_real_knowledge(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, pruned: bool
) -> None:
    m = vectorised(kb, monkeypatch, pruned).matcher
    for q in questions_for(kb, 300):
        query = m.query(q)
        selection = (MAX_SUGGESTIONS, SUGGEST_AT, UNSURE_MARGIN, MAX_CLOSE)
        want = select(m.score_all(query), *selection) if query else []
        assert (
            m.score(q, keep=MAX_SUGGESTIONS, floor=SUGGEST_AT, within=UNSURE_MARGIN, limit=MAX_CLOSE) == want
        ), q


@pytest.mark.parametrize("base", ["real", "synthetic"])
@pytest.mark.parametrize("scorer", ["plain", "vectorised", "pruned"])
def test_engine_answers_the_same_with_and_without_selection(
    kb: KnowledgeBase, synth_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, scorer: str, base: str
) -> None:
    """The engine asks the matcher for a selection (at most MAX_CLOSE runners-up); every
    answer must be what the full list gives, also on a base where common words bring
    hundreds of close entries."""
    if scorer != "plain":
        monkeypatch.setattr(matcher_mod, "VECTOR_FROM", 0)
    if scorer == "pruned":
        monkeypatch.setattr(matcher_mod, "PRUNE_FROM", 0)
    kb = kb if base == "real" else synth_kb
    engine = Engine(kb)
    full = Engine(kb)
    everything = full.matcher.score

    def unselected(text: str, ignore: set[str] | None = None, **_: Any) -> list[Any]:
        return everything(text, ignore)

    monkeypatch.setattr(full.matcher, "score", unselected)
    for q in questions_for(kb, 300):
        assert engine.answer(q, NOW) == full.answer(q, NOW), q


def test_the_window_prunes_common_word_questions(
    synth_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window is not always "everything": questions of common words end with a proof
    from a window (the tests above would pass, slowly, without one)."""
    m = vectorised(synth_kb, monkeypatch, pruned=True).matcher
    windows: list[Any] = []
    real_window = matcher_mod._window

    def spy(*args: Any) -> Any:
        windows.append(real_window(*args))
        return windows[-1]

    monkeypatch.setattr(matcher_mod, "_window", spy)
    proved = 0
    for q in ["bericht", "status", "code", "mijn bericht is niet aangekomen", "message status"]:
        windows.clear()
        m.score(q, keep=MAX_SUGGESTIONS, floor=SUGGEST_AT, within=UNSURE_MARGIN, limit=MAX_CLOSE)
        proved += bool(windows) and windows[-1] is not None
    assert proved >= 3


def test_lower_bound_holds_for_any_lower_scores() -> None:
    """_lower, from some of the scores, each at most its true value, never exceeds the lowest
    score select keeps from the true ones."""
    rng = random.Random(9)
    for _ in range(3000):
        true = sorted(
            (rng.choice([rng.random(), round(rng.random(), 1)]) for _ in range(rng.randint(1, 60))),
            reverse=True,
        )
        keep, limit = rng.randint(0, 6), rng.choice([None, 1, 3, 10, 50])
        floor, within = rng.choice([0.0, 0.3, 0.6]), rng.choice([0.0, 0.08, 0.3])
        scored = [matcher_mod.Scored(i, s, "") for i, s in enumerate(true)]
        lowest = min(s.score for s in select(scored, keep, floor, within, limit))
        seen = [s * rng.choice([1.0, 1.0, rng.random()]) for s in true if rng.random() < 0.8]
        assert _lower(np.array(seen), keep, floor, within, limit) <= lowest


def reference_correct(m: Matcher, token: str) -> str | None:
    """correct() as a plain scan over every word typo correction knows, in sorted order."""
    if token in m.idf:
        return token
    if len(token) < TYPO_MIN_LEN or token.isdigit():
        return None
    budget = 2 if len(token) >= LONG_WORD else 1
    hits = [
        (d, w)
        for w in sorted(m.typo_words)
        if (d := OSA.distance(token, w)) <= budget and (d < 2 or Indel.distance(token, w) <= MAX_INDEL)
    ]
    if not hits:
        return None
    best = min(hits)[1]
    return m.typo_words[best] if best[0] == token[0] else None


def test_typo_correction_by_length_finds_what_a_full_scan_finds(synth_kb: KnowledgeBase) -> None:
    m = Engine(synth_kb).matcher
    rng = random.Random(5)
    letters = "abcdefghijklmnopqrstuvwxyz"
    tokens = []
    for word in rng.sample(m.vocab, 600):
        for _ in range(3):
            chars = list(word)
            for _ in range(rng.randint(1, 3)):
                op, k = rng.randrange(3), rng.randrange(len(chars))
                if op == 0:
                    chars.insert(k, rng.choice(letters))
                elif op == 1 and len(chars) > 1:
                    del chars[k]
                else:
                    chars[k] = rng.choice(letters)
            tokens.append("".join(chars))
    corrected = 0
    for token in tokens:
        got = m.correct(token)
        assert got == reference_correct(m, token), token
        corrected += got is not None and got != token
    assert corrected > 100  # the test exercised real corrections, not only misses
