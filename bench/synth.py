"""Synthetic knowledge bases shaped like the real one, of any size.

Every synthetic entry looks like a real retourcode, foutcode, veld or howto entry: a code
(four digits, or letters and digits like "QX1234"), a label, a Dutch and an English title,
phrases in both languages and a short explanation. The words come from the real knowledge
base with their real frequencies (so "bericht" and "message" are as common as they are
now), plus new compound words ("declaratieperiode", "toewijzingsregel") whose number grows
with the size of the base, as a vocabulary does (Heaps' law, V ~ n^0.8). Every entry has
two or three key words that recur in its phrases, the way "machtiging" recurs in the
phrases of retourcode 0551.

The real `language.yaml` and `sources.yaml` are copied, so the engine reads a synthetic
base exactly as it reads the real one. Same size and seed, same files.

Questions come with it: exact-code questions ("wat is retourcode QX1234") and free-text
questions made from an entry's phrase the way people type it (a leading "wat is", a word
left out, now and then a typo).
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.engine.knowledge import LANGUAGE_FILE, SOURCES_FILE, load
from bot.engine.normalize import fold

ENTRIES_PER_FILE = 2_000
SOURCE = "istandaarden-3.2-retourcodes"  # any id from the real sources.yaml
KINDS = (("retourcode", 0.45), ("foutcode", 0.15), ("veld", 0.25), ("howto", 0.15))
CODED = {"retourcode", "foutcode"}
# Letter prefixes the code extractor reads as something else (aw, brs, wmo, jw) are left out.
RESERVED = {"AW", "JW", "BRS", "WMO"}
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class Words:
    """Word pools: real words with their frequencies per language, and new compounds."""

    nl: list[str]
    nl_weights: list[float]
    en: list[str]
    en_weights: list[float]
    new: list[str]


def real_words(knowledge: Path) -> tuple[list[str], list[float], list[str], list[float]]:
    """Folded words of the real phrases, labels and titles, with how often each occurs."""
    kb = load(knowledge)
    stop = {fold(w) for w in kb.language.stopwords.nl + kb.language.stopwords.en}
    counts: dict[str, dict[str, int]] = {"nl": {}, "en": {}}
    for e in kb.entries:
        texts = {"nl": [e.label, *e.phrases.nl], "en": list(e.phrases.en)}
        if e.title:
            texts["nl"].append(e.title.nl)
            texts["en"].append(e.title.en)
        for lang, items in texts.items():
            for text in items:
                for w in fold(text).split():
                    if w not in stop and not any(ch.isdigit() for ch in w) and len(w) > 1:
                        counts[lang][w] = counts[lang].get(w, 0) + 1
    nl = sorted(counts["nl"])
    en = sorted(counts["en"])
    return nl, [float(counts["nl"][w]) for w in nl], en, [float(counts["en"][w]) for w in en]


def new_words(rng: random.Random, base: list[str], count: int) -> list[str]:
    """`count` distinct compounds of two real words, as Dutch makes new words."""
    long = [w for w in base if len(w) >= 4]
    out: set[str] = set(base)
    made: list[str] = []
    while len(made) < count:
        a, b = rng.choice(long), rng.choice(long)
        w = a + ("s" if rng.random() < 0.2 else "") + b
        if w not in out and len(w) <= 24:
            out.add(w)
            made.append(w)
    return made


def code_for(i: int) -> str:
    """The i-th synthetic code: 9,000 four-digit codes, then two letters and four digits."""
    if i < 9_000:
        return f"{1000 + i:04d}"
    i -= 9_000
    while True:
        letters = _ALPHABET[(i // 10_000) // 26 % 26] + _ALPHABET[(i // 10_000) % 26]
        if letters not in RESERVED:
            return f"{letters}{i % 10_000:04d}"
        i += 10_000


class Generator:
    def __init__(self, knowledge: Path, n: int, seed: int = 7):
        self.knowledge = knowledge
        self.n = n
        self.rng = random.Random(seed * 1_000_003 + n)
        nl, nlw, en, enw = real_words(knowledge)
        self.words = Words(nl, nlw, en, enw, new_words(self.rng, nl, int(2 * n**0.8)))
        # cumulative weights once, not on every draw (what choices(weights=) does each time)
        self.cum = {"nl": list(itertools.accumulate(nlw)), "en": list(itertools.accumulate(enw))}

    def _common(self, lang: str, k: int) -> list[str]:
        pool = self.words.nl if lang == "nl" else self.words.en
        return self.rng.choices(pool, cum_weights=self.cum[lang], k=k)

    def _phrase(self, lang: str, key: list[str], lo: int, hi: int) -> str:
        words = [self.rng.choice(key), *self._common(lang, self.rng.randint(lo, hi) - 1)]
        self.rng.shuffle(words)
        return " ".join(dict.fromkeys(words))

    def entry(self, i: int) -> dict[str, object]:
        rng = self.rng
        kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        key = [rng.choice(self.words.new) for _ in range(rng.randint(1, 2))]
        key += self._common("nl", 1)
        label = self._phrase("nl", key, 4, 9).capitalize()
        e: dict[str, object] = {"id": f"synth-{kind}-{i:06d}", "kind": kind, "label": label}
        if kind in CODED:
            e["codes"] = [code_for(i)]
        e["title"] = {"nl": self._phrase("nl", key, 2, 5).capitalize(), "en": self._phrase("en", key, 2, 5)}
        e["text"] = {
            "nl": " ".join(self._common("nl", rng.randint(18, 30))).capitalize() + ".",
            "en": " ".join(self._common("en", rng.randint(18, 30))).capitalize() + ".",
        }
        e["phrases"] = {
            "nl": [self._phrase("nl", key, 1, 5) for _ in range(rng.randint(3, 7))],
            "en": [self._phrase("en", key, 1, 5) for _ in range(rng.randint(2, 5))],
        }
        e["source"] = SOURCE
        return e

    def write(self, out: Path) -> list[dict[str, object]]:
        """Write the base into `out` (emptied first); return the entries written."""
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        for name in (SOURCES_FILE, LANGUAGE_FILE):
            shutil.copy(self.knowledge / name, out / name)
        entries = [self.entry(i) for i in range(self.n)]
        for start in range(0, self.n, ENTRIES_PER_FILE):
            chunk = entries[start : start + ENTRIES_PER_FILE]
            (out / f"synth-{start // ENTRIES_PER_FILE:04d}.yaml").write_text(_yaml(chunk), encoding="utf-8")
        return entries


def _yaml(entries: list[dict[str, object]]) -> str:
    """Block-style YAML written by hand: yaml.dump takes minutes for 200,000 entries.

    Scalars are JSON strings, which YAML reads as double-quoted strings.
    """
    out = ["entries:\n"]
    for e in entries:
        first = True
        for key, value in e.items():
            out.append("  - " if first else "    ")
            first = False
            if isinstance(value, dict):
                out.append(f"{key}:\n")
                for sub, v in value.items():
                    out.append(f"      {sub}: {json.dumps(v, ensure_ascii=False)}\n")
            else:
                out.append(f"{key}: {json.dumps(value, ensure_ascii=False)}\n")
    return "".join(out)


# --------------------------------------------------------------------------- questions

CODE_TEMPLATES = ("wat is retourcode {}", "{}", "what does {} mean", "ik krijg {} terug", "foutcode {}?")
TEXT_PREFIXES = ("", "", "wat is ", "wat betekent ", "what does ", "mijn bericht ", "hoe zit het met ")


def code_questions(entries: list[dict[str, object]], count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    coded = [e for e in entries if "codes" in e]
    return [
        rng.choice(CODE_TEMPLATES).format(rng.choice(coded)["codes"][0])  # type: ignore[index]
        for _ in range(count)
    ]


def text_questions(entries: list[dict[str, object]], count: int, seed: int = 13) -> list[str]:
    """Questions typed from an entry's phrase: a prefix, sometimes a word less, sometimes a typo."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        e = rng.choice(entries)
        phrases = e["phrases"]
        assert isinstance(phrases, dict)
        words = rng.choice(phrases["nl"] + phrases["en"]).split()
        if len(words) > 2 and rng.random() < 0.3:
            words.pop(rng.randrange(len(words)))
        if rng.random() < 0.25:
            j = rng.randrange(len(words))
            w = words[j]
            if len(w) >= 6:
                k = rng.randrange(1, len(w) - 1)
                words[j] = w[:k] + w[k + 1] + w[k] + w[k + 2 :]  # two neighbours swapped
        out.append(rng.choice(TEXT_PREFIXES) + " ".join(words))
    return out
