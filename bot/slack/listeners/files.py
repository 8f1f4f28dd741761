"""Retour files shared with the bot: a WMO325/JW325 dropped in a direct message, or in a
channel with a mention of the bot, is fetched with the bot token, explained in the thread
under it, and forgotten (nothing of the file is stored or logged).

A file is explained from the message that shares it (`message` with subtype file_share in
a DM, `app_mention` with `files` in a channel): the message says where to answer
(events.py sends it here). app.yaml does not subscribe to `file_shared`; an app configured
by hand may still get it for the same upload, so it is acknowledged and ignored, and one
upload gets one reply. Question text next to a file is read only for its language: the
file is the question.

The token is only ever sent to Slack's file host (files.slack.com) or the host of
SLACK_API_URL: a file object pointing elsewhere is refused, so an event cannot make the
bot hand its token to another server. A redirect is followed, but the token goes along only
to those same hosts (urllib would otherwise send it to wherever the redirect points).
"""

from __future__ import annotations

import time
import urllib.request
from http.client import HTTPMessage
from typing import IO, Any
from urllib.parse import urlsplit

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.engine.normalize import strip_slack
from bot.explain import MAX_BYTES, ExplainError, Explanation, explain_bytes
from bot.render import slack_escape
from bot.slack import blocks
from bot.slack.blocks import explanation_messages
from bot.slack.recording import team_of
from bot.slack.replies import Deps, describe, log, post

MAX_FILES = 3  # files explained from one message
MAX_ROWS = 200  # rejected prestaties listed (in follow-up messages); the counts cover all
DOWNLOAD_TIMEOUT = 30  # seconds
SLACK_FILE_HOSTS = ("files.slack.com",)


class FetchError(Exception):
    """The file could not be fetched; the message (for the log) never holds the token."""


class TooLarge(FetchError):
    """The download went past MAX_BYTES (files.info did not say the size, or said less)."""


def register(app: App, deps: Deps) -> None:
    @app.event("file_shared")
    def on_file_shared() -> None:
        """Acknowledged only: the message event of the same upload is answered."""


def explain_shared_files(deps: Deps, client: WebClient, body: dict[str, Any]) -> None:
    """Explain each file of the event (at most MAX_FILES) in a thread under its message, one
    after the other; each file is recorded as a question (explained or not, its retourcodes)
    after its reply."""
    event = body["event"]
    channel, thread_ts = event["channel"], event.get("thread_ts") or event["ts"]
    team_id, event_id = team_of(body), body.get("event_id")
    text = strip_slack(str(event.get("text") or "")).strip()
    lang = deps.engine().answer(text).language if text else "nl"
    ref = f"event {event_id}"
    files = [f for f in event.get("files") or () if isinstance(f, dict)]
    for shared in files[:MAX_FILES]:
        started = time.perf_counter()
        messages, x = explain_one(deps, client, shared, lang, ref)
        for msg in messages:
            post(client, channel, msg, thread_ts)
        deps.recorder.explanation(
            team_id,
            channel_type="dm" if event.get("channel_type") == "im" else "channel",
            language=lang,
            explained=x is not None,
            codes=[g.code for g in x.codes] if x else [],
            topics=[g.entry.id for g in x.codes if g.entry] if x else [],
            latency_ms=round((time.perf_counter() - started) * 1000),
            ref=event_id,
        )
    if len(files) > MAX_FILES:
        post(client, channel, blocks.note(blocks.word("file_too_many", lang)), thread_ts)


