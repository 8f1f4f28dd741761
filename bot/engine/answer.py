"""Question in, Answer out: the one entry point the CLI and the Slack app use.

Pure Python, no Slack, no I/O (the knowledge base is loaded before). The path:

1. Slack markup out, personal data masked, text folded (normalize, privacy).
2. Language: Dutch unless English markers win (lang).
3. Codes, exactly (codes): known codes are answered; a code we do not know is said to be
   unknown, never answered with a neighbour (a near code is only a suggestion).
4. No code: fuzzy matching over phrases (matcher); below the threshold an honest
   "I don't know" with the best suggestions.
5. Escalation contacts get their opening state at `now` (hours).

The Answer holds knowledge entries and recognised codes only: never text the user typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot.engine import codes as codes_mod
from bot.engine.hours import opening
from bot.engine.knowledge import KnowledgeBase
from bot.engine.lang import Detector
from bot.engine.matcher import Matcher, Scored, stem
from bot.engine.normalize import fold, strip_slack
from bot.engine.privacy import mask
from bot.engine.schema import CodeList, Entry

ANSWER_AT = 0.62  # fuzzy score needed to answer (tuned on the development questions)
SUGGEST_AT = 0.30  # fuzzy score needed to be offered as "did you mean"
UNSURE_MARGIN = 0.08  # a runner-up this close to the answer is offered as well
TIE = 0.02  # a runner-up this close is as good as the answer ...
CLEAR = 0.9  # ... and is answered too, unless the answer matches this well
MIN_EVIDENCE = 0.45  # one generic word ("bericht", "declaratie") is not enough to answer
# A question that matches more than one distinctive word of an entry is answered from a
# lower score (long questions hold much more than the phrase they match), as long as the
# entry explains a good part of what was asked: "hoe reset ik het wachtwoord van mijn
# VECOZO-certificaat" matches "vecozo certificaat" well, but is about the rest.
SOFT_ANSWER_AT = 0.48
STRONG_EVIDENCE = 1.2
SOFT_SHARE = 0.4
# Words next to a standard or message code must match at least this well to answer instead
# of the code ("hoe lang blijft een JW325 bewaard"), not a generic word ("450 in VECOZO").
BESIDE_CODE_EVIDENCE = 1.0
MAX_SUGGESTIONS = 3
MAX_QUOTED = 3  # official names quoted in one question that are all answered
# at most this many runners-up are looked at: a question with more entries within
# UNSURE_MARGIN of the best is answered from the best and the first few anyway, and on a
# base of 200,000 entries a word like "bericht" would otherwise bring thousands
MAX_CLOSE = 50
# Kinds that are "the question" when they appear next to a standard or message code,
# which then only tells the context ("1113 op mijn AW319").
PRIMARY_KINDS = frozenset({"retourcode", "foutcode", "limit", "codelijst"})
CONTEXT_KINDS = frozenset({"standaard", "berichtcode"})
# Code shapes that are always codes, so an unknown one is reported.
ALWAYS_CODE = frozenset({"aw", "brs", "message", "rc"})
HELP_WORDS = frozenset({"help", "hulp", "helpme", "commands", "voorbeelden", "examples"})


@dataclass(frozen=True)
class ContactInfo:
    entry: Entry
    open_now: bool | None  # None when the source gives no hours
    next_open: datetime | None


@dataclass(frozen=True)
class Item:
    """One knowledge entry in an answer, with what the renderer needs next to it."""

    entry: Entry
    code: str | None = None  # the code that was asked, if any
    limits: tuple[Entry, ...] = ()  # limit entries a retourcode enforces
    values: tuple[tuple[str, str], ...] = ()  # code-list values asked about
    answers: Entry | None = None  # for a retour message: the message it answers
    in_lists: tuple[CodeList, ...] = ()  # the entry's code lists that hold the code asked
    related: tuple[Entry, ...] = ()
    listing: tuple[Entry, ...] = ()  # for an overview: every entry of the kind it covers


@dataclass(frozen=True)
class Suggestion:
    entry_id: str
    title: str
    code: str | None


@dataclass(frozen=True)
class Answer:
    language: str
    answered: bool
    items: tuple[Item, ...] = ()
    codes: tuple[str, ...] = ()  # every code recognised in the question
    unknown_codes: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    confidence: int = 0
    contacts: tuple[ContactInfo, ...] = ()
    help: bool = False  # the question was empty, only a greeting, or asked for help
    thanks: bool = False  # the message only said thanks ("bedankt!", "top, thanks")
    needs_cue: tuple[str, ...] = field(default=())  # known codes that need "berichtcode" to be answered

    @property
    def escalate(self) -> bool:
        return any(item.entry.escalate_to for item in self.items)

    @property
    def topic(self) -> list[str]:
        return [item.entry.id for item in self.items]


class Engine:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        lang = kb.language
        self.detect = Detector(lang, kb.entries)
        self.thanks = {t for w in lang.thanks for t in fold(w).split()}
        self.amount_words = {fold(w) for w in lang.amount_words}
        stopwords = lang.stopwords.nl + lang.stopwords.en
        self.stopwords = {t for w in stopwords for t in fold(w).split()} | self.thanks
        self.code_cues = {fold(w) for w in lang.code_cues}
        self.domain_cues = {d: {fold(w) for w in words} for d, words in lang.domains.items()}
        synonyms = {fold(w): fold(canon) for canon, words in lang.synonyms.items() for w in words}
        light = {fold(w) for w in lang.light_words}
        self.matcher = Matcher(kb.entries, self.stopwords, synonyms, light)
        # a word the knowledge itself uses ("wachtwoord" in "ZIP met wachtwoord") is no sign
        # that a question is about something else
        self.out_of_domain = {w for w in map(fold, lang.out_of_domain) if stem(w) not in self.matcher.idf}
        self.known_codes = sorted(set(kb.by_code) | set(kb.by_prestatiecode))
        self.code_prefixes = {_letters(c) for c in self.known_codes if not c[0].isdigit()}
        self.order = {e.id: i for i, e in enumerate(kb.entries)}
        self.overviews: dict[str, list[Entry]] = {}
        for e in kb.entries:
            if e.overview_of:
                self.overviews.setdefault(e.overview_of, []).append(e)
        # official names of two words or more ("Wordt verwerkt", "Afgekeurd door dienst"),
        # folded with their small words: quoted in a question, they name what is asked
        self.labels: dict[str, set[int]] = {}
        # official names of one word ("Aangeboden", "Pull"): these count as named only when a
        # question names two or more of one kind ("verschil tussen aangeboden en bezorgd")
        self.word_labels: dict[str, set[int]] = {}
        for i, e in enumerate(kb.entries):
            label = fold(e.label)
            if len(label.split()) >= 2:
                self.labels.setdefault(label, set()).add(i)
            elif label.isalpha():
                self.word_labels.setdefault(label, set()).add(i)
        self.label_words = max((len(k.split()) for k in self.labels), default=0)

    # ------------------------------------------------------------------ public

    def answer(self, question: str, now: datetime | None = None) -> Answer:
        now = now or datetime.now(UTC)
        folded = fold(mask(strip_slack(question)))
        toks = folded.split()
        lang = self.detect(toks)
        if set(toks) <= HELP_WORDS | self.stopwords:  # (thanks words are stopwords too)
            # nothing to look up: "help", "hoi", "wat is het?" get what the bot can answer;
            # "bedankt!" a "you're welcome", and neither is passed on to a person
            if set(toks) & self.thanks and toks[0] not in HELP_WORDS:  # "bedankt voor de hulp"
                return Answer(language=lang, answered=False, thanks=True)
            return Answer(language=lang, answered=False, help=True)

        found = codes_mod.find(folded, self._known)
        code_tokens = {folded[f.start : f.end] for f in found}
        cue = any(t in self.code_cues for t in toks)
        bare = all(t in self.stopwords or t in self.code_cues or t in code_tokens for t in toks)
        hint = {d for d, words in self.domain_cues.items() if words & set(toks)}

        items: list[Item] = []
        recognised: list[str] = []
        unknown: list[str] = []
        needs_cue: list[str] = []
        for f in found:
            entries = self.kb.by_code.get(f.code, [])
            if not entries and f.shape == "message":  # "wmo 304": the standard Wmo/Jw 304
                entries = [e for e in self.kb.by_code.get(f.code[-3:], []) if e.kind == "standaard"]
            if entries:
                if f.shape == "number3" and not cue and all(e.needs_cue for e in entries):
                    if bare:  # "wat is 437": offered as "berichtcode 437", not answered
                        needs_cue.append(f.code)
                        recognised.append(f.code)
                    continue  # "414 declaraties": a number in a sentence, not the message 414
                recognised.append(f.code)
                for e in self._pick_domain(entries, hint):
                    items.append(self._item(e, f.code, toks))
            elif f.code in self.kb.by_prestatiecode:
                recognised.append(f.code)
                for e in self.kb.by_prestatiecode[f.code]:
                    items.append(self._item(e, f.code, toks))
            elif self._reportable(f, cue, bare, amount=bool(self.amount_words & set(toks))):
                recognised.append(f.code)
                unknown.append(f.code)

        if any(i.entry.kind in PRIMARY_KINDS for i in items):
            items = [i for i in items if i.entry.kind not in CONTEXT_KINDS]
        items = _dedupe(items)

        if items and all(i.entry.kind in CONTEXT_KINDS for i in items):
            # A standard or message code next to other words is often only the setting
            # ("hoe lang blijft een JW325 bewaard", "9310 in mijn JW325"): an unknown code
            # in it is the question, and so are words that answer better than the code.
            if unknown:
                items = []
            elif not bare:
                # First with the code as one of the words, as phrases that name it are written
                # ("325 downloaden", "link 325 and 323"; a JW325 as "jw 325"): an answer about
                # something else than the code wins, without the code's own entry. Then without
                # the code, the words around it alone.
                own = {i.entry.id for i in items}  # and the standard a message code names:
                own |= {
                    e.id for f in found if f.shape == "message" for e in self.kb.by_code.get(f.code[-3:], [])
                }
                spaced = codes_mod.spaced(folded, self._is_standard)
                fuzzy = self._fuzzy(spaced, set(), lang, toks, recognised, now, BESIDE_CODE_EVIDENCE)
                if fuzzy.answered and fuzzy.topic[0] not in own:
                    return replace(fuzzy, items=tuple(i for i in fuzzy.items if i.entry.id not in own))
                fuzzy = self._fuzzy(folded, code_tokens, lang, toks, recognised, now, BESIDE_CODE_EVIDENCE)
                if fuzzy.answered:
                    return fuzzy
        if items:
            return self._finish(lang, items, recognised, unknown, [], 100, now, needs_cue)
        if unknown or needs_cue:
            # an unknown message number ("berichtcode 422", "JW399"): the list of those we know
            message = any(f.code in unknown and f.shape in ("number3", "message") for f in found)
            overview = self.overviews.get("berichtcode", []) if message else []
            suggestions = [self._suggest(e, lang) for e in overview]
            suggestions += [s for c in unknown for s in self._near(c, lang)]
            suggestions += [self._suggest(e, lang, c) for c in needs_cue for e in self.kb.by_code[c]]
            return Answer(
                language=lang,
                answered=False,
                codes=tuple(recognised),
                unknown_codes=tuple(unknown),
                suggestions=tuple(_unique(suggestions))[:MAX_SUGGESTIONS],
                needs_cue=tuple(needs_cue),
            )
        return self._fuzzy(folded, code_tokens, lang, toks, recognised, now)

    def explain(self, entry_id: str, language: str = "nl", now: datetime | None = None) -> Answer:
        """The answer for one entry, e.g. when a person clicks a suggestion."""
        entry = self.kb.by_id[entry_id]
        item = self._item(entry, entry.codes[0] if entry.codes else None, [])
        return self._finish(
            language, [item], list(entry.codes[:1]), [], [], 100, now or datetime.now(UTC), []
        )

    # ------------------------------------------------------------------ steps

    def _fuzzy(
        self,
        folded: str,
        code_tokens: set[str],
        lang: str,
        toks: list[str],
        recognised: list[str],
        now: datetime,
        min_evidence: float = MIN_EVIDENCE,
    ) -> Answer:
        # Only the entries this method looks at below: the best, the runners-up within
        # UNSURE_MARGIN of it and the best MAX_SUGGESTIONS, from SUGGEST_AT up.
        scored = self.matcher.score(
            folded,
            ignore=code_tokens,
            keep=MAX_SUGGESTIONS,
            floor=SUGGEST_AT,
            within=UNSURE_MARGIN,
            limit=MAX_CLOSE,
        )
        if not scored:
            return Answer(language=lang, answered=False, codes=tuple(recognised))
        quoted = self._quoted_labels(toks)
        # an official name typed in the question beats a runner-up that is about as good
        near = [s for s in scored if s.entry_index in quoted and s.score >= scored[0].score - UNSURE_MARGIN]
        if near and scored[0].entry_index not in quoted:
            scored = [near[0], *(s for s in scored if s is not near[0])]
        elif not self._by_name(scored[0]):
            # as good as the best, matched by its own name ("Pull") rather than by a phrase
            # ("wat is pull", the overview's): the entry that has that name is meant
            named = [s for s in scored[1:] if s.score >= scored[0].score - TIE and self._by_name(s)]
            if named:
                scored = [named[0], *(s for s in scored if s is not named[0])]
        top = scored[0]
        entry = self.kb.entries[top.entry_index]
        tied = [self.kb.entries[s.entry_index] for s in scored[1:] if s.score >= top.score - TIE]
        # entries that list the very phrase that matched share it: both are what was asked
        # ("rejected by vecozo": the action Afkeuren and the status Afgekeurd door dienst)
        shared = [
            self.kb.entries[s.entry_index]
            for s in scored[1:]
            if s.score >= top.score - TIE and fold(s.phrase) == fold(top.phrase)
        ]
        # Entries with the same label in different domains (a code list per standard) are
        # one answer in several variants. Another entry as good as the best one means the
        # question is about two things ("verschil tussen afzender en indiener") or could be
        # read two ways: unless the best one matches very well, both are answered.
        variants = [e for e in tied if e.label == entry.label and e.domains != entry.domains]
        others = [e for e in tied if e not in variants]
        # A close runner-up that explains other words of the question than the best one.
        others += [
            self.kb.entries[s.entry_index]
            for s in scored[1:]
            if s.score >= top.score - UNSURE_MARGIN and s.words - top.words and top.words - s.words
        ]
        vetoed = bool(self.out_of_domain & set(toks)) and top.score < CLEAR
        weak = top.evidence < min_evidence
        good = (
            top.score >= ANSWER_AT
            or (top.score >= SOFT_ANSWER_AT and top.evidence >= STRONG_EVIDENCE and top.share >= SOFT_SHARE)
            or top.entry_index in quoted
        )
        if good and not (vetoed or weak):
            hint = {d for d, words in self.domain_cues.items() if words & set(toks)}
            chosen = self._pick_domain([entry, *variants], hint)
            if others and top.score < CLEAR:
                chosen.append(others[0])
            chosen += [e for e in shared[:1] if e not in chosen]
            if top.entry_index in quoted:  # "verschil tussen 'Wordt verwerkt' en 'Verwerking voltooid'"
                chosen += [self.kb.entries[i] for i in sorted(quoted) if self.kb.entries[i] not in chosen]
                chosen = chosen[:MAX_QUOTED]
            close = [
                self.kb.entries[s.entry_index]
                for s in scored[1:]
                if s.score >= max(SUGGEST_AT, top.score - UNSURE_MARGIN)
            ]
            runners = [self._suggest(e, lang) for e in close if e not in chosen and e not in variants]
            runners = runners[:MAX_SUGGESTIONS]
            items = [self._item(e, None, toks) for e in chosen]
            return self._finish(lang, items, recognised, [], runners, round(top.score * 100), now, [])
        suggestions = (
            []
            if vetoed
            else [
                self._suggest(self.kb.entries[s.entry_index], lang)
                for s in scored[:MAX_SUGGESTIONS]
                if s.score >= SUGGEST_AT
            ]
        )
        return Answer(
            language=lang,
            answered=False,
            codes=tuple(recognised),
            suggestions=tuple(suggestions),
            confidence=round(top.score * 100),
        )

    def _finish(
        self,
        lang: str,
        items: list[Item],
        recognised: list[str],
        unknown: list[str],
        suggestions: list[Suggestion],
        confidence: int,
        now: datetime,
        needs_cue: list[str],
    ) -> Answer:
        contact_ids: list[str] = []
        for item in items:
            ids = [item.entry.id] if item.entry.kind == "contact" else item.entry.escalate_to
            contact_ids += [c for c in ids if c not in contact_ids]
        contacts = []
        for cid in contact_ids:
            c = self.kb.by_id[cid]
            state = opening(c.hours, now) if c.hours else None
            contacts.append(
                ContactInfo(c, state.open_now if state else None, state.next_open if state else None)
            )
        return Answer(
            language=lang,
            answered=True,
            items=tuple(items),
            codes=tuple(recognised),
            unknown_codes=tuple(unknown),
            suggestions=tuple(_unique(suggestions)),
            confidence=confidence,
            contacts=tuple(contacts),
            needs_cue=tuple(needs_cue),
        )

    def _item(self, entry: Entry, code: str | None, toks: list[str]) -> Item:
        values: tuple[tuple[str, str], ...] = ()
        if entry.values and toks:
            asked = set(toks)
            values = tuple(v for v in entry.values if fold(v[0]) in asked)
        limits: tuple[Entry, ...] = ()
        if entry.kind == "retourcode" and "Wlz" in entry.domains:
            limits = tuple(self.kb.limits_by_retourcode.get(entry.codes[0], ()))
        related = tuple(
            self.kb.by_id[r] for r in entry.related if r in self.kb.by_id and self.kb.by_id[r] not in limits
        )
        answers = self.kb.by_id.get(entry.answers) if entry.answers else None
        listing = (
            tuple(sorted(self.kb.of_kind(entry.overview_of), key=lambda e: e.codes[0]))
            if entry.overview_of
            else ()
        )
        in_lists = tuple(lst for lst in entry.lists if code and code in lst.codes)
        return Item(
            entry=entry,
            code=code,
            limits=limits,
            values=values,
            answers=answers,
            related=related,
            in_lists=in_lists,
            listing=listing,
        )

    def _pick_domain(self, entries: list[Entry], hint: Iterable[str]) -> list[Entry]:
        if len(entries) > 1 and hint:
            chosen = [e for e in entries if set(hint) & set(e.domains)]
            if chosen:
                return chosen
        return entries

    def _quoted_labels(self, toks: list[str]) -> set[int]:
        """The entries whose official name is in the question as typed: a name of two words
        or more, or names of one word when the question holds several of the same kind."""
        found: set[int] = set()
        for n in range(2, self.label_words + 1):
            for start in range(len(toks) - n + 1):
                found |= self.labels.get(" ".join(toks[start : start + n]), set())
        by_kind: dict[str, set[int]] = {}
        for t in toks:
            for i in self.word_labels.get(t, ()):
                by_kind.setdefault(self.kb.entries[i].kind, set()).add(i)
        for named in by_kind.values():
            if len(named) >= 2:
                found |= named
        return found

    def _by_name(self, scored: Scored) -> bool:
        """Did the entry match through its own label or title?"""
        e = self.kb.entries[scored.entry_index]
        names = [e.label, *((e.title.nl, e.title.en) if e.title else ())]
        return scored.phrase in names

    def _is_standard(self, number: str) -> bool:
        return any(e.kind == "standaard" for e in self.kb.by_code.get(number, ()))

    def _known(self, code: str) -> bool:
        return code in self.kb.by_code or code in self.kb.by_prestatiecode

    def _reportable(self, f: codes_mod.Found, cue: bool, bare: bool, amount: bool = False) -> bool:
        """Is this unknown code-shaped token a code the person asked about?

        Not a year ("in 2026"), and not a sum of money ("ToegekendBedrag 2500, hoeveel euro?")
        unless the question calls it a code."""
        if f.shape in ALWAYS_CODE:
            return True
        if f.shape in ("prestatie", "spaced"):
            return _letters(f.code) in self.code_prefixes
        if f.shape == "number4":
            return not codes_mod.is_year(f.code) and (cue or not amount)
        return cue or bare  # number3: "100 karakters" is not a code, "berichtcode 100" is

    def _near(self, code: str, lang: str) -> list[Suggestion]:
        out = []
        for near in codes_mod.near(code, self.known_codes):
            for e in self.kb.by_code.get(near, []) or self.kb.by_prestatiecode.get(near, []):
                out.append(self._suggest(e, lang, near))
        return out

    def _suggest(self, entry: Entry, lang: str, code: str | None = None) -> Suggestion:
        return Suggestion(entry.id, entry.heading(lang), code or (entry.codes[0] if entry.codes else None))


def _letters(code: str) -> str:
    i = 0
    while i < len(code) and code[i].isalpha():
        i += 1
    return code[:i]


def _dedupe(items: list[Item]) -> list[Item]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.entry.id not in seen:
            seen.add(item.entry.id)
            out.append(item)
    return out


def _unique(suggestions: list[Suggestion]) -> list[Suggestion]:
    seen: set[str] = set()
    out = []
    for s in suggestions:
        if s.entry_id not in seen:
            seen.add(s.entry_id)
            out.append(s)
    return out
