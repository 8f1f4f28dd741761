"""Part 4: `declaratiebot ask "8290"` as a whole process, against two floors.

Three commands, run in turn (A B C A B C ...) so that a busy moment hits all three alike:

- `python -c pass`: starting Python at all;
- `python -c "import yaml, rapidfuzz, jinja2"`: the libraries the answer path needs;
- `declaratiebot ask 8290`: the real thing, with the compiled engine copy in place (a run
  before the timed ones makes it), and once more with the copy turned off (`DECLARATIEBOT_CACHE=off`),
  as the first run after a knowledge edit is.

    python -m bench.coldstart [--runs N]   (prints JSON)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.common import ROOT, emit

COMMANDS: dict[str, tuple[list[str], dict[str, str]]] = {
    "python -c pass": ([sys.executable, "-c", "pass"], {}),
    "python -c 'import yaml, rapidfuzz, jinja2'": (
        [sys.executable, "-c", "import yaml, rapidfuzz, jinja2"],
        {},
    ),
    "declaratiebot ask 8290": ([sys.executable, "-m", "bot", "ask", "8290"], {}),
    "declaratiebot ask 8290, no compiled copy": (
        [sys.executable, "-m", "bot", "ask", "8290"],
        {"DECLARATIEBOT_CACHE": "off"},
    ),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20, help="runs of each command")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "DECLARATIEBOT_CACHE_DIR": cache}
        subprocess.run(
            COMMANDS["declaratiebot ask 8290"][0], env=env, cwd=ROOT, check=True, capture_output=True
        )
        times: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(args.runs):
            for name, (cmd, extra) in COMMANDS.items():
                start = time.perf_counter()
                subprocess.run(cmd, env={**env, **extra}, cwd=ROOT, check=True, capture_output=True)
                times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    floor = medians["python -c 'import yaml, rapidfuzz, jinja2'"]
    rows: list[dict[str, Any]] = [
        {
            "command": name,
            "median_ms": medians[name] * 1e3,
            "min_ms": min(t) * 1e3,
            "vs_pass": medians[name] / medians["python -c pass"],
            "vs_imports": medians[name] / floor,
        }
        for name, t in times.items()
    ]
    emit({"runs": args.runs, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
