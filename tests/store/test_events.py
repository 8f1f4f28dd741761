"""What the bot writes: exactly-once event ids, masked questions, clicks, purge; on both backends."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.store import QuestionRecord, Retention, Store, open_store
from bot.store.db import current_revision, default_path, normalize_url, postgres_connect_args
from bot.store.schema import actions, processed_events, question_codes, question_topics, questions

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def count(store: Store, table: object) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def question(text: str | None = None, **kw: object) -> QuestionRecord:
    fields: dict[str, object] = {
        "team_id": "T1",
        "channel_type": "channel",
        "answered": True,
        "language": "nl",
        "confidence": 90,
        "text": text,
    }
    return QuestionRecord(**(fields | kw))  # type: ignore[arg-type]


def stored_texts(store: Store) -> list[str | None]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(questions.c.text).order_by(questions.c.id)).scalars())


# ---------------------------------------------------------------- dedupe


def test_an_event_id_is_a_first_delivery_once_per_workspace(store: Store) -> None:
    assert store.first_delivery("Ev1", "T1") is True
    assert store.first_delivery("Ev1", "T1") is False
    assert store.first_delivery("Ev1", "T1") is False
    assert store.first_delivery("Ev1", "T2") is True  # keys are per workspace
    assert store.first_delivery("Ev2") is True  # team id is optional (the Dedupe protocol's call)
    assert store.first_delivery("Ev2") is False


def test_200_distinct_ids_from_many_threads_are_each_recorded_once(store: Store) -> None:
    ids = [f"Ev{i:03d}" for i in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        first = list(pool.map(lambda e: store.first_delivery(e, "T1"), ids))
    assert first == [True] * 200
    assert count(store, processed_events) == 200
    with ThreadPoolExecutor(max_workers=8) as pool:
        again = list(pool.map(lambda e: store.first_delivery(e, "T1"), ids))
    assert again == [False] * 200
    assert count(store, processed_events) == 200


def test_threads_racing_on_one_event_id_get_exactly_one_true(store: Store) -> None:
    racers = 6
    for n in range(20):
        barrier = threading.Barrier(racers)

        def race(_: int, event_id: str = f"Race{n}", barrier: threading.Barrier = barrier) -> bool:
            barrier.wait()
            return store.first_delivery(event_id, "T1")

        with ThreadPoolExecutor(max_workers=racers) as pool:
            results = list(pool.map(race, range(racers)))
        assert results.count(True) == 1, (n, results)


RACER = """
import sys
from bot.store import open_store
store = open_store(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
print(sum(store.first_delivery(f"Ev{i}", "T1") for i in range(100)), flush=True)
"""


def run_together(script: str, db_url: str, n: int) -> list[str]:
    """Start `n` Python processes, let each print "ready", then release them all at once."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, db_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(n)
    ]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        outputs = [p.communicate(timeout=120)[0].strip() for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in procs] == [0] * n
    return outputs


def test_two_processes_racing_on_the_same_ids_answer_each_once(store: Store, db_url: str) -> None:
    """Two bot instances behind a load balancer, both handed the same 100 deliveries."""
    firsts = [int(out) for out in run_together(RACER, db_url, 2)]
    assert sum(firsts) == 100


def test_old_event_ids_expire_and_recent_ones_stay(store: Store) -> None:
    assert store.first_delivery("Old", "T1", now=NOW - timedelta(days=8))
    assert store.first_delivery("New", "T1", now=NOW - timedelta(hours=1))
    assert store.expire_event_ids(timedelta(days=7), now=NOW) == 1
    assert store.first_delivery("Old", "T1", now=NOW) is True  # forgotten
    assert store.first_delivery("New", "T1", now=NOW) is False  # still remembered


# ---------------------------------------------------------------- questions


def test_personal_data_in_a_question_is_masked_before_it_is_stored(store: Store) -> None:
    text = (
        "BSN 111222333 geboren 12-03-1985, mail j.jansen@example.nl of bel 06-12345678; "
        "declaratienummer 123456789"
    )
    store.record_question(question(text, answered=False))
    [stored] = stored_texts(store)
    assert stored is not None
    for personal in ("111222333", "12-03-1985", "j.jansen@example.nl", "06-12345678"):
        assert personal not in stored
    assert stored == (
        "BSN [BSN] geboren [datum], mail [e-mail] of bel [telefoon]; declaratienummer 123456789"
    )  # 123456789 fails the elfproef: not a BSN, left alone


def test_a_bsn_spread_over_wide_whitespace_is_masked_too(store: Store) -> None:
    """Stored with its whitespace collapsed, "111    222    333" would read as a BSN; it is
    masked whatever the whitespace between its groups."""
    store.record_question(question("BSN 111    222    333 of 123\n\n\n\n456\t\t\t\t782?", answered=False))
    assert stored_texts(store) == ["BSN [BSN] of [BSN]?"]


