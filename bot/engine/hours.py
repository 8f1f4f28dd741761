"""Is a helpdesk open now? Europe/Amsterdam time, working days, from the contact's hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.engine.schema import Hours

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Opening:
    open_now: bool
    next_open: datetime | None  # when it opens next, if closed now (local time)


def _hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def opening(hours: Hours, now: datetime) -> Opening:
    """`now` must be timezone-aware; it is converted to the contact's own time zone."""
    tz = ZoneInfo(hours.timezone)
    local = now.astimezone(tz)
    start, end = _hm(hours.open), _hm(hours.close)
    closed = set(hours.closed)

    def working(day: date) -> bool:
        return DAYS[day.weekday()] in hours.days and day not in closed

    if working(local.date()) and start <= local.time() < end:
        return Opening(True, None)
    for ahead in range(8 + len(closed)):
        day = (local + timedelta(days=ahead)).date()
        candidate = datetime.combine(day, start, tzinfo=tz)
        if working(day) and candidate > local:
            return Opening(False, candidate)
    return Opening(False, None)
