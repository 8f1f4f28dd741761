"""Load and validate a knowledge directory.

`load(directory)` returns a `KnowledgeBase` or raises `KnowledgeError` carrying every
problem found, each as `file:line: field: message`. Nothing is half-loaded: one problem
and the whole directory is refused.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.engine.schema import (
    KIND_FIELDS,
    REQUIRED_FOR_KIND,
    EntriesFile,
    Entry,
    Language,
    LanguageFile,
    Source,
    SourcesFile,
)

SOURCES_FILE = "sources.yaml"
LANGUAGE_FILE = "language.yaml"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
CODE_RE = re.compile(r"^[A-Z0-9]+$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class KnowledgeError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class KnowledgeBase:
    entries: list[Entry]
    sources: dict[str, Source]
    language: Language
    by_id: dict[str, Entry] = field(default_factory=dict)
    # code -> entries answering it exactly (several when the code lives in several domains)
    by_code: dict[str, list[Entry]] = field(default_factory=dict)
    # prestatiecode -> limit entries that mention it
    by_prestatiecode: dict[str, list[Entry]] = field(default_factory=dict)
    # retourcode -> limit entries it enforces
    limits_by_retourcode: dict[str, list[Entry]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for e in self.entries:
            self.by_id[e.id] = e
            for c in e.codes:
                self.by_code.setdefault(c, []).append(e)
            for c in e.prestatiecodes:
                self.by_prestatiecode.setdefault(_code(c), []).append(e)
            for c in {_code(c) for lst in e.lists for c in lst.codes}:
                self.by_prestatiecode.setdefault(c, []).append(e)
            if e.retourcode:
                self.limits_by_retourcode.setdefault(e.retourcode, []).append(e)

    def contacts_for(self, entry: Entry) -> list[Entry]:
        return [self.by_id[c] for c in entry.escalate_to]

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]


def _code(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


# --------------------------------------------------------------------------- YAML + lines


# libyaml's parser when PyYAML has it (almost always): same nodes and line marks, 5x faster.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _parse(path: Path, display: str) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML file; return the data and the line of every key and list item."""
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Path_, int] = {(): node.start_mark.line + 1}
        dupes: list[Problem] = []
        _walk(node, (), lines, dupes, display)
        if dupes:
            raise KnowledgeError(dupes)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return data, lines


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], dupes: list[Problem], display: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            k = str(key.value)
            if k in seen:
                dupes.append(Problem(display, key.start_mark.line + 1, _dotted(path + (k,)), "duplicate key"))
            seen.add(k)
            lines[path + (k,)] = key.start_mark.line + 1
            _walk(value, path + (k,), lines, dupes, display)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _walk(item, path + (i,), lines, dupes, display)


def _line(lines: dict[Path_, int], path: Path_) -> int:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(file)"


# --------------------------------------------------------------------------- validation


@functools.cache
def _adapter(kind: type) -> Any:
    """One pydantic TypeAdapter per file type: building one costs more than validating a file."""
    from pydantic import TypeAdapter

    return TypeAdapter(kind)


