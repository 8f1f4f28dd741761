"""A hard client-side deadline for a database call: the Slack request path never waits longer.

The driver's own timeouts do not cover every outage: a pooled PostgreSQL connection whose
peer goes silent (a network partition, a frozen proxy; no reset) leaves a query waiting
until TCP gives up, and a Slack event must be acknowledged within 3 seconds. `Deadline`
runs the call in a daemon thread and waits at most `seconds` for it; when the time is up it
raises `StoreTimeout`, and the caller does what it does on any other database error (dedupe
falls back to this process's memory, a recording is logged and dropped). The call itself
goes on in its thread and may still finish later (a recording that was late, not lost).

At most `max_waiting` calls wait on the database at once: while that many are stuck, the
next one fails at once instead of starting yet another thread on a dead connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from bot.store.db import WAIT_SECONDS

T = TypeVar("T")

MAX_WAITING = 16


class StoreTimeout(Exception):
    """The database did not answer within the deadline (or too many calls are waiting)."""


class _Outcome(Generic[T]):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None


class Deadline:
    def __init__(self, seconds: float = WAIT_SECONDS, max_waiting: int = MAX_WAITING, name: str = "store"):
        self.seconds = seconds  # dedupe runs before Slack's 3-second acknowledgement
        self.max_waiting = max_waiting
        self.name = name
        self._slots = threading.BoundedSemaphore(max_waiting)

    def call(self, fn: Callable[[], T]) -> T:
        """`fn()`, or StoreTimeout when it has not returned after `seconds`."""
        if not self._slots.acquire(blocking=False):
            raise StoreTimeout(f"{self.max_waiting} database calls are still waiting; not starting another")
        outcome: _Outcome[T] = _Outcome()

        def run() -> None:
            try:
                outcome.value = fn()
            except BaseException as exc:  # handed to the caller
                outcome.error = exc
            finally:
                self._slots.release()
                outcome.done.set()

        threading.Thread(target=run, name=f"{self.name}-call", daemon=True).start()
        if not outcome.done.wait(self.seconds):
            raise StoreTimeout(
                f"no answer from the database within {self.seconds:g} s "
                "(the call goes on, and may still finish)"
            )
        if outcome.error is not None:
            raise outcome.error
        return outcome.value  # type: ignore[return-value]
