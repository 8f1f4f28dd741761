"""MemoryDedupe: once per key, forgets after the TTL, bounded, thread-safe."""

from __future__ import annotations

import threading

from bot.slack.dedupe import MemoryDedupe


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_first_delivery_only_once() -> None:
    seen = MemoryDedupe()
    assert seen.first_delivery("Ev1") is True
    assert seen.first_delivery("Ev1") is False
    assert seen.first_delivery("Ev2") is True


def test_a_key_is_forgotten_after_the_ttl() -> None:
    clock = Clock()
    seen = MemoryDedupe(ttl=60, clock=clock)
    seen.first_delivery("Ev1")
    clock.now += 59
    assert seen.first_delivery("Ev1") is False
    clock.now += 2
    assert seen.first_delivery("Ev1") is True


def test_expired_keys_are_dropped_so_memory_stays_bounded() -> None:
    clock = Clock()
    seen = MemoryDedupe(ttl=10, clock=clock)
    for i in range(1000):
        seen.first_delivery(f"Ev{i}")
        clock.now += 1
    assert len(seen) <= 11


def test_at_most_max_keys_are_kept() -> None:
    seen = MemoryDedupe(max_keys=3)
    for key in ("a", "b", "c", "d"):
        seen.first_delivery(key)
    assert len(seen) == 3
    assert seen.first_delivery("d") is False
    assert seen.first_delivery("a") is True  # the oldest went first


def test_concurrent_deliveries_of_one_event_let_exactly_one_through() -> None:
    seen = MemoryDedupe()
    barrier = threading.Barrier(16)
    results: list[bool] = []
    lock = threading.Lock()

    def deliver() -> None:
        barrier.wait()
        first = seen.first_delivery("EvSAME")
        with lock:
            results.append(first)

    threads = [threading.Thread(target=deliver) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 15 + [True]
