"""Find and mask personal data people type into a question.

BSN (nine digits that pass the elfproef), dates (a date of birth looks like any other
date, so every full date is masked), e-mail addresses and phone numbers. The engine masks
before it reads a question, so nothing personal can reach an answer, a log or the store.
"""

from __future__ import annotations

import re

BSN_MASK = "[BSN]"
DATE_MASK = "[datum]"
EMAIL_MASK = "[e-mail]"
PHONE_MASK = "[telefoon]"

# nine digits, optionally grouped with dots, dashes or any spaces (1234.56.782,
# 123 456 782, 111-222-333, "111\u00a0222\u00a0333" pasted from Word, "bsn.nr.111222333",
# and "111    222    333" with wide gaps, however wide)
_SEP = r"(?:[\s.\-]{0,3}|\s{4,}+)"  # possessive: a wide gap is never backtracked into
_NINE = re.compile(rf"(?<!\d)(?<!\d[.,])\d(?:{_SEP}\d){{8}}(?!\d)")
_MONTHS = (
    "jan|januari|january|feb|februari|february|mrt|maart|march|mar|apr|april|mei|may|jun|juni|june|"
    "jul|juli|july|aug|augustus|august|sep|sept|september|okt|oktober|oct|october|nov|november|"
    "dec|december"
)
_DATE = re.compile(
    r"(?<!\d)(?:"
    r"(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)\d{2}"  # 31-12-1980
    r"|(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"  # 1980-12-31
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.]\d{2}"  # 31-12-80
    rf"|(?:0?[1-9]|[12]\d|3[01])\s+(?:{_MONTHS})\.?\s+(?:19|20)\d{{2}}"  # 31 december 1980
    r")(?!\d)",
    re.IGNORECASE,
)
# bounded parts (RFC 5321: local part <= 64, labels <= 63) keep this linear on long input
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
# Dutch numbers: 06-12345678, 020 123 4567, (020) 123 4567, 06.12345678, +31 6 12345678,
# +31 (0)6 12345678, 0031...; 10 digits in all
_PHONE = re.compile(r"(?<![\w+(])(?:\+31\s*(?:\(0\))?|0031|\(?0)(?:[\s.\-()]{0,2}\d){9}(?!\d)")


def elfproef(digits: str) -> bool:
    """The BSN check: 9 digits, weights 9..2 and -1, sum divisible by 11, not all zero."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def _bsn(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return BSN_MASK if elfproef(digits) else match.group(0)


def mask(text: str) -> str:
    """Replace personal data with placeholders; leave everything else as typed."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _DATE.sub(DATE_MASK, text)
    text = _NINE.sub(_bsn, text)
    text = _PHONE.sub(PHONE_MASK, text)
    return text


def mask_bsn(bsn: str) -> str:
    """Show at most the last three digits of a BSN: `*****6782` -> `******782`."""
    digits = re.sub(r"\D", "", bsn)
    return "*" * max(len(digits) - 3, 0) + digits[-3:] if digits else ""
