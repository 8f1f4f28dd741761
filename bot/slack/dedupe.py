"""Each Slack event is answered once, however often Slack delivers it.

Slack redelivers an event (same `event_id`, header `X-Slack-Retry-Num`) when it did not
see our acknowledgement in time, and a person can press the same button twice. Both go
through `first_delivery(key)`: True the first time a key is seen, False after that.

`MemoryDedupe` keeps keys in this process for `ttl` seconds (Slack retries within minutes).
It forgets on restart and is per process. `StoreDedupe` adds the database's atomic
insert-or-skip, so a delivery to any instance sharing the database is answered once.

While the database is unreachable, `StoreDedupe` answers rather than stays silent: it
falls back to this process's memory (also when the database has not answered within the
deadline of `bot.store.deadline`, 2 seconds, so the event is still acknowledged in time),
so a retry that reaches the same instance is still dropped, but a retry that reaches
another instance during the outage may be answered a second time. A duplicate answer is
the lesser harm than a question left unanswered.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from bot.store.deadline import Deadline

if TYPE_CHECKING:
    from bot.store.events import Store

log = logging.getLogger("declaratiebot.store")


class Dedupe(Protocol):
    def first_delivery(self, event_id: str, team_id: str = "") -> bool: ...


class MemoryDedupe:
    """A thread-safe set of keys that expire after `ttl` seconds, at most `max_keys` of them."""

    def __init__(
        self, ttl: float = 3600.0, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ):
        self.ttl = ttl
        self.max_keys = max_keys
        self._clock = clock
        self._expires: dict[str, float] = {}  # insertion order == expiry order
        self._lock = threading.Lock()

    def first_delivery(self, event_id: str, team_id: str = "") -> bool:
        key = f"{team_id}:{event_id}"
        now = self._clock()
        with self._lock:
            self._forget_expired(now)
            if key in self._expires:
                return False
            if len(self._expires) >= self.max_keys:
                del self._expires[next(iter(self._expires))]
            self._expires[key] = now + self.ttl
            return True

    def __len__(self) -> int:
        return len(self._expires)

    def _forget_expired(self, now: float) -> None:
        while self._expires:
            oldest = next(iter(self._expires))
            if self._expires[oldest] > now:
                return
            del self._expires[oldest]


class StoreDedupe:
    """This process's memory first (no database round trip for a local retry), then the
    database's insert-or-skip; when the database fails, memory alone (see above)."""

    def __init__(self, store: Store, memory: MemoryDedupe | None = None, deadline: Deadline | None = None):
        self.store = store
        self.memory = memory or MemoryDedupe()
        self.deadline = deadline or Deadline(name="dedupe")

    def first_delivery(self, event_id: str, team_id: str = "") -> bool:
        if not self.memory.first_delivery(event_id, team_id):
            return False
        try:
            return self.deadline.call(lambda: self.store.first_delivery(event_id, team_id))
        except Exception as exc:
            log.warning(
                "dedupe of %s falls back to this process: database unavailable (%s)",
                event_id,
                type(exc).__name__,
            )
            return True
