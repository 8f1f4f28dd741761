"""Every knowledge entry, in both languages and both formats, and every code it answers."""

from __future__ import annotations

import pytest

from bot.engine.answer import Engine
from bot.engine.knowledge import default_dir, load
from bot.render import render

KB = load(default_dir())
ENTRIES = KB.entries
CODES = sorted({c for e in ENTRIES for c in e.codes})


@pytest.mark.parametrize("entry_id", [e.id for e in ENTRIES])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_entry_renders_in_both_languages(engine: Engine, entry_id: str, lang: str) -> None:
    entry = KB.by_id[entry_id]
    answer = engine.explain(entry_id, lang)
    plain = render(answer, "plain", KB)
    mrkdwn = render(answer, "mrkdwn", KB)
    assert entry.label in plain
    assert entry.text.get(lang) in plain
    if entry.remedy:
        assert entry.remedy.get(lang) in plain
    assert KB.sources[entry.source].title in plain
    assert "<" not in mrkdwn.replace("&lt;", "")  # nothing from knowledge becomes Slack markup
    for contact in KB.contacts_for(entry):
        assert contact.phone is not None and contact.phone in plain


@pytest.mark.parametrize("code", CODES)
def test_every_code_is_answered_by_itself(engine: Engine, code: str) -> None:
    entries = KB.by_code[code]
    needs_cue = all(e.needs_cue for e in entries) and code.isdigit()
    question = f"berichtcode {code}" if needs_cue else code
    answer = engine.answer(question)
    assert answer.answered
    assert {e.id for e in entries} <= set(answer.topic)
    assert code in render(answer, "plain", KB)
