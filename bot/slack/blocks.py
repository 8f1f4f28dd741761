"""Block Kit messages from Answers: pure functions that return dicts (no Slack calls).

Every text comes from `bot.render` (the answer in mrkdwn, fixed words from
`templates/slack/*.j2`), where each value is escaped for Slack. The only text a person
typed that ever appears is the question passed on to support (`support_message`): cleaned
of Slack markup, personal data masked, escaped, and shown in a code block.

Slack's limits are kept here: section text 3000 characters (long answers are split at
paragraphs, then lines), 50 blocks per message (100 in App Home), button labels 75
characters, button values 2000 characters, and every message has a plain `text` fallback
for notifications.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.engine.normalize import strip_slack
from bot.engine.privacy import mask
from bot.render import ENV, render, render_template, slack_escape

Block = dict[str, Any]

MAX_SECTION = 3000  # characters of text in a section block
MAX_BLOCKS = 50  # blocks in a message
MAX_HOME_BLOCKS = 100  # blocks in an App Home view
MAX_ANSWER = 12_000  # characters of answer in one message; more is shortened with a note
MAX_BUTTON_TEXT = 75
MAX_VALUE = 2000  # characters in a button value
MAX_QUESTION = 1500  # characters of the question carried in a button value
MAX_FALLBACK = 300  # characters of the notification text

# action_id of each button; suggestions are SUGGEST + index (unique within their block)
HELPFUL = "feedback_helpful"
NOT_HELPFUL = "feedback_not_helpful"
ASK_PERSON = "ask_person"
SHARE = "share_answer"
SUGGEST = "suggest_"
SUGGEST_PATTERN = re.compile(r"^suggest_\d+$")

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Message:
    """What chat.postMessage, chat.postEphemeral and response_url take: text and blocks."""

    text: str
    blocks: list[Block]

    def kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


# ---------------------------------------------------------------- words and values


def words(lang: str) -> dict[str, str]:
    """The fixed words of templates/slack/_words.j2 (plain text: for button labels)."""
    module = ENV.get_template("slack/_words.j2").module
    return dict(module.en if lang == "en" else module.nl)  # type: ignore[attr-defined]


def word(key: str, lang: str) -> str:
    """One fixed phrase as mrkdwn (escaped)."""
    return render_template("slack/word.j2", "mrkdwn", lang=lang, key=key)


def clean_question(text: str, limit: int = MAX_QUESTION) -> str:
    """What a person typed, safe to carry and show: Slack markup out, personal data masked,
    whitespace collapsed, at most `limit` characters."""
    for _ in range(5):  # markup hidden in entities (&lt;!channel&gt;) surfaces after one pass
        stripped = strip_slack(text)
        if stripped == text:
            break
        text = stripped
    # whitespace collapsed before masking: "111    222    333" is not a BSN to the masker
    # (at most 3 separators), but would be shown as one, "111 222 333", once collapsed
    cleaned = mask(_WHITESPACE.sub(" ", text)).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def pack_value(question: str, lang: str, **extra: Any) -> str:
    """A button value: JSON with the (cleaned) question and language, under 2000 characters."""
    q = clean_question(question)
    while True:
        value = json.dumps({"q": q, "l": lang, **extra}, ensure_ascii=False, separators=(",", ":"))
        if len(value) <= MAX_VALUE:
            return value
        q = q[: len(q) - (len(value) - MAX_VALUE) - 1]


def unpack_value(value: Any) -> dict[str, Any]:
    """The fields of a button value; always a question "q" and a language "l" ("" and "nl"
    for anything that is not one of ours)."""
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}
    lang = data.get("l")
    return {
        **data,
        "q": data["q"] if isinstance(data.get("q"), str) else "",
        "l": lang if lang in ("nl", "en") else "nl",
    }


# ---------------------------------------------------------------- building blocks


def split_text(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraphs, else lines, else anywhere."""
    pieces: list[str] = []
    current = ""
    for para in text.split("\n\n"):
        for chunk in _fit(para, limit):
            candidate = f"{current}\n\n{chunk}" if current else chunk
            if len(candidate) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = chunk
    pieces.append(current)
    return [p for p in pieces if p.strip()]


