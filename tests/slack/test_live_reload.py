"""A running bot (`declaratiebot serve --http`, its own process) takes knowledge edits
without a restart: a broken edit is refused and logged as file:line: field: message while
the last good knowledge keeps answering; the next good edit is answered from, and
`kill -HUP` reloads even an edit the file watcher does not notice."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine.knowledge import default_dir
from tests.slack.fake_slack import FakeSlack
from tests.slack.process import Running, serve

FILE = "wlz-retourcodes.yaml"
LABEL = "Er is geen (correcte) melding aanvang zorg (MAZ) aanwezig"


@pytest.fixture
def kbdir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(default_dir(), target)
    return target


@pytest.fixture
def running(fake: FakeSlack, kbdir: Path, tmp_path: Path) -> Iterator[Running]:
    env = {
        "KNOWLEDGE_DIR": str(kbdir),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "DECLARATIEBOT_CACHE": "off",
    }
    with serve(fake, **env) as bot:
        yield bot


def edit(path: Path, *changes: tuple[str, str], keep_stamp: bool = False) -> None:
    """Make every change (old, new) in one write: a new file renamed over the old one, so
    the watcher never sees half an edit. `keep_stamp`: the same size and modification time
    as before, so the watcher sees no change at all (only SIGHUP can load it)."""
    text = before = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    temp = path.with_name(f".{path.name}.tmp")  # not *.yaml: never read as knowledge
    temp.write_text(text, encoding="utf-8")
    if keep_stamp:
        assert len(text.encode()) == len(before.encode())
        stat = path.stat()
        os.utime(temp, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(temp, path)


def test_broken_edit_keeps_answering_and_a_good_edit_is_picked_up(
    running: Running, fake: FakeSlack, kbdir: Path
) -> None:
    assert LABEL in running.ask(fake, "wat is 8290")

    mark = len(running.lines)
    edit(kbdir / FILE, ('codes: ["8290"]', 'codes: "8290"\n    colour: blue'))  # two mistakes
    line = (kbdir / FILE).read_text(encoding="utf-8").splitlines().index('    codes: "8290"') + 1
    problem = running.wait_log(rf"reload refused: .*{FILE}:{line}: ", after=mark)
    assert "(wlz-retourcode-8290).codes: Input should be a valid list" in problem
    running.wait_log(r"still answering with the last good knowledge base", after=mark)
    assert LABEL in running.ask(fake, "wat is 8290"), "the last good knowledge answers"

    mark = len(running.lines)
    edit(
        kbdir / FILE,
        ('codes: "8290"\n    colour: blue', 'codes: ["8290"]'),
        (f'label: "{LABEL}"', 'label: "Geen melding aanvang zorg (MAZ) gevonden"'),
    )
    running.wait_log(r"knowledge reloaded: \d+ entries", after=mark)
    reply = running.ask(fake, "wat is 8290")
    assert "Geen melding aanvang zorg (MAZ) gevonden" in reply and LABEL not in reply


def test_sighup_reloads_what_the_watcher_cannot_see(running: Running, fake: FakeSlack, kbdir: Path) -> None:
    """The edit keeps the file's size and modification time, so the watcher finds nothing
    changed: the new label can only come from the reload `kill -HUP` triggers."""
    new = "Er is geen (correcte) melding aanvang zorg (MAZ) gevonden"  # as long as LABEL
    mark = len(running.lines)
    edit(kbdir / FILE, (f'label: "{LABEL}"', f'label: "{new}"'), keep_stamp=True)
    assert LABEL in running.ask(fake, "wat is 8290"), "unseen by the watcher: still the old label"
    running.proc.send_signal(signal.SIGHUP)
    running.wait_log(r"knowledge reloaded: \d+ entries", after=mark, timeout=30)
    assert new in running.ask(fake, "wat is 8290")
    assert running.proc.poll() is None, "the bot is still running"
