"""bench/explain_bench.py runs end to end at a tiny size (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from bench.common import ROOT


def test_quick_explain_bench() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.explain_bench", "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["prestaties"] == 200 and result["clients"] == 10
    assert [r["way"] for r in result["rows"]] == ["ours", "naive", "defused-tree"]
    figures = [r["figures"] for r in result["rows"]]
    assert figures[0] == figures[1] == figures[2] and figures[0]["prestaties"] == 200
    for r in result["rows"]:
        assert r["seconds"] > 0 and r["rss_peak_mb"] > 0 and r["traced_peak_mb"] > 0
        assert f"| {r['name']} |" in result["markdown"] or f"| **{r['name']}** |" in result["markdown"]
    assert result["markdown"].startswith("## 5. Explaining a large 325 retour file")
    shapes = {h["shape"]: h for h in result["hostile"]}
    assert sorted(shapes) == sorted(
        ["value-in-zip", "distinct-elements", "deep", "whitespace-in-zip", "huge-tag", "one-code-repeated"]
    )
    for name, h in shapes.items():
        assert h["rss_peak_mb"] > 0 and "Traceback" not in h["said"], name
        assert h["status"] == (0 if name == "one-code-repeated" else 2), (name, h["said"])
