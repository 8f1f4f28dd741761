"""The deflection report: what the bot takes off the support queue, and what it cannot answer yet.

`summary(store, team_id, since)` gives the headline figures (the App Home tab shows them for
the last 7 days); `build_report(...)` adds the top topics, codes and unanswered questions
and a per-day series; `format_text/json/csv` print it and `plot_daily` draws the per-day
chart as a PNG (matplotlib, imported only then). `cli_report` is `declaratiebot report`.

Definitions (also in docs/storage.md):
- questions: question events recorded in the period (created_at in [since, until));
- answered: of those, the ones the bot answered;
- deflected: answered, and no hand-off and no "not helpful" click tied to the question (by ref);
- helpful / not helpful / hand-offs / suggestion clicks: actions recorded in the period;
- days are calendar days in Europe/Amsterdam.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, and_, case, desc, exists, func, select

from bot.store.events import Store
from bot.store.schema import actions, question_codes, question_topics, questions

AMS = ZoneInfo("Europe/Amsterdam")
FORMATS = ("text", "json", "csv")
BLOCKING = ("handoff", "not_helpful")  # an answered question with one of these was not deflected


@dataclass(frozen=True)
class Summary:
    team_id: str | None  # None: all workspaces
    since: datetime
    until: datetime
    questions: int
    answered: int
    deflected: int
    helpful: int
    not_helpful: int
    handoffs: int
    suggestion_clicks: int
    reply_failures: int = 0  # replies Slack's Web API did not take, even after retries

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.questions if self.questions else None

    @property
    def deflection_rate(self) -> float | None:
        return self.deflected / self.questions if self.questions else None


@dataclass(frozen=True)
class Day:
    day: date
    questions: int
    answered: int


@dataclass(frozen=True)
class Report:
    summary: Summary
    top_topics: list[tuple[str, int]]
    top_codes: list[tuple[str, int]]
    top_unanswered: list[tuple[str, int]]  # masked question text, how often asked
    daily: list[Day]
    database: str = ""  # the database it was read from: its URL, password hidden


MAX_TOP = 100_000  # rows in a top list at most


def check_top(top: object) -> int:
    """`top` (the length of each top list, --top) if it is a whole number from 0 to MAX_TOP;
    else a ValueError saying so (a negative LIMIT is an error on PostgreSQL)."""
    if isinstance(top, bool) or not isinstance(top, int) or not 0 <= top <= MAX_TOP:
        raise ValueError(f"--top must be a whole number from 0 to {MAX_TOP}, got {top!r}")
    return top


def _window(table: Table, team_id: str | None, since: datetime, until: datetime) -> ColumnElement[bool]:
    condition = and_(table.c.created_at >= since, table.c.created_at < until)
    return condition if team_id is None else and_(condition, table.c.team_id == team_id)


def summary(store: Store, team_id: str | None, since: datetime, until: datetime | None = None) -> Summary:
    """The headline figures for one workspace (or all, with None) from `since` until now."""
    until = until or datetime.now(UTC)
    q = questions
    blocked = exists().where(
        actions.c.team_id == q.c.team_id, actions.c.question_ref == q.c.ref, actions.c.kind.in_(BLOCKING)
    )
    counts = select(
        func.count(),
        func.coalesce(func.sum(case((q.c.answered, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(q.c.answered, ~blocked), 1), else_=0)), 0),
    ).where(_window(q, team_id, since, until))
    by_kind = (
        select(actions.c.kind, func.count())
        .where(_window(actions, team_id, since, until))
        .group_by(actions.c.kind)
    )
    with store.engine.connect() as conn:
        asked, answered, deflected = conn.execute(counts).one()
        kinds: dict[str, int] = {kind: int(n) for kind, n in conn.execute(by_kind)}
    return Summary(
        team_id=team_id,
        since=since,
        until=until,
        questions=int(asked),
        answered=int(answered),
        deflected=int(deflected),
        helpful=kinds.get("helpful", 0),
        not_helpful=kinds.get("not_helpful", 0),
        handoffs=kinds.get("handoff", 0),
        suggestion_clicks=kinds.get("suggestion", 0),
        reply_failures=kinds.get("reply_failed", 0),
    )


def build_report(
    store: Store, since: datetime, team_id: str | None = None, until: datetime | None = None, top: int = 10
) -> Report:
    top = check_top(top)
    until = until or datetime.now(UTC)
    head = summary(store, team_id, since, until)
    window = _window(questions, team_id, since, until)
    count = func.count().label("n")

    def ranked(column: Any, child: Table) -> Any:
        return (
            select(column, count)
            .select_from(child.join(questions, child.c.question_id == questions.c.id))
            .where(window)
            .group_by(column)
            .order_by(desc("n"), column)
            .limit(top)
        )

    # the same question typed differently (case, accents, punctuation) shares a text_key;
    # each group is shown in its latest wording
    latest = func.max(questions.c.id).label("latest")
    unanswered = (
        select(latest, count)
        .where(window, ~questions.c.answered, questions.c.text_key.is_not(None))
        .group_by(questions.c.text_key)
        .order_by(desc("n"), desc("latest"))
        .limit(top)
    )
    per_question = select(questions.c.created_at, questions.c.answered).where(window)
    with store.engine.connect() as conn:
        topic_rows = conn.execute(ranked(question_topics.c.topic_id, question_topics))
        topics = [(str(t), int(n)) for t, n in topic_rows]
        codes = [(str(c), int(n)) for c, n in conn.execute(ranked(question_codes.c.code, question_codes))]
        groups = [(int(i), int(n)) for i, n in conn.execute(unanswered)]
        wording = select(questions.c.id, questions.c.text).where(questions.c.id.in_([i for i, _ in groups]))
        text_of = {int(i): t for i, t in conn.execute(wording)} if groups else {}
        texts = [(str(text_of[i]), n) for i, n in groups]
        rows = conn.execute(per_question).all()
    return Report(head, topics, codes, texts, _daily(rows, since, until), database=store.location)


def _daily(rows: Any, since: datetime, until: datetime) -> list[Day]:
    first = since.astimezone(AMS).date()
    last = (until - timedelta(microseconds=1)).astimezone(AMS).date()
    asked: dict[date, int] = {}
    answered: dict[date, int] = {}
    for created_at, was_answered in rows:
        day = created_at.astimezone(AMS).date()
        asked[day] = asked.get(day, 0) + 1
        answered[day] = answered.get(day, 0) + int(bool(was_answered))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [Day(d, asked.get(d, 0), answered.get(d, 0)) for d in days]


# ---------------------------------------------------------------- --since


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`7d`, `24h`, `2w` before now, or a date `2026-11-01` (midnight in Amsterdam)."""
    now = now or datetime.now(UTC)
    text = text.strip()
    match = re.fullmatch(r"(\d{1,5})\s*([hdw])", text.lower())
    if match:
        n, unit = int(match.group(1)), match.group(2)
        return now - {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
    try:
        day = date.fromisoformat(text)
    except ValueError:
        message = f"expected a period such as 7d, 24h, 2w or a date such as 2026-11-01, got {text!r}"
        raise ValueError(message) from None
    return datetime.combine(day, time(0), AMS).astimezone(UTC)


# ---------------------------------------------------------------- output


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def to_dict(report: Report) -> dict[str, Any]:
    s = report.summary
    head = asdict(s) | {
        "since": s.since.isoformat(),
        "until": s.until.isoformat(),
        "answered_share": s.answered_share,
        "deflection_rate": s.deflection_rate,
    }
    return {
        "database": report.database,
        "summary": head,
        "top_topics": [{"topic": t, "count": n} for t, n in report.top_topics],
        "top_codes": [{"code": c, "count": n} for c, n in report.top_codes],
        "top_unanswered": [{"question": q, "count": n} for q, n in report.top_unanswered],
        "daily": [
            {"day": d.day.isoformat(), "questions": d.questions, "answered": d.answered} for d in report.daily
        ],
    }


def format_json(report: Report) -> str:
    return json.dumps(to_dict(report), ensure_ascii=False, indent=2)


def format_csv(report: Report) -> str:
    """One `section,item,value` row per figure: easy to filter or pivot in a spreadsheet."""
    data = to_dict(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "item", "value"])
    writer.writerow(["report", "database", data["database"]])
    for key, value in data["summary"].items():
        writer.writerow(["summary", key, "" if value is None else value])
    for section, rows, key in (
        ("topic", data["top_topics"], "topic"),
        ("code", data["top_codes"], "code"),
        ("unanswered", data["top_unanswered"], "question"),
    ):
        for row in rows:
            writer.writerow([section, row[key], row["count"]])
    for day in data["daily"]:
        writer.writerow(["daily_questions", day["day"], day["questions"]])
        writer.writerow(["daily_answered", day["day"], day["answered"]])
    return out.getvalue()


