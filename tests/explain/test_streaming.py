"""Large files stream with bounded memory; nothing of a file is stored or logged.

Memory, not time, is asserted (time is measured in bench/explain_bench.py).
"""

from __future__ import annotations

import builtins
import logging
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from bench.explain_bench import explain_tree, generate
from bot.engine.knowledge import KnowledgeBase
from bot.explain import explain_bytes, explain_file

from .conftest import fixture_bytes


def test_a_large_325_is_explained_with_flat_memory(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "groot.xml"
    size = generate(path, 4_000)
    explain_file(path, kb, max_rows=10)  # warm: imports, code lists
    tracemalloc.start()
    x = explain_file(path, kb, max_rows=10)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (x.prestaties, x.clients, len(x.rows)) == (4_000, 200, 10)
    assert size > 2_500_000
    assert peak < 1_500_000  # far below the file, let alone its tree (~10x the file)
    figures = explain_tree(path, hardened=True)
    assert (figures["prestaties"], figures["clients"]) == (x.prestaties, x.clients)
    assert x.answer is not None and figures["granted"] == x.answer.granted.signed


def test_peak_memory_does_not_grow_with_the_file(kb: KnowledgeBase, tmp_path: Path) -> None:
    peaks = []
    for n in (1_000, 8_000):
        path = tmp_path / f"{n}.xml"
        generate(path, n)
        explain_file(path, kb, max_rows=10)
        tracemalloc.start()
        explain_file(path, kb, max_rows=10)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] * 1.5  # 8x the prestaties, about the same memory


def test_explain_bytes_touches_no_disk_and_logs_nothing(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    data = fixture_bytes("wmo325-partly-rejected.xml")

    def no_disk(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"explain_bytes opened {args[0]!r}")

    monkeypatch.setattr(builtins, "open", no_disk)
    monkeypatch.setattr(os, "open", no_disk)
    caplog.set_level(logging.DEBUG)
    x = explain_bytes(data, "retour.xml", kb)
    assert x.prestaties == 3
    assert caplog.records == []
