"""Knowledge reloads without a restart; a broken edit never replaces good knowledge."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from bot.engine.knowledge import KnowledgeError, default_dir
from bot.reload import LiveKnowledge


@pytest.fixture
def kbdir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(default_dir(), target)
    return target


def touch_later(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:  # coarse file system clocks
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def test_a_broken_edit_keeps_the_last_good_knowledge(kbdir: Path, caplog: pytest.LogCaptureFixture) -> None:
    live = LiveKnowledge(kbdir)
    contacts = kbdir / "contacts.yaml"
    good = contacts.read_text(encoding="utf-8")
    touch_later(contacts, good.replace("    phone: ", "    phnoe: ", 1))
    with caplog.at_level(logging.ERROR, logger="declaratiebot.knowledge"):
        assert live.check() is False
    assert live.engine.answer("8409").escalate  # still the old, good knowledge
    assert any("contacts.yaml:" in r.getMessage() and "phnoe" in r.getMessage() for r in caplog.records)
    assert live.check() is None  # the same broken state is not retried in a loop

    touch_later(contacts, good)  # the fix
    assert live.check() is True
    assert live.engine.answer("8409").escalate


def test_a_good_edit_is_picked_up_by_the_watcher(kbdir: Path) -> None:
    live = LiveKnowledge(kbdir)
    assert not live.engine.answer("wat is een xylofoonkwartet").answered
    extra = kbdir / "zz-extra.yaml"
    extra.write_text(
        "entries:\n"
        "  - id: test-xylofoon\n"
        "    kind: topic\n"
        "    label: Xylofoonkwartet\n"
        "    text: {nl: Een testonderwerp., en: A test topic.}\n"
        "    phrases: {nl: [xylofoonkwartet]}\n"
        "    source: vgz-wlz-retourcodes\n",
        encoding="utf-8",
    )
    live.watch(interval=0.05)
    try:
        for _ in range(200):
            if live.engine.answer("wat is een xylofoonkwartet").answered:
                break
            time.sleep(0.05)
        assert live.engine.answer("wat is een xylofoonkwartet").topic == ["test-xylofoon"]
    finally:
        live.stop()


def test_sighup_reloads(kbdir: Path) -> None:
    live = LiveKnowledge(kbdir)
    live.install_sighup()
    try:
        first = live.engine
        os.kill(os.getpid(), signal.SIGHUP)
        assert live.engine is not first
    finally:
        signal.signal(signal.SIGHUP, signal.SIG_DFL)


def test_broken_knowledge_at_start_fails_fast(kbdir: Path) -> None:
    (kbdir / "contacts.yaml").write_text("entries: [", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        LiveKnowledge(kbdir)