def _fit(paragraph: str, limit: int) -> list[str]:
    if len(paragraph) <= limit:
        return [paragraph]
    out: list[str] = []
    current = ""
    for line in paragraph.split("\n"):
        while len(line) > limit:
            if current:
                out.append(current)
                current = ""
            out.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = line
    if current:
        out.append(current)
    return out


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn[:MAX_SECTION]}}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn[:MAX_SECTION]}]}


def button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    if len(label) > MAX_BUTTON_TEXT:
        label = label[: MAX_BUTTON_TEXT - 1] + "…"
    out: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "action_id": action_id,
        "value": value[:MAX_VALUE],
    }
    if style:
        out["style"] = style
    return out


def actions(elements: list[Block], block_id: str) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": elements[:25]}


def fallback(text: str) -> str:
    """The notification text from plain text: the first line, escaped (once), short."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return _short(slack_escape(first.strip()))


def fallback_mrkdwn(mrkdwn: str) -> str:
    """The notification text from mrkdwn that is already escaped (a notice): all of it on one
    line, short, not escaped again (that would show `&amp;lt;` for a `<`)."""
    return _short(_WHITESPACE.sub(" ", mrkdwn).strip())


def _short(escaped: str) -> str:
    if len(escaped) <= MAX_FALLBACK:
        return escaped
    cut = escaped[: MAX_FALLBACK - 1]
    return re.sub(r"&[a-z]*$|<[^>]*$", "", cut) + "…"  # no entity or link cut in half


# ---------------------------------------------------------------- answers


def contact_card(ci: Any, lang: str) -> Block:
    """An escalation contact: name, phone, e-mail, hours, open now or not."""
    return section(render_template("slack/card.j2", "mrkdwn", ci=ci, lang=lang))


def answer_message(
    answer: Any,
    kb: Any,
    *,
    question: str,
    share: bool = False,
    feedback: bool = True,
    notice: str | None = None,
    explained: str | None = None,
    ref: str | None = None,
    shared: bool = False,
) -> Message:
    """The reply to a question.

    The answer text (render(..., "mrkdwn")) without contacts and suggestions, which get
    their own blocks: an escalation card per contact, and "did you mean" buttons. Then the
    feedback buttons (answered questions), "ask a person" (unanswered ones with
    suggestions), "post in channel" when `share` (ephemeral slash-command answers), and a
    `notice` (e.g. that the question was passed on to support). `explained`: the entry a
    clicked suggestion asked for (so "post in channel" posts that, not the question).
    `ref`: the question's event or trigger id, carried in every button so a click is
    recorded against the question it was under. `shared`: marked in every button value as
    a shared answer (see `shared_message`).
    """
    lang = answer.language
    w = words(lang)
    extra: dict[str, Any] = {"e": explained} if explained else {}
    if ref:
        extra["r"] = ref[:100]
    if shared:
        extra["s"] = 1
    value = pack_value(question, lang, t=list(answer.topic)[:10], **extra)
    # with a notice (passed on, or whom to ask) the answer itself does not also say "ask support"
    body = render_template(
        "answer.j2",
        "mrkdwn",
        a=replace(answer, contacts=(), suggestions=()),
        lang=lang,
        kb=kb,
        told_whom_to_ask=bool(notice),
    )

    tail: list[Block] = [contact_card(ci, lang) for ci in answer.contacts]
    if answer.suggestions:
        tail.append(context(word("also" if answer.answered else "did_you_mean", lang) + ":"))
        buttons = [
            button(
                f"{s.code} – {s.title}" if s.code else s.title,
                f"{SUGGEST}{i}",
                pack_value(question, lang, **{**extra, "e": s.entry_id}),
            )
            for i, s in enumerate(answer.suggestions)
        ]
        if not answer.answered and not answer.help:
            buttons.append(button(w["ask_person"], ASK_PERSON, value))
        tail.append(actions(buttons, "suggestions"))
    if answer.answered and (feedback or share):
        row = [button(w["share"], SHARE, value, "primary")] if share else []
        if feedback:
            tail.append(context(word("did_this_help", lang)))
            row += [button(w["helpful"], HELPFUL, value), button(w["not_helpful"], NOT_HELPFUL, value)]
        tail.append(actions(row, "feedback"))
    if notice:
        tail.append(context(notice))

    pieces = split_text(_shorten(body, lang)) or ["…"]
    room = MAX_BLOCKS - len(tail)
    if len(pieces) > room:
        pieces = [*pieces[: room - 1], word("shortened", lang)]
    blocks = [section(p) for p in pieces] + tail
    return Message(fallback(render(answer, "plain", kb)), blocks)


def _shorten(text: str, lang: str) -> str:
    if len(text) <= MAX_ANSWER:
        return text
    cut = text[:MAX_ANSWER]
    cut = cut[: cut.rfind("\n")] if "\n" in cut else cut
    return f"{cut}\n\n_{word('shortened', lang)}_"


def shared_message(answer: Any, kb: Any, *, ref: str | None = None) -> Message:
    """An ephemeral answer posted visibly in the channel: the answer, feedback, no share.

    Its buttons carry no question: it was asked privately, and everyone in the channel can
    read a visible message's button values. They carry "s" instead, so a 👎 on it is passed
    on as a shared answer (the topic and a link, without the question)."""
    msg = answer_message(answer, kb, question="", share=False, feedback=True, ref=ref, shared=True)
    return Message(msg.text, [*msg.blocks, context(word("shared", answer.language))])


def note(mrkdwn: str) -> Message:
    """A short message of one section (notices, thanks); `mrkdwn` is escaped already."""
    return Message(fallback_mrkdwn(mrkdwn), [section(mrkdwn)])


# ---------------------------------------------------------------- hand-off


def handoff_notice(
    lang: str,
    channel: str | None,
    *,
    already: bool = False,
    failed: bool = False,
    contact: str | None = None,
) -> str:
    """What the person is told: passed on to `channel`, or whom to ask instead (mrkdwn)."""
    return render_template(
        "slack/handoff_user.j2",
        "mrkdwn",
        lang=lang,
        channel=channel,
        already=already,
        failed=failed,
        contact=contact,
    )


def support_message(
    question: str,
    *,
    reason: str,
    asker: str,
    channel: str | None,
    link: str | None,
    command: bool = False,
    topics: Sequence[str] = (),
    lang: str = "nl",
    clicked: bool = False,
    dm_with_bot: bool = False,
    shared: bool = False,
) -> Message:
    """The question as posted in the support channel, with who asked and a link to the thread.

    `asker` is named as who asked, or with `clicked` (a button under a message others can
    see, so maybe not theirs) as who passed it on. A DM channel is "a DM to the bot" only
    with `dm_with_bot` (a message to the bot; /declaratie may be used in any DM). `shared`:
    a button under a shared answer, which carries no question. `question` is cleaned and
    masked again here, so whatever the caller passes, no mention, broadcast, link or
    personal data is forwarded; an empty one is left out.
    """
    asker = asker if re.fullmatch(r"[UW][A-Z0-9]{2,}", asker or "") else "unknown"
    channel = channel if channel and re.fullmatch(r"[CGD][A-Z0-9]{2,}", channel) else None
    values = dict(
        lang=lang,
        reason=reason if reason in ("unknown", "not_helpful", "ask_person") else "ask_person",
        asker=asker,
        channel=channel if channel and not channel.startswith("D") else None,
        dm=bool(channel and channel.startswith("D")),
        dm_with_bot=dm_with_bot,
        clicked=clicked,
        shared=shared,
        command=command,
        link=link if link and link.startswith("https://") else None,
        topics=list(topics),
    )
    header = render_template("slack/handoff_support.j2", "mrkdwn", **values)
    cleaned = clean_question(question)
    quoted = render_template("slack/quote.j2", "mrkdwn", question=_fit_escaped(cleaned))
    # the notification: the header's first line as plain text (why it is here), escaped once
    text = fallback(render_template("slack/handoff_support.j2", "plain", **values))
    return Message(text, [section(header), section(quoted)] if cleaned else [section(header)])


def _fit_escaped(text: str, limit: int = MAX_SECTION - 20) -> str:
    while len(slack_escape(text)) > limit:
        text = text[: len(text) - (len(slack_escape(text)) - limit) // 5 - 1]
    return text


# ---------------------------------------------------------------- App Home


# ---------------------------------------------------------------- a retour file explained

MAX_FOLLOW_UPS = 5  # messages listing rejected prestaties after the summary and what to do
FOLLOW_UP_SECTIONS = 4  # sections (of up to 3,000 characters) per follow-up: readable in Slack


def explanation_messages(x: Any, lang: str) -> list[Message]:
    """A 325 (`bot.explain.Explanation`) explained in a thread, in the order a support
    person reads it:

    1. the summary: the message, the parties, the verdict, the totals, and the retourcodes as a
       compact list (code, official description, where it occurs: one line each), ending with
       what follows below;
    2. what to do per rejecting or unknown retourcode (left out when there is none: a fully
       granted file has only 0200 and 8001);
    3. the rejected prestaties, in follow-up messages of FOLLOW_UP_SECTIONS sections, at most
       MAX_FOLLOW_UPS of them (the last then says where to get all of it).

    Every message stays within Block Kit's limits (MAX_SECTION characters a section,
    MAX_BLOCKS blocks) and has a plain-text fallback for notifications."""
    from bot.render.explain import render_explanation

    messages = [_explanation_part(x, "compact", lang)]
    if x.to_do:
        messages.append(_explanation_part(x, "todo", lang))
    if not x.rows:
        return messages
    rows = split_text(render_explanation(x, "mrkdwn", lang, "rows"))
    per = FOLLOW_UP_SECTIONS
    chunks = [rows[i : i + per] for i in range(0, len(rows), per)]
    cut = len(chunks) > MAX_FOLLOW_UPS
    text = fallback(render_explanation(x, "plain", lang, "rows"))
    for n, chunk in enumerate(chunks[:MAX_FOLLOW_UPS]):
        body = [section(p) for p in chunk]
        if cut and n == MAX_FOLLOW_UPS - 1:
            body.append(context(word("file_rows_cut", lang)))
        messages.append(Message(text, body))
    return messages


def _explanation_part(x: Any, part: str, lang: str) -> Message:
    """One part of the explanation as one message, cut at MAX_BLOCKS sections with a note."""
    from bot.render.explain import render_explanation

    pieces = split_text(render_explanation(x, "mrkdwn", lang, part))
    if len(pieces) > MAX_BLOCKS:
        pieces = [*pieces[: MAX_BLOCKS - 1], word("shortened", lang)]
    return Message(fallback(render_explanation(x, "plain", lang, part)), [section(p) for p in pieces])


def usage_fields(summary: Any, lang: str = "nl") -> list[tuple[str, str]]:
    """The App Home's usage figures from a `bot.store.report.Summary`."""
    w = words(lang)

    def share(n: int) -> str:
        return f"{n} ({round(100 * n / summary.questions)}%)" if summary.questions else str(n)

    return [
        (w["usage_questions"], f"{summary.questions} ({w['usage_period'].lower()})"),
        (w["usage_answered"], share(summary.answered)),
        (w["usage_deflected"], share(summary.deflected)),
        (w["usage_handoffs"], str(summary.handoffs)),
        (w["usage_feedback"], f"{summary.helpful} / {summary.not_helpful}"),
    ]


def home_view(
    kb: Any, contacts: Sequence[Any], usage: Sequence[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """The App Home tab: how to ask, what the bot knows (Dutch and English), examples,
    the helpdesk contacts with their opening state, and usage figures when given."""
    w = words("nl")
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": w["home_title"]}}]
    sources = sorted({s.title for s in kb.sources.values()})
    about = render_template(
        "slack/home.j2", "mrkdwn", lang="nl", entries=len(kb.entries), codes=len(kb.by_code), sources=sources
    )
    blocks += [section(p) for p in split_text(about)]
    for lang in ("nl", "en"):
        blocks.append({"type": "divider"})
        blocks += [section(p) for p in split_text(render_template("help.j2", "mrkdwn", lang=lang))]
    if contacts:
        blocks.append({"type": "divider"})
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": w["home_contacts"]}})
        blocks += [contact_card(ci, "nl") for ci in contacts]
    if usage:
        blocks.append({"type": "divider"})
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": w["home_usage"]}})
        fields = [
            {"type": "mrkdwn", "text": f"*{slack_escape(label)}*\n{slack_escape(value)}"}
            for label, value in usage[:10]
        ]
        blocks.append({"type": "section", "fields": fields})
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