def test_slack_markup_is_stripped_and_long_text_cut(store: Store) -> None:
    store.record_question(question("<@U0BOT>  wat is   *8290*?"))
    store.record_question(question("x" * 40_000))
    short, long = stored_texts(store)
    assert short == "wat is 8290?"
    assert long is not None and len(long) == 1000


def test_with_store_questions_off_no_text_is_kept_but_the_figures_are(db_url: str) -> None:
    s = open_store(db_url, store_questions=False)
    try:
        s.record_question(question("wat is retourcode 9999", answered=False, codes=["9999"]))
        assert stored_texts(s) == [None]
        with s.engine.connect() as conn:
            row = conn.execute(select(questions)).one()
            assert conn.execute(select(question_codes.c.code)).scalars().all() == ["9999"]
        assert (row.answered, row.text_key, row.channel_type) == (False, None, "channel")
    finally:
        s.close()


def test_a_question_is_stored_with_its_fields_topics_and_codes(store: Store) -> None:
    at = datetime(2026, 11, 3, 9, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    qid = store.record_question(
        question(
            "Wat is 8290 en 490?",
            channel_type="dm",
            language="en",
            confidence=77,
            codes=["8290", "490", "8290"],
            topics=["retourcode-8290", "berichtcode-490"],
            latency_ms=42,
            ref="Ev123",
            at=at,
        )
    )
    with store.engine.connect() as conn:
        row = conn.execute(select(questions).where(questions.c.id == qid)).one()
        topics = conn.execute(
            select(question_topics.c.topic_id).order_by(question_topics.c.position)
        ).scalars()
        codes = set(conn.execute(select(question_codes.c.code)).scalars())
    assert row.created_at == at and row.created_at.tzinfo is not None
    assert (row.team_id, row.channel_type, row.language, row.confidence, row.latency_ms, row.ref) == (
        "T1",
        "dm",
        "en",
        77,
        42,
        "Ev123",
    )
    assert list(topics) == ["retourcode-8290", "berichtcode-490"]
    assert codes == {"8290", "490"}


def test_an_unknown_channel_type_or_a_naive_time_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="channel_type"):
        store.record_question(question(channel_type="email"))
    with pytest.raises(Exception, match="naive datetime"):
        store.record_question(question(at=datetime(2026, 11, 3, 9, 30)))
    assert count(store, questions) == 0


def test_clicks_are_stored_with_their_kind_and_question(store: Store) -> None:
    store.record_feedback("T1", True, question_ref="Ev1", topic_id="retourcode-8290", at=NOW)
    store.record_feedback("T1", False, question_ref="Ev2", at=NOW)
    store.record_suggestion_click("T1", "berichtcode-490", question_ref="Ev3", at=NOW)
    store.record_handoff("T2", question_ref="Ev4", at=NOW)
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(actions.c.team_id, actions.c.kind, actions.c.question_ref, actions.c.topic_id).order_by(
                actions.c.id
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("T1", "helpful", "Ev1", "retourcode-8290"),
        ("T1", "not_helpful", "Ev2", None),
        ("T1", "suggestion", "Ev3", "berichtcode-490"),
        ("T2", "handoff", "Ev4", None),
    ]


# ---------------------------------------------------------------- retention


def seed_old_and_new(store: Store, now: datetime) -> None:
    for age in (timedelta(days=91), timedelta(days=89)):
        store.record_question(question("vraag", codes=["8290"], topics=["retourcode-8290"], at=now - age))
        store.record_handoff("T1", at=now - age)


def test_purge_deletes_rows_older_than_the_retention_with_their_topics_and_codes(store: Store) -> None:
    seed_old_and_new(store, NOW)
    assert store.purge(90, now=NOW) == 2  # one question, one action
    assert count(store, questions) == 1
    assert count(store, actions) == 1
    assert count(store, question_topics) == 1
    assert count(store, question_codes) == 1
    assert store.purge(90, now=NOW) == 0


def test_retention_purges_on_its_own_in_the_background_until_stopped(store: Store) -> None:
    seed_old_and_new(store, datetime.now(UTC))
    store.first_delivery("Old", "T1", now=datetime.now(UTC) - timedelta(days=8))
    retention = Retention(store, 90, every=timedelta(milliseconds=20)).start()
    try:
        assert retention.wait_for_runs(3, timeout=60)  # ran at start, then kept running
    finally:
        retention.stop()
    assert count(store, questions) == 1
    assert count(store, actions) == 1
    assert count(store, processed_events) == 0
    runs = retention.runs
    store.record_question(question("vraag", at=datetime.now(UTC) - timedelta(days=100)))
    assert not retention.wait_for_runs(runs + 1, timeout=0.2)  # stopped: no more runs
    assert count(store, questions) == 2