def format_text(report: Report) -> str:
    s = report.summary
    stamp = "%Y-%m-%d %H:%M"
    period = f"{s.since.astimezone(AMS):{stamp}} - {s.until.astimezone(AMS):{stamp}} (Amsterdam)"
    lines = [
        f"declaratiebot report, {period}, {'workspace ' + s.team_id if s.team_id else 'all workspaces'}",
        f"database {report.database}",
        "",
        f"  questions asked     {s.questions:>6}",
        f"  answered            {s.answered:>6}  {_share(s.answered_share)}",
        f"  deflected           {s.deflected:>6}  {_share(s.deflection_rate)}"
        "  (answered, not handed off, not marked not helpful)",
        f"  helpful             {s.helpful:>6}",
        f"  not helpful         {s.not_helpful:>6}",
        f"  hand-offs           {s.handoffs:>6}",
        f"  suggestion clicks   {s.suggestion_clicks:>6}",
        f"  replies failed      {s.reply_failures:>6}  (Slack did not take the reply, even after retries)",
    ]
    for title, rows in (
        ("top topics", report.top_topics),
        ("top codes", report.top_codes),
        ("top unanswered questions (turn these into knowledge entries)", report.top_unanswered),
    ):
        lines += ["", title]
        lines += [f"  {n:>6}  {item}" for item, n in rows] or ["       -"]
    return "\n".join(lines) + "\n"


