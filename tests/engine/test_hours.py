from datetime import UTC, datetime

from bot.engine.hours import opening
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
