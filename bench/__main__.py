"""`python -m bench`: run every part, one fresh process per table, and write the report.

    python -m bench                      # everything, a few minutes on 2 cores -> docs/
    python -m bench --quick              # seconds: tiny sizes, few rounds -> a temp dir
    python -m bench --parts quality coldstart --out /tmp/b
    python -m bench --report-only        # redraw docs/ from docs/benchmarks.json

Parts: quality (1), growth (2), slack (3), coldstart (4); see each module's docstring.
The synthetic bases of the growth part are written to a temp dir (or --work) and removed.
Part "explain" runs bench/explain_bench.py when it exists (`python -m bench.explain_bench
[--quick]`); when its last line is JSON with a "markdown" key, that becomes a section.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import report
from bench.common import ROOT, machine, worker

PARTS = ("quality", "growth", "slack", "coldstart", "explain")


def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine()}
    start = time.perf_counter()
    quick = args.quick
    for part in args.parts:
        print(f"bench: {part} ...", file=sys.stderr, flush=True)
        t = time.perf_counter()
        if part == "quality":
            results["quality"] = worker("bench.quality", *(["--reps", "2", "--budget", "1"] if quick else []))
        elif part == "growth":
            sizes = args.sizes or ([50, 300] if quick else [200, 2_000, 20_000, 200_000])
            work = Path(args.work or tempfile.mkdtemp(prefix="bench-growth-"))
            try:
                results["growth"] = worker(
                    "bench.growth",
                    "--work",
                    str(work),
                    "--reps",
                    "1" if quick else "5",
                    "--sizes",
                    *map(str, sizes),
                    timeout=3600,
                )
            finally:
                if not args.work:
                    shutil.rmtree(work, ignore_errors=True)
        elif part == "slack":
            if importlib.util.find_spec("bench.slack_http") is None:
                print("bench: slack part not available", file=sys.stderr)
                continue
            results["slack"] = worker("bench.slack_http", *(["--quick"] if quick else []), timeout=1800)
        elif part == "coldstart":
            results["coldstart"] = worker("bench.coldstart", "--runs", "2" if quick else "20")
        elif part == "explain":
            if importlib.util.find_spec("bench.explain_bench") is None:
                continue
            try:
                found = worker("bench.explain_bench", *(["--quick"] if quick else []), timeout=1800)
            except (SystemExit, ValueError) as exc:  # its own failure must not lose the other tables
                print(f"bench: explain_bench failed: {exc}", file=sys.stderr)
                continue
            if isinstance(found, dict) and "markdown" in found:
                results["explain"] = found
        print(f"bench: {part} took {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    results["elapsed_s"] = time.perf_counter() - start
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="tiny sizes, few rounds (the smoke test)")
    ap.add_argument("--out", type=Path, help="where benchmarks.md and the charts go (default docs/)")
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    ap.add_argument("--sizes", type=int, nargs="+", help="growth sizes (default 200 2000 20000 200000)")
    ap.add_argument("--work", help="keep the synthetic bases in this directory")
    ap.add_argument("--report-only", action="store_true", help="rewrite the report from benchmarks.json")
    args = ap.parse_args(argv)
    out: Path = args.out or (Path(tempfile.mkdtemp(prefix="bench-quick-")) if args.quick else ROOT / "docs")
    data = out / "benchmarks.json"
    if args.report_only:
        results = json.loads(data.read_text(encoding="utf-8"))
    else:
        results = run(args)
        out.mkdir(parents=True, exist_ok=True)
        data.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    command = "python -m bench" + (" --quick" if args.quick else "")
    if args.parts != list(PARTS) and not args.report_only:
        command += " --parts " + " ".join(args.parts)
    extra = [str(results["explain"]["markdown"])] if "explain" in results else []
    path = report.write(results, out, command, extra)
    print(f"bench: wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
