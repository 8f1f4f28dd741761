import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.engine.hours import opening
from bot.engine.knowledge import KnowledgeError, default_dir, load
from bot.engine.schema import Hours
from tests.conftest import at

WEEKDAYS = Hours(days=["mon", "tue", "wed", "thu", "fri"], open="08:30", close="17:00")


def test_open_on_a_weekday_during_hours() -> None:
    assert opening(WEEKDAYS, at(2026, 11, 24, 10, 0)).open_now  # Tuesday


def test_closed_at_five_sharp_and_opens_next_morning() -> None:
    state = opening(WEEKDAYS, at(2026, 11, 24, 17, 0))
    assert not state.open_now
    assert state.next_open == at(2026, 11, 25, 8, 30)


def test_closed_in_the_weekend_until_monday() -> None:
    state = opening(WEEKDAYS, at(2026, 11, 28, 12, 0))  # Saturday
    assert not state.open_now
    assert state.next_open == at(2026, 11, 30, 8, 30)


def test_utc_is_converted_to_amsterdam_time_summer_and_winter() -> None:
    # 07:00 UTC is 09:00 in summer (open) and 08:00 in winter (closed)
    assert opening(WEEKDAYS, datetime(2026, 7, 1, 7, 0, tzinfo=UTC)).open_now
    assert not opening(WEEKDAYS, datetime(2026, 12, 1, 7, 0, tzinfo=UTC)).open_now


def test_a_closing_day_is_closed_and_the_next_working_day_opens() -> None:
    christmas = Hours(
        days=["mon", "tue", "wed", "thu", "fri"],
        open="08:30",
        close="17:00",
        closed=[date(2026, 12, 25), date(2026, 12, 28)],
    )
    state = opening(christmas, at(2026, 12, 25, 10, 0))  # a Friday, listed as closed
    assert not state.open_now
    assert state.next_open == at(2026, 12, 29, 8, 30)  # Monday the 28th is closed too
    assert opening(christmas, at(2026, 12, 24, 10, 0)).open_now


def test_closing_days_are_read_from_the_knowledge(tmp_path: Path) -> None:
    kb = tmp_path / "knowledge"
    shutil.copytree(default_dir(), kb)
    contacts = kb / "contacts.yaml"
    text = contacts.read_text(encoding="utf-8")
    assert "      closed: []\n" in text
    contacts.write_text(text.replace("      closed: []\n", "      closed: [2026-12-25]\n", 1))
    helpdesk = load(kb).by_id["helpdesk-digitaal-declareren"]
    assert helpdesk.hours is not None and helpdesk.hours.closed == [date(2026, 12, 25)]
    contacts.write_text(text.replace("      closed: []\n", "      closed: [kerstmis]\n", 1))
    with pytest.raises(KnowledgeError, match=r"contacts\.yaml:\d+: .*hours"):
        load(kb)
