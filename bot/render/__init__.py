"""Answers to text: one jinja2 Environment, Slack mrkdwn or plain text from the same Answer.

Templates see the Answer (knowledge entries, recognised codes) and never the question
text, so nothing a person typed is rendered, let alone evaluated as a template. In mrkdwn
every value is escaped (`&`, `<`, `>`) on output by `finalize`, so knowledge text cannot
produce a mention or a link either.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import jinja2
from markupsafe import Markup

Format = Literal["mrkdwn", "plain"]

DAY_NAMES = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
DAY_SHORT = {
    "nl": {"mon": "ma", "tue": "di", "wed": "wo", "thu": "do", "fri": "vr", "sat": "za", "sun": "zo"},
    "en": {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"},
}


def slack_escape(value: Any) -> str:
    """Escape the three characters Slack treats as markup: & < >."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@jinja2.pass_context
def _finalize(ctx: jinja2.runtime.Context, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup) or ctx.get("fmt") != "mrkdwn":
        return value
    return slack_escape(value)


@jinja2.pass_context
def _bold(ctx: jinja2.runtime.Context, value: Any) -> Markup | str:
    if ctx.get("fmt") != "mrkdwn":
        return str(value)
    return Markup(f"*{slack_escape(value)}*")


@jinja2.pass_context
def _code(ctx: jinja2.runtime.Context, value: Any) -> Markup | str:
    if ctx.get("fmt") != "mrkdwn":
        return str(value)
    return Markup(f"`{slack_escape(value)}`")


def _days(days: list[str], lang: str) -> str:
    short = DAY_SHORT["en" if lang == "en" else "nl"]
    if days == ["mon", "tue", "wed", "thu", "fri"]:
        return f"{short['mon']}–{short['fri']}"
    return ", ".join(short[d] for d in days)


def _when(moment: datetime, lang: str) -> str:
    return f"{DAY_NAMES['en' if lang == 'en' else 'nl'][moment.weekday()]} {moment:%H:%M}"


ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("bot.render", "templates"),
    autoescape=False,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    finalize=_finalize,
    # templates ship with the code and never change while the bot runs: without this, every
    # render stats each template file (a third of a reply's CPU time in docs/benchmarks.md)
    auto_reload=False,
)
ENV.filters["slack_escape"] = slack_escape
ENV.filters["days"] = _days
ENV.filters["when"] = _when
ENV.globals["b"] = _bold
ENV.globals["c"] = _code


def render(answer: Any, fmt: Format = "plain", kb: Any = None) -> str:
    """The whole reply for an Answer, in the answer's language."""
    return _clean(ENV.get_template("answer.j2").render(a=answer, lang=answer.language, fmt=fmt, kb=kb))


def render_template(name: str, fmt: Format = "plain", **context: Any) -> str:
    """One named template (help, hand-off texts ...) with the given context."""
    return _clean(ENV.get_template(name).render(fmt=fmt, **context))


def _clean(text: str) -> str:
    lines = [ln.rstrip() for ln in text.strip().splitlines()]
    out: list[str] = []
    for ln in lines:
        if ln == "" and out and out[-1] == "":
            continue
        out.append(ln)
    return "\n".join(out)
