"""Part 2: how load time, memory and latency grow with the size of the knowledge base.

For each size a synthetic base (bench/synth.py) is written once, then measured by two
fresh processes, so one size's memory never counts towards another's:

- cold: `load()` (YAML, validation) and `Engine()` (indexes) as a process without the
  compiled copy does it (`cache.build`: garbage collector paused); resident memory after;
  then the compiled copy is saved;
- warm: `cached_engine()` reading that copy, as every later process does; resident
  memory after; then per-question latency of `Engine.answer` for exact-code questions and
  for free-text questions (median and p99 over all calls, after a warm-up round).

    python -m bench.growth --sizes 200 2000 --work DIR   (prints JSON)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import emit, per_call, summary, worker
from bench.synth import Generator, code_questions, text_questions

QUESTIONS = 200  # distinct questions of each type per size


def rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss / 2**20)


def cold(directory: Path) -> dict[str, Any]:
    from bot.engine import cache
    from bot.engine.answer import Engine
    from bot.engine.knowledge import load

    gc.collect()
    before = rss_mb()
    gc.disable()  # as cache.build() does
    start = time.perf_counter()
    kb = load(directory)
    loaded = time.perf_counter()
    engine = Engine(kb)
    built = time.perf_counter()
    gc.enable()
    gc.collect()
    after = rss_mb()
    cache.save(directory, engine)
    saved = time.perf_counter()
    return {
        "load_yaml_s": loaded - start,
        "build_engine_s": built - loaded,
        "cold_total_s": built - start,
        "save_copy_s": saved - built,
        "rss_cold_mb": after,
        "engine_cold_mb": after - before,
        "vectorised": engine.matcher.arrays is not None,
        "phrases": len(engine.matcher.phrases),
        "vocabulary": len(engine.matcher.vocab),
    }


def warm(directory: Path, questions: Path, reps: int) -> dict[str, Any]:
    from bot.engine import cache

    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    engine = cache.cached_engine(directory)
    loaded = time.perf_counter()
    gc.collect()
    after = rss_mb()
    asked = json.loads(questions.read_text(encoding="utf-8"))
    out: dict[str, Any] = {
        "warm_load_s": loaded - start,
        "rss_warm_mb": after,
        "engine_warm_mb": after - before,
    }
    for kind in ("code", "text"):
        answered = sum(engine.answer(q).answered for q in asked[kind])
        times = per_call(engine.answer, asked[kind], reps=reps)
        n = len(asked[kind])
        by_question = sorted(
            ((statistics.median(times[j::n]) * 1e3, q) for j, q in enumerate(asked[kind])), reverse=True
        )
        out[kind] = summary(times) | {
            "answered": answered,
            "questions": n,
            "slowest": [{"q": q, "median_ms": ms} for ms, q in by_question[:3]],
        }
    if engine.matcher.arrays is not None:
        out["text_runners_up"] = runners_up(engine, asked["text"], reps)
        out["common_runners_up"] = runners_up(engine, COMMON_WORDS, reps * 3) | {"words": COMMON_WORDS}
    return out


# questions of one common word of the domain: the ones that bring the most close entries
COMMON_WORDS = ["bericht", "message", "code", "retour", "status"]


def runners_up(engine: Any, questions: list[str], reps: int) -> dict[str, Any]:
    """Free text with the engine's limit on runners-up (MAX_CLOSE) and without it, round
    by round in one process, so the two see the same machine."""
    from bot.engine import answer

    limit = answer.MAX_CLOSE
    times: dict[str, list[float]] = {"limited": [], "unlimited": []}
    try:
        for _ in range(reps):
            for name, value in (("unlimited", 10**9), ("limited", limit)):
                answer.MAX_CLOSE = value
                times[name] += per_call(engine.answer, questions, reps=1, warmup=0)
    finally:
        answer.MAX_CLOSE = limit
    return {"max_close": limit} | {name: summary(t) for name, t in times.items()}


def measure(size: int, work: Path, reps: int) -> dict[str, Any]:
    """Generate the base of `size` entries (once), then the cold and the warm process."""
    from bot.engine.knowledge import default_dir

    directory = work / f"kb-{size}"
    questions = work / f"questions-{size}.json"
    start = time.perf_counter()
    entries = Generator(default_dir(), size).write(directory)
    generated = time.perf_counter() - start
    questions.write_text(
        json.dumps({"code": code_questions(entries, QUESTIONS), "text": text_questions(entries, QUESTIONS)}),
        encoding="utf-8",
    )
    yaml_mb = sum(p.stat().st_size for p in directory.glob("*.yaml")) / 2**20
    del entries
    env = {"DECLARATIEBOT_CACHE_DIR": str(work / "cache")}
    row: dict[str, Any] = {"size": size, "generate_s": generated, "yaml_mb": yaml_mb}
    row |= worker("bench.growth", "--cold", str(directory), env=env)
    row |= worker(
        "bench.growth", "--warm", str(directory), "--questions", str(questions), "--reps", str(reps), env=env
    )
    row["copy_mb"] = sum(p.stat().st_size for p in (work / "cache").glob("engine-*.pickle")) / 2**20
    for p in (work / "cache").glob("engine-*.pickle"):
        p.unlink()  # one size's copy at a time on disk
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 2_000, 20_000, 200_000])
    ap.add_argument("--work", type=Path, required=False, help="where to write the bases (a temp dir)")
    ap.add_argument("--reps", type=int, default=5, help="timed rounds over the questions")
    ap.add_argument("--cold", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--warm", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--questions", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.cold:
        emit(cold(args.cold))
    elif args.warm:
        emit(warm(args.warm, args.questions, args.reps))
    else:
        if args.work is None:
            raise SystemExit("bench.growth: give --work DIR")
        os.makedirs(args.work, exist_ok=True)
        emit({"sizes": [measure(size, args.work, args.reps) for size in args.sizes]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
