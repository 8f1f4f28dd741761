"""Each Slack event is answered once, however often Slack delivers it.

Slack redelivers an event (same `event_id`, header `X-Slack-Retry-Num`) when it did not
see our acknowledgement in time, and a person can press the same button twice. Both go
through `first_delivery(key)`: True the first time a key is seen, False after that.

`MemoryDedupe` keeps keys in this process for `ttl` seconds (Slack retries within minutes).
It forgets on restart and is per process; a database-backed implementation with an atomic
insert-or-skip can replace it through the same one-method interface.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol


class Dedupe(Protocol):
    def first_delivery(self, event_id: str) -> bool: ...


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

    def first_delivery(self, event_id: str) -> bool:
        now = self._clock()
        with self._lock:
            self._forget_expired(now)
            if event_id in self._expires:
                return False
            if len(self._expires) >= self.max_keys:
                del self._expires[next(iter(self._expires))]
            self._expires[event_id] = now + self.ttl
            return True

    def __len__(self) -> int:
        return len(self._expires)

    def _forget_expired(self, now: float) -> None:
        while self._expires:
            oldest = next(iter(self._expires))
            if self._expires[oldest] > now:
                return
            del self._expires[oldest]
