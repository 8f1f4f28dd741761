"""The deflection report: figures from a seeded database, exactly; text, JSON, CSV, PNG, CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.cli import main
from bot.store import QuestionRecord, Store, open_store
from bot.store.db import current_revision, loggable_url, make_engine, migrate, normalize_url
from bot.store.report import (
    Day,
    build_report,
    format_csv,
    format_json,
    format_text,
    parse_since,
    plot_daily,
    summary,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # 13:00 in Amsterdam
SINCE = NOW - timedelta(days=7)


def ask(store: Store, team: str, answered: bool, at: datetime, **kw: object) -> None:
    fields: dict[str, object] = {
        "channel_type": "channel",
        "language": "nl",
        "confidence": 90 if answered else 10,
    }
    store.record_question(QuestionRecord(team_id=team, answered=answered, at=at, **(fields | kw)))  # type: ignore[arg-type]


def seed(store: Store, now: datetime = NOW) -> None:
    day = timedelta(days=1)
    # workspace T1, in the period
    ask(store, "T1", True, now - 6 * day, ref="r1", topics=["retourcode-8290"], codes=["8290"])
    store.record_feedback("T1", True, question_ref="r1", at=now - 6 * day)  # helpful: deflected
    ask(store, "T1", True, now - 5 * day, ref="r2", topics=["retourcode-8290"], codes=["8290"])
    store.record_feedback("T1", False, question_ref="r2", at=now - 5 * day)  # not helpful: not deflected
    ask(store, "T1", True, now - 4 * day, ref="r3", topics=["status-aangeboden"])
    store.record_handoff("T1", question_ref="r3", at=now - 4 * day)  # handed off: not deflected
    ask(
        store, "T1", True, now - 3 * day, topics=["berichtcode-490", "retourcode-8290"], codes=["490", "8290"]
    )
    ask(store, "T1", False, now - 2 * day, ref="r5", text="Wat is retourcode 9999?", codes=["9999"])
    store.record_handoff("T1", question_ref="r5", at=now - 2 * day)
    ask(store, "T1", False, now - day, ref="r6", text="wat is  retourcode 9999", codes=["9999"])
    ask(store, "T1", False, now - day, ref="r7", text="Hoe vraag ik een AGB-code aan? BSN 111222333")
    store.record_suggestion_click("T1", "agb-code", question_ref="r7", at=now - day)
    ask(store, "T1", False, now - timedelta(hours=12, minutes=30), channel_type="dm")  # no text kept
    # workspace T1, before the period
    ask(store, "T1", True, now - 8 * day, ref="old", topics=["retourcode-8290"])
    store.record_feedback("T1", True, question_ref="old", at=now - 8 * day)
    ask(store, "T1", False, now - 8 * day, text="wat is retourcode 9999")
    # workspace T2: its hand-off of ref r1 must not touch T1's question r1
    ask(store, "T2", True, now - 2 * day, ref="r10", topics=["wlz-zorgkantoor"], codes=["Z916"])
    store.record_handoff("T2", question_ref="r1", at=now - 2 * day)


def test_summary_for_one_workspace_is_exact(store: Store) -> None:
    seed(store)
    s = summary(store, "T1", SINCE, NOW)
    assert (s.questions, s.answered, s.deflected) == (8, 4, 2)
    assert (s.helpful, s.not_helpful, s.handoffs, s.suggestion_clicks) == (1, 1, 2, 1)
    assert s.answered_share == 0.5
    assert s.deflection_rate == 0.25


def test_summary_over_all_workspaces_is_exact(store: Store) -> None:
    seed(store)
    s = summary(store, None, SINCE, NOW)
    assert (s.questions, s.answered, s.deflected, s.handoffs) == (9, 5, 3, 3)


def test_an_empty_period_has_no_shares(store: Store) -> None:
    s = summary(store, "T1", SINCE, NOW)
    assert (s.questions, s.answered_share, s.deflection_rate) == (0, None, None)


def test_report_top_lists_and_days_are_exact(store: Store) -> None:
    seed(store)
    r = build_report(store, SINCE, team_id="T1", until=NOW)
    assert r.top_topics == [("retourcode-8290", 3), ("berichtcode-490", 1), ("status-aangeboden", 1)]
    assert r.top_codes == [("8290", 3), ("9999", 2), ("490", 1)]
    # the same question typed twice counts twice, shown in its latest wording; personal data masked
    assert r.top_unanswered == [
        ("wat is retourcode 9999", 2),
        ("Hoe vraag ik een AGB-code aan? BSN [BSN]", 1),
    ]
    assert r.daily == [
        Day(date(2026, 11, 13), 0, 0),  # 13:00 onwards
        Day(date(2026, 11, 14), 1, 1),
        Day(date(2026, 11, 15), 1, 1),
        Day(date(2026, 11, 16), 1, 1),
        Day(date(2026, 11, 17), 1, 1),
        Day(date(2026, 11, 18), 1, 0),
        Day(date(2026, 11, 19), 2, 0),
        Day(date(2026, 11, 20), 1, 0),  # 23:30 UTC on the 19th is 00:30 on the 20th in Amsterdam
    ]
    assert build_report(store, SINCE, team_id="T1", until=NOW, top=1).top_codes == [("8290", 3)]


def test_text_json_and_csv_carry_the_same_figures(store: Store) -> None:
    seed(store)
    r = build_report(store, SINCE, team_id="T1", until=NOW)
    text = format_text(r)
    assert "workspace T1" in text
    assert "questions asked          8" in text
    assert "answered                 4  50.0%" in text
    assert "deflected                2  25.0%" in text
    assert "       2  wat is retourcode 9999" in text
    data = json.loads(format_json(r))
    assert data["summary"]["questions"] == 8 and data["summary"]["deflection_rate"] == 0.25
    assert data["top_unanswered"][0] == {"question": "wat is retourcode 9999", "count": 2}
    assert data["daily"][-1] == {"day": "2026-11-20", "questions": 1, "answered": 0}
    rows = list(csv.reader(io.StringIO(format_csv(r))))
    assert rows[0] == ["section", "item", "value"]
    assert ["summary", "deflected", "2"] in rows
    assert ["summary", "answered_share", "0.5"] in rows
    assert ["unanswered", "wat is retourcode 9999", "2"] in rows
    assert ["code", "8290", "3"] in rows
    assert ["daily_questions", "2026-11-19", "2"] in rows


def test_the_daily_chart_is_a_png(store: Store, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    seed(store)
    out = tmp_path / "daily.png"
    plot_daily(build_report(store, SINCE, team_id="T1", until=NOW), out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 5_000


def test_since_takes_periods_and_dates() -> None:
    assert parse_since("7d", NOW) == NOW - timedelta(days=7)
    assert parse_since("24h", NOW) == NOW - timedelta(hours=24)
    assert parse_since("2w", NOW) == NOW - timedelta(days=14)
    assert parse_since("2026-11-01", NOW) == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # midnight, Amsterdam
    with pytest.raises(ValueError, match="7d"):
        parse_since("last week", NOW)


def test_the_report_command_reads_database_url(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    s = open_store(db_url)
    seed(s, now=datetime.now(UTC))
    s.close()
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["report", "--since", "7d", "--team", "T1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["summary"]["questions"], data["summary"]["deflected"]) == (8, 2)
    assert main(["report", "--since", "10d", "--format", "csv"]) == 0
    assert ["summary", "questions", "11"] in list(csv.reader(io.StringIO(capsys.readouterr().out)))
    pytest.importorskip("matplotlib")
    assert main(["report", "--plot", str(tmp_path / "c.png")]) == 0
    assert "questions asked" in capsys.readouterr().out
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_the_report_command_refuses_a_bad_period(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--since", "yesterday"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "expected a period such as 7d" in err and "'yesterday'" in err


def with_password(url: str) -> str:
    """`url` with a password in its address (PostgreSQL's trust auth ignores it)."""
    return re.sub(r"://([^@/:]+)@", r"://\1:s3cret-pw@", url, count=1)


def test_the_report_says_which_database_it_read_without_its_password(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s = open_store(db_url)
    seed(s, now=datetime.now(UTC))
    s.close()
    url = with_password(db_url)
    shown = loggable_url(normalize_url(url))
    monkeypatch.setenv("DATABASE_URL", url)

    assert main(["report", "--team", "T1"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[1] == f"database {shown}"
    assert main(["report", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["database"] == shown
    assert main(["report", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1] == ["report", "database", shown]
    if db_url.startswith("postgresql"):
        assert ":***@" in shown
    assert "s3cret-pw" not in text + shown


def test_the_report_never_creates_a_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "elsewhere" / "declaratiebot.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    assert main(["report"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "DATABASE_URL" in err and f"there is no file {missing}" in err and "Traceback" not in err
    assert not missing.parent.exists()

    # unset: the default file in the state directory, which is not there either
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert main(["report"]) == 2
    err = capsys.readouterr().err
    default = tmp_path / "state" / "declaratiebot" / "declaratiebot.db"
    assert "DATABASE_URL is not set" in err and str(default) in err
    assert not (tmp_path / "state").exists()


def test_the_report_refuses_a_database_the_bot_never_wrote(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong DATABASE_URL pointing at some other (here: empty) database: said so, not
    read as all zeros, and no tables created in it."""
    if db_url.startswith("sqlite"):
        sqlite3.connect(db_url.removeprefix("sqlite:///")).close()  # an empty SQLite file
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["report"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "DATABASE_URL" in err and "no declaratiebot tables" in err
    engine = make_engine(db_url, create=False)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_a_negative_top_is_refused_with_a_message(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s = open_store(db_url)
    try:
        seed(s)
        with pytest.raises(ValueError, match=r"--top must be a whole number from 0 to 100000, got -1"):
            build_report(s, SINCE, until=NOW, top=-1)
        assert build_report(s, SINCE, until=NOW, top=0).top_codes == []
    finally:
        s.close()
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["report", "--top", "-1"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--top must be a whole number from 0 to 100000, got -1" in err


def test_the_report_upgrades_an_older_schema_of_the_bot_as_a_start_would(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0001")
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["report", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["questions"] == 0
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == "0002"
    finally:
        engine.dispose()