def explain_one(
    deps: Deps, client: WebClient, shared: dict[str, Any], lang: str, ref: str
) -> tuple[list[blocks.Message], Explanation | None]:
    """The messages that explain one shared file and its explanation, or the one sentence
    saying why not (and None)."""
    file_id = str(shared.get("id") or "?")
    try:
        info = client.files_info(file=file_id)["file"]
    except SlackApiError as exc:
        log.warning("file %s of %s: files.info failed: %s", file_id, ref, describe(exc))
        return [blocks.note(blocks.word("file_fetch_failed", lang))], None
    size = int(info.get("size") or 0)
    if size > MAX_BYTES:
        log.info("file %s of %s: %d bytes, refused unread", file_id, ref, size)
        return [blocks.note(slack_escape(ExplainError("too_large").message(lang)))], None
    url = str(info.get("url_private_download") or info.get("url_private") or "")
    if not on_slack(url, deps.settings.slack_api_url):
        log.warning("file %s of %s: not on Slack's file host, not fetched", file_id, ref)
        return [blocks.note(blocks.word("file_not_slack", lang))], None
    try:
        data = download(url, client.token or "", deps.settings.slack_api_url)
    except TooLarge:
        log.info("file %s of %s: over %d bytes while downloading, refused", file_id, ref, MAX_BYTES)
        return [blocks.note(slack_escape(ExplainError("too_large").message(lang)))], None
    except FetchError as exc:
        log.warning("file %s of %s: download failed: %s", file_id, ref, exc)
        return [blocks.note(blocks.word("file_fetch_failed", lang))], None
    try:
        x = explain_bytes(data, str(info.get("name") or "retour.xml"), deps.engine().kb, max_rows=MAX_ROWS)
        messages = explanation_messages(x, lang)
    except ExplainError as exc:
        cause = exc.params.get("cause")  # "failed": the type of what went wrong, never its message
        why = f"{exc.kind}, {cause}" if cause else exc.kind
        log.info("file %s of %s: %d bytes, not explained (%s)", file_id, ref, len(data), why)
        return [blocks.note(slack_escape(exc.message(lang)))], None
    except Exception as exc:
        # Anything else (rendering, Block Kit): the person still gets a sentence. Only the type is
        # logged: an exception's message or traceback can quote the file (a BSN, an amount).
        log.warning(
            "file %s of %s: %d bytes, explaining failed (%s)", file_id, ref, len(data), type(exc).__name__
        )
        return [blocks.note(slack_escape(ExplainError("failed").message(lang)))], None
    log.info("file %s of %s: %d bytes explained, %d codes", file_id, ref, len(data), len(x.codes))
    return messages, x


def on_slack(url: str, api_url: str) -> bool:
    """Is `url` on Slack's file host, or on the Web API's own host (tests, staging)?"""
    parts = urlsplit(url)
    api = urlsplit(api_url)
    if parts.scheme == "https" and parts.hostname in SLACK_FILE_HOSTS:
        return True
    return bool(parts.hostname) and (parts.scheme, parts.netloc) == (api.scheme, api.netloc)


class TokenStaysOnSlack(urllib.request.HTTPRedirectHandler):
    """Follow a redirect, but drop the Authorization header when it leaves Slack's hosts."""

    def __init__(self, api_url: str):
        self.api_url = api_url

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and not on_slack(new.full_url, self.api_url):
            new.remove_header("Authorization")
        return new


def download(url: str, token: str, api_url: str) -> bytes:
    """The file's bytes, read with the bot token; FetchError beyond MAX_BYTES or on failure."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    opener = urllib.request.build_opener(TokenStaysOnSlack(api_url))
    try:
        # the URL passed on_slack(): only Slack is sent the token, also after a redirect
        with opener.open(request, timeout=DOWNLOAD_TIMEOUT) as response:
            data = response.read(MAX_BYTES + 1)
            content_type = response.headers.get("Content-Type", "")
    except OSError as exc:  # URLError, HTTPError, timeouts
        raise FetchError(
            f"{type(exc).__name__}: {getattr(exc, 'code', '') or getattr(exc, 'reason', '')}"
        ) from None
    if content_type.startswith("text/html"):  # Slack's login page: the token was not accepted
        raise FetchError("got an HTML page instead of the file (no access?)")
    if len(data) > MAX_BYTES:
        raise TooLarge(f"larger than {MAX_BYTES} bytes")
    return data
