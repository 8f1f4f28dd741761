"""A running bot (`declaratiebot serve --http`, its own process) takes knowledge edits
without a restart: a broken edit is refused and logged as file:line: field: message while
the last good knowledge keeps answering; the next good edit is answered from, and
`kill -HUP` reloads at once."""

from __future__ import annotations

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


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_broken_edit_keeps_answering_and_a_good_edit_is_picked_up(
    running: Running, fake: FakeSlack, kbdir: Path
) -> None:
    assert LABEL in running.ask(fake, "wat is 8290")

    mark = len(running.lines)
    edit(kbdir / FILE, 'codes: ["8290"]', 'codes: "8290"\n    colour: blue')  # two mistakes
    line = (kbdir / FILE).read_text(encoding="utf-8").splitlines().index('    codes: "8290"') + 1
    problem = running.wait_log(rf"reload refused: .*{FILE}:{line}: ", after=mark)
    assert "(wlz-retourcode-8290).codes: Input should be a valid list" in problem
    running.wait_log(r"still answering with the last good knowledge base", after=mark)
    assert LABEL in running.ask(fake, "wat is 8290"), "the last good knowledge answers"

    mark = len(running.lines)
    edit(kbdir / FILE, 'codes: "8290"\n    colour: blue', 'codes: ["8290"]')
    edit(kbdir / FILE, f'label: "{LABEL}"', 'label: "Geen melding aanvang zorg (MAZ) gevonden"')
    running.wait_log(r"knowledge reloaded: \d+ entries", after=mark)
    reply = running.ask(fake, "wat is 8290")
    assert "Geen melding aanvang zorg (MAZ) gevonden" in reply and LABEL not in reply


def test_sighup_reloads_at_once(running: Running, fake: FakeSlack, kbdir: Path) -> None:
    mark = len(running.lines)
    edit(kbdir / FILE, f'label: "{LABEL}"', 'label: "MAZ ontbreekt of klopt niet"')
    running.proc.send_signal(signal.SIGHUP)
    running.wait_log(r"knowledge reloaded: \d+ entries", after=mark, timeout=10)
    assert "MAZ ontbreekt of klopt niet" in running.ask(fake, "wat is 8290")
    assert running.proc.poll() is None, "the bot is still running"