def _validate(kind: type, data: Any, display: str, lines: dict[Path_, int]) -> tuple[Any, list[Problem]]:
    from pydantic import ValidationError

    try:
        return _adapter(kind).validate_python(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc: Path_ = tuple(
                p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))
            )
            msg = err["msg"]
            if err["type"] == "missing":
                msg = "required field is missing"
                where = _line(lines, loc[:-1])
            elif err["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
                msg = "unknown field (a typo?)"
                where = _line(lines, loc)
            else:
                where = _line(lines, loc)
            problems.append(Problem(display, where, _entry_field(data, loc), msg))
        return None, problems


def _entry_field(data: Any, loc: Path_) -> str:
    """Name a field the way a person finds it: `entries[3](wlz-retourcode-8290).text.nl`."""
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        try:
            ident = data["entries"][loc[1]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            ident = None
        head = f"entries[{loc[1]}]" + (f"({ident})" if ident else "")
        rest = _dotted(loc[2:])
        return head + ("." + rest if loc[2:] and not rest.startswith("[") else rest if loc[2:] else "")
    return _dotted(loc)


def _check_entry(e: Entry, i: int, display: str, lines: dict[Path_, int]) -> list[Problem]:
    problems: list[Problem] = []
    base: Path_ = ("entries", i)
    name = f"entries[{i}]({e.id})"

    def add(fieldname: str, message: str) -> None:
        problems.append(Problem(display, _line(lines, base + (fieldname,)), f"{name}.{fieldname}", message))

    if not ID_RE.match(e.id):
        add("id", "must be lower-case letters, digits, '.' and '-'")
    for c in e.codes:
        if not CODE_RE.match(c):
            add("codes", f"{c!r} must be upper-case letters and digits, no spaces")
    for lst in e.lists:
        for c in lst.codes:
            if not CODE_RE.match(c):
                add("lists", f"{c!r} must be upper-case letters and digits, no spaces")
    for fieldname, kinds in KIND_FIELDS.items():
        value = getattr(e, fieldname)
        if value not in (None, [], False) and e.kind not in kinds:
            add(fieldname, f"only allowed for kind {', '.join(kinds)}")
    for fieldname in REQUIRED_FOR_KIND.get(e.kind, ()):
        if getattr(e, fieldname) in (None, []):
            add(fieldname, f"required for kind {e.kind}")
    if not (e.phrases.nl or e.phrases.en) and not e.codes:
        add("phrases", "give at least one phrase (or a code) so the entry can be found")
    if not e.text.nl or not e.text.en:
        add("text", "both nl and en are required and may not be empty")
    if e.hours is not None:
        for t in ("open", "close"):
            if not TIME_RE.match(getattr(e.hours, t)):
                add("hours", f"{t} must be HH:MM")
    return problems


def _check_links(
    kb_entries: list[tuple[Entry, str, dict[Path_, int], int]], sources: dict[str, Source]
) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, Entry] = {}
    first_seen: dict[str, str] = {}
    code_domain: dict[tuple[str, str], str] = {}

    def problem(
        display: str, lines: dict[Path_, int], i: int, e: Entry, fieldname: str, message: str
    ) -> Problem:
        return Problem(
            display, _line(lines, ("entries", i, fieldname)), f"entries[{i}]({e.id}).{fieldname}", message
        )

    for e, display, lines, i in kb_entries:
        if e.id in by_id:
            problems.append(
                problem(display, lines, i, e, "id", f"duplicate id, first defined in {first_seen[e.id]}")
            )
        else:
            by_id[e.id] = e
            first_seen[e.id] = f"{display}:{_line(lines, ('entries', i, 'id'))}"
        if e.source not in sources:
            problems.append(
                problem(display, lines, i, e, "source", f"unknown source {e.source!r} (see sources.yaml)")
            )
        domains: list[str] = list(e.domains) or ["-"]
        for c in e.codes:
            for d in domains:
                other = code_domain.get((c, d))
                if other:
                    message = f"duplicate code {c} in domain {d}, also in {other}"
                    problems.append(problem(display, lines, i, e, "codes", message))
                else:
                    code_domain[(c, d)] = f"{display}:{_line(lines, ('entries', i, 'codes'))} ({e.id})"
    for e, display, lines, i in kb_entries:
        for fieldname in ("escalate_to", "related"):
            for ref in getattr(e, fieldname):
                target = by_id.get(ref)
                if target is None:
                    problems.append(problem(display, lines, i, e, fieldname, f"unknown id {ref!r}"))
                elif fieldname == "escalate_to" and target.kind != "contact":
                    problems.append(problem(display, lines, i, e, fieldname, f"{ref!r} is not a contact"))
        if e.answers and e.answers not in by_id:
            problems.append(problem(display, lines, i, e, "answers", f"unknown id {e.answers!r}"))
    return problems


# --------------------------------------------------------------------------- entry point


def load(directory: str | Path) -> KnowledgeBase:
    """Validate every file of `directory` and build the knowledge base, or raise."""
    root = Path(directory)
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), 0, "(directory)", "not a directory")])
    files = sorted(root.glob("*.yaml"))
    problems: list[Problem] = []
    entries: list[tuple[Entry, str, dict[Path_, int], int]] = []
    sources: dict[str, Source] = {}
    language: Language | None = None

    for path in files:
        display = _display(path)
        try:
            data, lines = _parse(path, display)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark is not None else 1
            reason = getattr(exc, "problem", None) or str(exc)
            problems.append(Problem(display, line, "(yaml)", f"not valid YAML: {reason}"))
            continue
        except UnicodeDecodeError as exc:
            problems.append(Problem(display, 1, "(file)", f"not UTF-8 text: {exc.reason}"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(display, 1, "(file)", "must be a mapping (e.g. `entries:`)"))
            continue
        if path.name == SOURCES_FILE:
            parsed, errs = _validate(SourcesFile, data, display, lines)
            problems.extend(errs)
            if parsed:
                sources = {s.id: s for s in parsed.sources}
        elif path.name == LANGUAGE_FILE:
            parsed, errs = _validate(LanguageFile, data, display, lines)
            problems.extend(errs)
            if parsed:
                language = parsed.language
        else:
            parsed, errs = _validate(EntriesFile, data, display, lines)
            problems.extend(errs)
            if parsed:
                for i, e in enumerate(parsed.entries):
                    problems.extend(_check_entry(e, i, display, lines))
                    entries.append((e, display, lines, i))

    if not sources and not any(p.file.endswith(SOURCES_FILE) for p in problems):
        problems.append(
            Problem(str(root / SOURCES_FILE), 1, "sources", "missing: every entry needs a source")
        )
    if language is None and not any(p.file.endswith(LANGUAGE_FILE) for p in problems):
        problems.append(Problem(str(root / LANGUAGE_FILE), 1, "language", "missing: the engine needs it"))
    problems.extend(_check_links(entries, sources))
    if problems:
        raise KnowledgeError(problems)
    assert language is not None
    return KnowledgeBase(entries=[e for e, *_ in entries], sources=sources, language=language)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def default_dir() -> Path:
    """`knowledge/` next to the package in a checkout; the packaged copy when installed."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "knowledge", here / "knowledge"):
        if candidate.is_dir():
            return candidate
    return here.parent / "knowledge"
