"""A pytest plugin `.ci/run` loads (`-p tests.slack.hypothesis_ci`): every hypothesis test,
the HTTP fuzz sessions and the engine's properties alike, runs derandomized, the same
examples on every run (each test's own max_examples, no example database). A new failing
input is then found where someone runs the suite without it, not as a red CI on an
unrelated change."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile("ci")
