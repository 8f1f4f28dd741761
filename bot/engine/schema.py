"""The shape of a knowledge entry.

Plain dataclasses: the running bot uses them as they are (and can pickle them without
pydantic). `knowledge.py` validates raw YAML into them with pydantic's TypeAdapter, which
honours `__pydantic_config__` (unknown fields are errors). See docs/knowledge-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Kind = Literal[
    "retourcode",
    "berichtcode",
    "standaard",
    "status",
    "aflevering",
    "veld",
    "howto",
    "topic",
    "limit",
    "codelijst",
    "foutcode",
    "contact",
]
Domain = Literal["Wlz", "iWmo", "iJw", "VECOZO"]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

_STRICT = {"extra": "forbid", "str_strip_whitespace": True}


@dataclass(frozen=True)
class Text:
    """The same thing said in Dutch and in English."""

    __pydantic_config__ = _STRICT

    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class Phrases:
    __pydantic_config__ = _STRICT

    nl: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CodeList:
    """A list of codes a retourcode names ("these Z-codes may go with Z916"), by its title."""

    __pydantic_config__ = _STRICT

    title: Text
    codes: list[str]


@dataclass(frozen=True)
class Hours:
    __pydantic_config__ = _STRICT

    days: list[Day]
    open: str
    close: str
    timezone: str = "Europe/Amsterdam"
    # dates it is closed although they are working days (public holidays), as YYYY-MM-DD;
    # the sources name none, so support staff add them
    closed: list[date] = field(default_factory=list)


@dataclass(frozen=True)
class Entry:
    __pydantic_config__ = _STRICT

    id: str
    kind: Kind
    label: str
    text: Text
    source: str
    codes: list[str] = field(default_factory=list)
    domains: list[Domain] = field(default_factory=list)
    title: Text | None = None
    remedy: Text | None = None
    details: list[Text] = field(default_factory=list)
    steps: list[Text] = field(default_factory=list)
    phrases: Phrases = field(default_factory=Phrases)
    escalate_to: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    note: Text | None = None
    # retourcode: lists of codes it names; asking for one of those codes finds the entry
    lists: list[CodeList] = field(default_factory=list)
    # berichtcode
    message: str | None = None
    answers: str | None = None
    needs_cue: bool = False
    # limit
    prestatiecodes: list[str] = field(default_factory=list)
    max: int | None = None
    unit: Text | None = None
    period: Text | None = None
    retourcode: str | None = None
    # topic: an overview of every entry of this kind (listed under it; an unknown code of
    # that kind is offered the overview)
    overview_of: Kind | None = None
    # codelijst
    values: list[tuple[str, str]] = field(default_factory=list)
    # contact
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    hours: Hours | None = None

    def heading(self, lang: str) -> str:
        return self.title.get(lang) if self.title else self.label


@dataclass(frozen=True)
class EntriesFile:
    __pydantic_config__ = _STRICT

    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    __pydantic_config__ = _STRICT

    id: str
    title: str
    file: str
    note: str | None = None


@dataclass(frozen=True)
class SourcesFile:
    __pydantic_config__ = _STRICT

    sources: list[Source]


@dataclass(frozen=True)
class Language:
    """Words the engine needs to read a question: see knowledge/language.yaml."""

    __pydantic_config__ = _STRICT

    markers: Phrases
    stopwords: Phrases
    code_cues: list[str]
    domains: dict[Domain, list[str]]
    out_of_domain: list[str] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    light_words: list[str] = field(default_factory=list)
    thanks: list[str] = field(default_factory=list)
    amount_words: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LanguageFile:
    __pydantic_config__ = _STRICT

    language: Language


# Fields that only make sense for one kind of entry.
KIND_FIELDS: dict[str, tuple[Kind, ...]] = {
    "message": ("berichtcode",),
    "answers": ("berichtcode",),
    "needs_cue": ("berichtcode",),
    "prestatiecodes": ("limit",),
    "lists": ("retourcode",),
    "max": ("limit",),
    "unit": ("limit",),
    "period": ("limit",),
    "retourcode": ("limit",),
    "overview_of": ("topic",),
    "values": ("codelijst",),
    "name": ("contact",),
    "phone": ("contact",),
    "email": ("contact",),
    "hours": ("contact",),
}
# Fields a kind cannot do without.
REQUIRED_FOR_KIND: dict[Kind, tuple[str, ...]] = {
    "limit": ("prestatiecodes", "max", "unit", "period"),
    "codelijst": ("values",),
    "contact": ("name", "phone"),
    "berichtcode": ("codes", "message"),
    "retourcode": ("codes",),
    "foutcode": ("codes",),
}
