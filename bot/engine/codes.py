"""Find the codes in a question, exactly, before anything fuzzy happens.

Works on folded text (see normalize.fold): lower case, punctuation turned into spaces,
so "AW-319", "aw 319" and "AW319" all arrive as "aw 319" or "aw319".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Order matters: earlier patterns claim their span first.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aw", re.compile(r"\baw ?(\d{3})\b")),
    ("brs", re.compile(r"\bbrs ?(\d{1,3})\b")),
    ("message", re.compile(r"\b(wmo|jw) ?(\d{3})\b")),
    ("rc", re.compile(r"\brc ?(\d{4})\b")),  # "rc8004", "RC 8409": a retourcode
    ("spaced", re.compile(r"\b([a-z]{1,3}) (\d{2,4})([a-z]?)\b")),  # "DN 071": only when known
    ("prestatie", re.compile(r"\b([a-z]{1,3})(\d{2,4})([a-z]?)\b")),
    ("number4", re.compile(r"\b(\d{4})\b")),
    ("number3", re.compile(r"\b(\d{3})\b")),
)


@dataclass(frozen=True)
class Found:
    code: str  # canonical form: "AW319", "BRS13", "JW325", "Z916", "8290", "490"
    shape: str  # which pattern found it (see _PATTERNS)
    start: int
    end: int


def _canonical(shape: str, m: re.Match[str]) -> str:
    if shape == "aw":
        return f"AW{m.group(1)}"
    if shape == "brs":
        return f"BRS{int(m.group(1)):02d}" if len(m.group(1)) < 2 else f"BRS{m.group(1)}"
    if shape == "message":
        return f"{m.group(1).upper()}{m.group(2)}"
    if shape in ("prestatie", "spaced"):
        return f"{m.group(1)}{m.group(2)}{m.group(3)}".upper()
    return m.group(1)


def find(folded: str, known: Callable[[str], bool] = lambda code: False) -> list[Found]:
    """Every code-shaped token, in order of appearance, each once.

    A code written with a space ("DN 071") counts only when `known` says it exists, so
    "is 8290" is never read as the code IS8290.
    """
    taken: list[tuple[int, int]] = []
    found: list[Found] = []
    for shape, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if shape == "spaced" and not known(_canonical(shape, m)):
                continue
            taken.append((m.start(), m.end()))
            found.append(Found(_canonical(shape, m), shape, m.start(), m.end()))
    found.sort(key=lambda f: f.start)
    seen: set[str] = set()
    unique = []
    for f in found:
        if f.code not in seen:
            seen.add(f.code)
            unique.append(f)
    return unique


_MESSAGE = dict(_PATTERNS)["message"]


def spaced(folded: str, standard: Callable[[str], bool]) -> str:
    """Message codes whose number is a standard written as prefix and standard ("jw325" ->
    "jw 325"), so that words about the standard ("325 downloaden") match a question naming
    the message; "wmo316" stays as it is (phrases name it so)."""
    return _MESSAGE.sub(lambda m: f"{m[1]} {m[2]}" if standard(m[2]) else m[0], folded)


def is_year(code: str) -> bool:
    return len(code) == 4 and code.isdigit() and 1900 <= int(code) <= 2099


def near(code: str, known: list[str], limit: int = 3) -> list[str]:
    """Known codes of the same shape that differ in one character (for "did you mean")."""
    out = {
        k
        for k in known
        if len(k) == len(code)
        and k.isdigit() == code.isdigit()
        and sum(a != b for a, b in zip(k, code, strict=True)) == 1
    }
    return sorted(out)[:limit]