def test_the_longest_retention_allowed_purges_and_event_ids_still_expire(store: Store) -> None:
    store.first_delivery("Old", "T1", now=datetime.now(UTC) - timedelta(days=8))
    store.record_question(question("vraag", at=datetime.now(UTC) - timedelta(days=400)))
    result = Retention(store, 36_500).run_once()
    assert (result.rows, result.event_ids) == (0, 1)  # a year-old question is within 100 years
    assert count(store, questions) == 1 and count(store, processed_events) == 0


def test_event_ids_expire_even_when_the_purge_fails(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store.first_delivery("Old", "T1", now=datetime.now(UTC) - timedelta(days=8))

    def broken(days: int, now: datetime | None = None) -> int:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(store, "purge", broken)
    retention = Retention(store, 90, every=timedelta(milliseconds=20)).start()
    try:
        assert retention.wait_for_runs(2, timeout=60)
    finally:
        retention.stop()
    assert count(store, processed_events) == 0, "the event ids expired all the same"
    assert "retention: purge of questions and clicks failed" in caplog.text


@pytest.mark.parametrize("days", [0, 36_501])
def test_retention_outside_1_to_36500_days_is_refused(store: Store, days: int) -> None:
    with pytest.raises(ValueError, match="from 1 to 36500"):
        Retention(store, days)
    with pytest.raises(ValueError, match="from 1 to 36500"):
        store.purge(days)


# ---------------------------------------------------------------- opening


def test_the_default_database_is_a_wal_sqlite_file_in_the_state_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_path() == tmp_path / "state" / "declaratiebot" / "declaratiebot.db"
    s = open_store(None)
    try:
        assert s.first_delivery("Ev1")
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        s.close()
    assert default_path().is_file()
    reopened = open_store(None)  # data kept across restarts
    try:
        assert reopened.first_delivery("Ev1") is False
    finally:
        reopened.close()


STARTER = """
import sys
from bot.store import open_store
from bot.store.db import current_revision
print("ready", flush=True)
sys.stdin.readline()
print(current_revision(open_store(sys.argv[1]).engine), flush=True)
"""


def test_instances_starting_together_on_an_empty_database_all_open_it(db_url: str) -> None:
    """Three processes migrate one empty database at once: the schema lock makes them queue."""
    outputs = run_together(STARTER, db_url, 3)
    assert outputs == ["0002"] * 3


def test_threads_opening_one_database_at_once_all_open_it(db_url: str) -> None:
    barrier = threading.Barrier(4)

    def start(_: int) -> str | None:
        barrier.wait()
        s = open_store(db_url)
        try:
            return current_revision(s.engine)
        finally:
            s.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(start, range(4))) == ["0002"] * 4


def test_postgres_urls_get_the_psycopg_driver() -> None:
    assert normalize_url("postgres://u:p@db/x") == "postgresql+psycopg://u:p@db/x"
    assert normalize_url("postgresql://db/x") == "postgresql+psycopg://db/x"
    assert normalize_url("postgresql+psycopg://db/x") == "postgresql+psycopg://db/x"
    assert normalize_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_every_connection_fails_fast_and_notices_a_peer_gone_silent(store: Store) -> None:
    """SQLite: a locked file is waited for 2 s. PostgreSQL: connect_timeout, TCP keepalives,
    tcp_user_timeout and a statement timeout, with the URL's own options (the test schema's
    search_path) kept."""
    raw = store.engine.raw_connection()
    try:
        if store.dialect == "sqlite":
            cursor = raw.cursor()
            assert cursor.execute("PRAGMA busy_timeout").fetchone() == (2000,)
            return
        dsn = raw.driver_connection.info.dsn  # type: ignore[union-attr]
        for setting in ("connect_timeout=2", "keepalives=1", "keepalives_count=3", "tcp_user_timeout=10000"):
            assert setting in dsn
        cursor = raw.cursor()
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("30s",)
        cursor.execute("SHOW search_path")
        assert str(cursor.fetchone()[0]).startswith("t_")  # type: ignore[index]
    finally:
        raw.close()


def test_a_setting_in_the_url_wins_over_the_connection_defaults() -> None:
    args = postgres_connect_args({"keepalives_idle": "7", "options": "-csearch_path=x"})
    assert "keepalives_idle" not in args and args["tcp_user_timeout"] == 10_000
    assert args["options"] == "-csearch_path=x -c statement_timeout=30000"
    assert "options" not in postgres_connect_args({"options": "-c statement_timeout=0"})
