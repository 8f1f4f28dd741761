"""The bench runs end to end in seconds (`python -m bench --quick`), so it never rots.

No timing is asserted: only that every part ran, measured what it says and wrote its table
and charts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.common import ROOT


def test_quick_bench_writes_every_table_and_chart(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path), "--work", str(tmp_path / "work")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads((tmp_path / "benchmarks.json").read_text(encoding="utf-8"))
    report = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")

    names = [m["name"] for m in results["quality"]["matchers"]]
    assert names == [
        "declaratiebot (ours)",
        "difflib get_close_matches",
        "BM25 (rank-bm25)",
        "rapidfuzz extractOne WRatio",
    ]
    for m in results["quality"]["matchers"]:
        dev = m["sets"]["dev"]
        assert (
            dev["correct"] + dev["declined_ok"] + dev["wrong_confident"] + dev["missed"] == dev["questions"]
        )
        assert m["timing"]["calls"] >= dev["questions"]
        assert f"| {m['name']} |" in report or f"| **{m['name']}** |" in report

    sizes = results["growth"]["sizes"]
    assert [s["size"] for s in sizes] == [50, 300]
    for s in sizes:
        assert s["code"]["answered"] == s["code"]["questions"]  # every synthetic code is known
        assert s["rss_warm_mb"] > 0 and s["copy_mb"] > 0

    stages = results["slack"]["stages"]
    assert [s["rate"] for s in stages] == [5, 20]
    assert all(s["replies"] == s["events"] and s["ack_failures"] == 0 for s in stages)

    commands = [r["command"] for r in results["coldstart"]["rows"]]
    assert "declaratiebot ask 8290" in commands

    for heading in ("## Targets", "## 1.", "## 2.", "## 3.", "## 4."):
        assert heading in report
    for chart in ("benchmarks-latency.png", "benchmarks-load.png"):
        assert (tmp_path / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"]({chart})" in report
