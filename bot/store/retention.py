"""The purge that runs on its own: every few hours, in a daemon thread.

`Retention(store, days).start()` deletes questions and clicks older than RETENTION_DAYS
and processed event ids older than `event_ttl`, once at start and then every `every`
seconds, until `stop()`. The two are independent: a failed purge (say the database is
restarting) is logged and tried again at the next interval, and the event ids still
expire. With several instances each runs its own purge; the deletes are idempotent, so
that is harmless.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from bot.config import MAX_RETENTION_DAYS
from bot.store.events import EVENT_ID_TTL, Store

log = logging.getLogger("declaratiebot.store")


@dataclass(frozen=True)
class PurgeResult:
    rows: int  # questions and actions deleted
    event_ids: int  # processed event ids expired


class Retention:
    def __init__(
        self,
        store: Store,
        days: int,
        *,
        every: timedelta = timedelta(hours=6),
        event_ttl: timedelta = EVENT_ID_TTL,
    ):
        if not 1 <= days <= MAX_RETENTION_DAYS:
            raise ValueError(f"retention days must be from 1 to {MAX_RETENTION_DAYS}, got {days}")
        self.store = store
        self.days = days
        self.every = every
        self.event_ttl = event_ttl
        self.runs = 0  # completed runs, failed ones included
        self.last: PurgeResult | None = None
        self._stop = threading.Event()
        self._ran = threading.Condition()
        self._thread: threading.Thread | None = None

    def run_once(self) -> PurgeResult:
        """Purge the rows, then expire the event ids: each on its own, so one failing does
        not stop the other (a failure is logged, counted as 0 and tried at the next run)."""
        rows = event_ids = 0
        try:
            rows = self.store.purge(self.days)
        except Exception:
            log.exception("retention: purge of questions and clicks failed; trying again in %s", self.every)
        try:
            event_ids = self.store.expire_event_ids(self.event_ttl)
        except Exception:
            log.exception("retention: expiring event ids failed; trying again in %s", self.every)
        result = PurgeResult(rows=rows, event_ids=event_ids)
        if result.rows or result.event_ids:
            log.info(
                "retention: deleted %d rows older than %d days, %d event ids",
                result.rows,
                self.days,
                result.event_ids,
            )
        return result

    def start(self) -> Retention:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="store-retention", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wait_for_runs(self, n: int, timeout: float) -> bool:
        """Block until at least `n` runs completed (for tests and shutdown); False on timeout."""
        with self._ran:
            return self._ran.wait_for(lambda: self.runs >= n, timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.last = self.run_once()
            except Exception:
                log.exception("retention: purge failed; trying again in %s", self.every)
            with self._ran:
                self.runs += 1
                self._ran.notify_all()
            self._stop.wait(self.every.total_seconds())
