"""Part 1: our matching against the baselines, same questions, same knowledge, same checks.

Every matcher answers every question of shared/eval/questions.yaml (and questions-3.2.yaml).
A baseline's pick is rendered by our renderer exactly as the engine renders that entry, so
the eval's checks (run_eval.check) judge only which entry was picked, or that none was.
Then each matcher is timed per question: ours over the whole `Engine.answer` (masking, code
extraction, language, matching), a baseline over its match call only.

    python -m bench.quality [--reps N] [--budget SECONDS]   (prints JSON)
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench.baselines import BASELINES
from bench.common import QUESTIONS, QUESTIONS_32, emit, eval_runner, per_call, summary
from bot.cli import answer_json
from bot.engine.answer import Answer, Engine
from bot.engine.knowledge import default_dir, load
from bot.engine.lang import detect
from bot.engine.normalize import fold
from bot.render import render

OURS = "declaratiebot (ours)"


def cases(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))) if path.exists() else []


def baseline_reply(engine: Engine, pick: int | None, question: str) -> dict[str, Any]:
    """The reply a baseline gives: our rendering of the entry it picked, or "I don't know"."""
    kb = engine.kb
    lang = detect(fold(question).split(), kb.language)
    if pick is None:
        a = Answer(language=lang, answered=False)
    else:
        a = engine.explain(kb.entries[pick].id, language=lang)
    return {"answered": a.answered, "escalate": a.escalate, "text": render(a, "plain", kb)}


def replier(engine: Engine, match: Callable[[str], int | None], question: str) -> dict[str, Any]:
    return baseline_reply(engine, match(question), question)


def score(reply: Callable[[str], dict[str, Any]], questions: list[dict[str, Any]]) -> dict[str, Any]:
    check = eval_runner().check
    out: dict[str, Any] = {
        "questions": len(questions),
        "answerable": 0,
        "declinable": 0,
        "correct": 0,
        "declined_ok": 0,
        "wrong_confident": 0,
        "missed": 0,
        "failures": [],
    }
    for case in questions:
        r = reply(case["q"])
        problems = check(case, r)
        want = bool(case.get("answered"))
        out["answerable" if want else "declinable"] += 1
        if not problems:
            out["correct" if want else "declined_ok"] += 1
            continue
        if r["answered"]:
            out["wrong_confident"] += 1
        elif want:
            out["missed"] += 1
        out["failures"].append({"q": case["q"], "answered": r["answered"], "problems": problems[:2]})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=50, help="timed rounds over all questions (at most)")
    ap.add_argument("--budget", type=float, default=15.0, help="seconds of timing per matcher (at most)")
    args = ap.parse_args(argv)

    engine = Engine(load(default_dir()))
    sets = {"dev": cases(QUESTIONS), "3.2": cases(QUESTIONS_32)}
    dev_questions = [c["q"] for c in sets["dev"]]

    matchers: list[tuple[str, Callable[[str], Any], Callable[[str], dict[str, Any]]]] = [
        (OURS, engine.answer, lambda q: answer_json(engine, q))
    ]
    build: dict[str, float] = {}
    for cls in BASELINES:
        start = time.perf_counter()
        m = cls(engine.kb.entries)
        build[cls.name] = time.perf_counter() - start

        matchers.append((cls.name, m.match, functools.partial(replier, engine, m.match)))

    results = []
    for name, fn, reply in matchers:
        row: dict[str, Any] = {"name": name, "sets": {k: score(reply, v) for k, v in sets.items() if v}}
        start = time.perf_counter()
        per_call(fn, dev_questions, reps=1, warmup=1)  # warm-up, and one round to size the rest
        one_round = (time.perf_counter() - start) / 2
        reps = max(3, min(args.reps, int(args.budget / max(one_round, 1e-9))))
        row["timing"] = summary(per_call(fn, dev_questions, reps=reps, warmup=0)) | {"reps": reps}
        row["build_s"] = build.get(name)
        results.append(row)
    emit({"matchers": results, "entries": len(engine.kb.entries)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
