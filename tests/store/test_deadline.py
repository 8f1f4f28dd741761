"""`Deadline`: a database call that does not return in time is given up on, not waited for."""

from __future__ import annotations

import threading

import pytest

from bot.store.deadline import Deadline, StoreTimeout


def test_a_call_that_returns_or_raises_in_time_is_passed_through() -> None:
    deadline = Deadline(seconds=30)
    assert deadline.call(lambda: 42) == 42
    with pytest.raises(KeyError):
        deadline.call(lambda: {}["missing"])


def test_a_call_that_hangs_raises_store_timeout_while_it_still_hangs() -> None:
    release = threading.Event()
    finished = threading.Event()

    def hangs() -> None:
        release.wait()
        finished.set()

    deadline = Deadline(seconds=0.2, max_waiting=2)
    with pytest.raises(StoreTimeout, match=r"no answer from the database within 0\.2 s"):
        deadline.call(hangs)
    assert not finished.is_set()
    release.set()
    assert finished.wait(30), "the call itself goes on and finishes later"


def test_while_max_waiting_calls_hang_the_next_fails_at_once_and_a_freed_slot_is_used_again() -> None:
    release = threading.Event()
    deadline = Deadline(seconds=0.05, max_waiting=2)
    for _ in range(2):
        with pytest.raises(StoreTimeout):
            deadline.call(release.wait)
    ran = []
    with pytest.raises(StoreTimeout, match="2 database calls are still waiting"):
        deadline.call(lambda: ran.append(1))
    assert ran == [], "not even started"
    release.set()
    for _ in range(100):  # the hung calls return and give back their slots
        try:
            assert deadline.call(lambda: "ok") == "ok"
            break
        except StoreTimeout:
            threading.Event().wait(0.05)
    else:
        raise AssertionError("no slot came free")