FORMATTERS = {"text": format_text, "json": format_json, "csv": format_csv}


def plot_daily(report: Report, path: Path) -> None:
    """A bar chart of questions and answered questions per day, saved as PNG."""
    try:
        from matplotlib.figure import Figure  # the Agg canvas; no pyplot, no display
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise RuntimeError("--plot needs matplotlib: pip install 'declaratiebot[plot]'") from None
    x = list(range(len(report.daily)))
    fig = Figure(figsize=(max(6.0, 0.35 * len(x) + 2), 3.6), dpi=110)
    ax = fig.add_subplot()
    ax.bar(x, [d.questions for d in report.daily], color="#c9d6e8", label="questions")
    ax.bar(x, [d.answered for d in report.daily], width=0.5, color="#2f6db5", label="answered")
    step = max(1, len(x) // 20)  # at most about 20 date labels
    ax.set_xticks(x[::step], [f"{d.day:%a %d-%m}" for d in report.daily][::step])
    s = report.summary
    ax.set_title(
        f"declaratiebot: questions per day ({s.team_id or 'all workspaces'}), "
        f"answered {_share(s.answered_share)}, deflected {_share(s.deflection_rate)}",
        fontsize=9,
    )
    ax.set_ylabel("questions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, format="png")


def cli_report(
    since: str = "7d",
    team: str | None = None,
    fmt: str = "text",
    plot: Path | None = None,
    top: int = 10,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
) -> int:
    """`declaratiebot report`: exit 0, or 2 with a message on a bad argument or setting, or
    when DATABASE_URL does not point at a database the bot has written (none is created)."""
    from bot.config import ConfigError, Settings
    from bot.store.db import StoreUnavailable, open_existing

    out = out or sys.stdout
    try:
        start = parse_since(since)
        check_top(top)
        settings = Settings.from_env(environ, mode="cli")
    except (ValueError, ConfigError) as exc:
        print(f"declaratiebot report: {exc}", file=sys.stderr)
        return 2
    if fmt not in FORMATTERS:
        print(f"declaratiebot report: --format must be one of {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    try:
        store = open_existing(settings.database_url, store_questions=settings.store_questions)
    except StoreUnavailable as exc:
        print(f"declaratiebot report: {exc}", file=sys.stderr)
        return 2
    try:
        report = build_report(store, start, team_id=team, top=top)
    finally:
        store.close()
    out.write(FORMATTERS[fmt](report))
    if plot is not None:
        try:
            plot_daily(report, plot)
        except RuntimeError as exc:
            print(f"declaratiebot report: {exc}", file=sys.stderr)
            return 2
        print(f"chart: {plot}", file=sys.stderr)
    return 0
