"""Turn what a person typed in Slack into text the engine can compare.

`strip_slack` removes Slack markup (mentions, broadcasts, links, formatting) and keeps the
words; `fold` lower-cases, removes accents and punctuation. Neither ever fails: any
Unicode string goes in, a plain string comes out.
"""

from __future__ import annotations

import re
import unicodedata

# <@U123>, <@U123|name>, <#C123|general>, <!subteam^S123|@team>
_MENTION = re.compile(r"<[@#][^>]*>|<!subteam\^[^>]*>")
# <!here>, <!channel>, <!everyone>, <!date^...|fallback>
_SPECIAL = re.compile(r"<![^>]*>")
# <https://x|label>, <mailto:a@b|a@b>, <https://x>
_LINK = re.compile(r"<((?:https?|mailto|tel|ftp):[^|>]*)(?:\|([^>]*))?>", re.IGNORECASE)
# plain-text broadcasts people type: @here, @channel, @everyone
_AT_BROADCAST = re.compile(r"(?<![\w@])@(here|channel|everyone)\b", re.IGNORECASE)
# *bold*, _italic_, ~strike~, `code`: Slack formats only at a word's edges, so a mark inside
# a word is part of it ("LDT_Bedrag" stays two words, not "LDTBedrag")
_FORMAT = re.compile(r"(?<!\w)[*_~`]+|[*_~`]+(?!\w)")
# control characters, zero-width and bidi marks
_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_NON_WORD = re.compile(r"[^0-9a-z]+")
# "client's", "what's", "AW320's": the 's is not a word of its own
_APOSTROPHE_S = re.compile(r"(?<=\w)['\u2019]s\b")
# a release number ("iWmo 3.2", "versie 2.4") says nothing about which entry is meant, and
# split at its dot it would be read as the words "3" and "2"
_VERSION = re.compile(r"(?<![\d.,])\d{1,2}\.\d{1,2}(?![.,]?\d)")


def strip_slack(text: str) -> str:
    """Slack markup out, words in: `<@U1> wat is *8290*?` -> ` wat is 8290?`."""
    text = _INVISIBLE.sub("", text)
    text = _LINK.sub(lambda m: m.group(2) or "", text)
    text = _MENTION.sub(" ", text)
    text = _SPECIAL.sub(" ", text)
    text = _AT_BROADCAST.sub(" ", text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = _FORMAT.sub("", text)
    return text


def fold(text: str) -> str:
    """Lower case, accents off, punctuation to spaces: `Cliënt's AW-319!` -> `client aw 319`.

    Release numbers ("3.2") go, and so does a trailing 's ("what's" -> "what").
    """
    text = _VERSION.sub(" ", _APOSTROPHE_S.sub("", text.casefold()))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    return fold(text).split()
