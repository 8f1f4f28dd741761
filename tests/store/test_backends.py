"""The PostgreSQL half of the storage tests skips, with a reason naming the URL tried,
where no server answers; with REQUIRE_POSTGRES=1 (as `.ci/run` sets it) it fails instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOBODY = "postgresql+psycopg://nobody:hunter2-secret@127.0.0.1:1/test"  # nothing listens on port 1
ONE_TEST = "tests/store/test_events.py::test_an_event_id_is_a_first_delivery_once_per_workspace"


def run_one(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("REQUIRE_POSTGRES", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", ONE_TEST],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_a_server_the_postgresql_tests_skip_naming_the_url_tried() -> None:
    out = run_one(TEST_DATABASE_URL=NOBODY)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed, 1 skipped" in out.stdout  # SQLite ran
    [reason] = [line for line in out.stdout.splitlines() if line.startswith("SKIPPED")]
    assert "PostgreSQL not reachable (TEST_DATABASE_URL)" in reason
    assert "postgresql+psycopg://nobody:***@127.0.0.1:1/test" in reason
    assert "hunter2-secret" not in out.stdout + out.stderr


@pytest.mark.parametrize("value", ["1", "yes"])
def test_with_require_postgres_they_fail_instead(value: str) -> None:
    out = run_one(TEST_DATABASE_URL=NOBODY, REQUIRE_POSTGRES=value)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "1 passed, 1 error" in out.stdout  # the fixture fails: an error, never a skip
    assert "REQUIRE_POSTGRES is set: PostgreSQL not reachable (TEST_DATABASE_URL)" in out.stdout
    assert "postgresql+psycopg://nobody:***@127.0.0.1:1/test" in out.stdout


def test_ci_requires_postgresql_and_runs_the_readmes_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/python -m pytest" in readme
    commands = [line.strip() for line in ci.splitlines() if not line.lstrip().startswith("#")]
    assert commands.index("export REQUIRE_POSTGRES=1") < commands.index("python -m pytest")
    assert "will skip" not in ci
