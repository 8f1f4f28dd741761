"""What `.ci/run` adds to the README's test command: skip reasons, and hypothesis tests that
run the same examples every time (a new failing input cannot turn CI red by chance)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def ci_addopts() -> str:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    found = re.search(r'^export PYTEST_ADDOPTS="\$\{PYTEST_ADDOPTS:-\} (.*)"$', ci, re.M)
    assert found, "PYTEST_ADDOPTS is not set in .ci/run"
    return found.group(1)


def test_ci_lists_skip_reasons_and_loads_the_derandomizing_plugin() -> None:
    options = ci_addopts().split()
    assert "-rs" in options
    assert options[options.index("-p") + 1] == "tests.slack.hypothesis_ci"


def test_the_plugin_derandomizes_every_hypothesis_test_keeping_its_number_of_examples() -> None:
    code = (
        "import tests.slack.hypothesis_ci\n"
        "from hypothesis import settings\n"
        "s = settings(max_examples=250, deadline=None)\n"  # as the fuzz tests declare theirs
        "print(s.derandomize, s.max_examples, s.database)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["True", "250", "None"], out.stderr
