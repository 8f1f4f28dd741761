"""What every part of the bench shares: timing, the eval checks, workers, the machine."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT.parent / "shared" / "eval"
QUESTIONS = EVAL_DIR / "questions.yaml"
QUESTIONS_32 = EVAL_DIR / "questions-3.2.yaml"


def per_call(fn: Callable[[str], Any], inputs: list[str], reps: int, warmup: int = 1) -> list[float]:
    """Seconds of every single call of `fn`, `reps` times over all inputs, after `warmup` rounds."""
    for _ in range(warmup):
        for x in inputs:
            fn(x)
    clock = time.perf_counter_ns
    times: list[float] = []
    for _ in range(reps):
        for x in inputs:
            start = clock()
            fn(x)
            times.append((clock() - start) / 1e9)
    return times


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[k]


def summary(times: list[float]) -> dict[str, float]:
    """Median and p99 in milliseconds, and how many calls they come from."""
    return {
        "median_ms": statistics.median(times) * 1e3,
        "p99_ms": percentile(times, 99) * 1e3,
        "calls": len(times),
    }


def eval_runner() -> ModuleType:
    """shared/eval/run_eval.py as a module, for its `check(case, reply)`."""
    spec = importlib.util.spec_from_file_location("run_eval", EVAL_DIR / "run_eval.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"bench: cannot find {EVAL_DIR / 'run_eval.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def worker(module: str, *args: str, env: dict[str, str] | None = None, timeout: float = 1200) -> Any:
    """Run `python -m module args` in a fresh process; it prints one JSON document last."""
    run = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )
    if run.returncode != 0:
        sys.stderr.write(run.stderr[-3000:])
        raise SystemExit(f"bench: {module} {' '.join(args)} exited {run.returncode}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        import psutil

        memory = f"{psutil.virtual_memory().total / 2**30:.0f} GiB"
    except ImportError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "bot", "bench"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "commit": commit + (" (with local changes)" if dirty else ""),
        "date": time.strftime("%Y-%m-%d"),
    }


def emit(result: Any) -> None:
    """A worker's last line: its result as JSON."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
