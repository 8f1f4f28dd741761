"""An Explanation (bot/explain) as text: plain or Slack mrkdwn, Dutch or English.

Amounts are cents in the file; here they become euros (`€ 1.234,56` in Dutch, `€1,234.56`
in English) with debet/credit spelled out. Templates: explain.j2 and _explain_words.j2.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.render import Format, render_template


def euros(cents: int, lang: str) -> str:
    whole, rest = divmod(abs(cents), 100)
    if lang == "en":
        return f"{'-' if cents < 0 else ''}€{whole:,}.{rest:02d}"
    return f"{'-' if cents < 0 else ''}€ {whole:,}".replace(",", ".") + f",{rest:02d}"


def number(n: int, lang: str) -> str:
    """A count with thousands separators: 20.000 in Dutch, 20,000 in English."""
    return f"{n:,}" if lang == "en" else f"{n:,}".replace(",", ".")


def day(d: date, lang: str) -> str:
    return d.isoformat() if lang == "en" else f"{d:%d-%m-%Y}"


def render_explanation(x: Any, fmt: Format = "plain", lang: str = "nl", part: str = "all") -> str:
    """The explanation of one 325 (x: bot.explain.Explanation): "all" of it, the "summary"
    (everything but the list of rejected prestaties) or only those "rows"."""
    lang = "en" if lang == "en" else "nl"
    return render_template("explain.j2", fmt, x=x, lang=lang, euros=euros, day=day, number=number, part=part)
