"""The fast paths of the matcher give exactly what the plain one gives.

The matcher has a reference scorer (`score_all`, plain Python over every entry), a
vectorised one for large bases (numpy) and a selection (`keep`/`floor`/`within`) that the
engine uses to build only the results it looks at. None of them may change an answer.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bench.synth import Generator, text_questions
from bot.engine import matcher as matcher_mod
from bot.engine.answer import MAX_CLOSE, MAX_SUGGESTIONS, SUGGEST_AT, UNSURE_MARGIN, Engine
from bot.engine.knowledge import KnowledgeBase, default_dir, load
from bot.engine.matcher import LONG_WORD, TYPO_MIN_LEN, Matcher, select

EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
# (keep, floor, within, limit): the engine's, and others that keep more or fewer
SELECTIONS = (
    (MAX_SUGGESTIONS, SUGGEST_AT, UNSURE_MARGIN, MAX_CLOSE),
    (1, 0.0, 0.0, None),
    (10, 0.1, 0.3, None),
    (3, 0.0, 0.5, 5),
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


def vectorised(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr(matcher_mod, "VECTOR_FROM", 0)
    engine = Engine(kb)
    assert engine.matcher.arrays is not None
    return engine


def test_vectorised_scorer_keeps_exactly_what_the_reference_keeps(
    synth_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = vectorised(synth_kb, monkeypatch).matcher
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


def test_vectorised_scorer_on_the_real_knowledge(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    m = vectorised(kb, monkeypatch).matcher
    for q in questions_for(kb, 300):
        query = m.query(q)
        selection = (MAX_SUGGESTIONS, SUGGEST_AT, UNSURE_MARGIN, MAX_CLOSE)
        want = select(m.score_all(query), *selection) if query else []
        assert (
            m.score(q, keep=MAX_SUGGESTIONS, floor=SUGGEST_AT, within=UNSURE_MARGIN, limit=MAX_CLOSE) == want
        ), q


@pytest.mark.parametrize("base", ["real", "synthetic"])
@pytest.mark.parametrize("large", [False, True])
def test_engine_answers_the_same_with_and_without_selection(
    kb: KnowledgeBase, synth_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, large: bool, base: str
) -> None:
    """The engine asks the matcher for a selection (at most MAX_CLOSE runners-up); every
    answer must be what the full list gives, also on a base where common words bring
    hundreds of close entries."""
    if large:
        monkeypatch.setattr(matcher_mod, "VECTOR_FROM", 0)
    kb = kb if base == "real" else synth_kb
    engine = Engine(kb)
    full = Engine(kb)
    everything = full.matcher.score

    def unselected(text: str, ignore: set[str] | None = None, **_: Any) -> list[Any]:
        return everything(text, ignore)

    monkeypatch.setattr(full.matcher, "score", unselected)
    for q in questions_for(kb, 300):
        assert engine.answer(q, NOW) == full.answer(q, NOW), q


def reference_correct(m: Matcher, token: str) -> str | None:
    """correct() as first written: one extractOne over the whole sorted vocabulary."""
    if token in m.idf:
        return token
    if len(token) < TYPO_MIN_LEN or token.isdigit():
        return None
    budget = 2 if len(token) >= LONG_WORD else 1
    best = process.extractOne(token, m.vocab, scorer=OSA.distance, score_cutoff=budget, processor=None)
    if best is None or best[0][0] != token[0]:
        return None
    return str(best[0])


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
