"""Read a WMO325/JW325 retour message: hardened, streaming, namespace-agnostic.

* Hardened: defusedxml's parser with `forbid_dtd`, `forbid_entities` and `forbid_external`;
  a 325 never has a DTD, so any DOCTYPE (billion laughs, external entities) is refused before
  a single entity is declared.
* Streaming: the file is fed to the parser in 64 KiB chunks and no element tree is built: a
  target keeps the path of open elements and the record being read, so memory stays flat
  however many prestaties the file holds; `read_325` yields one record at a time.
* Limits: at most `MAX_BYTES` are read from a file, or from the one file inside a zip (the
  declared size is checked first, the bytes actually inflated are counted as well).
* Namespace-agnostic: only local names count; the message is recognised by its namespace
  (`.../ijw/3_2/jw325/schema`) and by its BerichtCode.

The structure follows the iJw 3.2 JW325 schema (WMO325 mirrors it): Bericht / Header,
DeclaratieAntwoord / Clienten / Client / Prestaties / Prestatie, each level with RetourCodes.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import BinaryIO, Protocol
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from bot.engine.privacy import mask_bsn
from bot.explain.errors import MAX_BYTES, ExplainError, unreadable
from bot.explain.model import Amount, Answer, Client, Header, Prestatie, Standard

# BerichtCode (Vektis COD002) of the 3.2 declaration messages, from the schemas' patterns.
MESSAGES: dict[str, tuple[str, Standard]] = {
    "484": ("WMO323", "iWmo"),
    "485": ("WMO325", "iWmo"),
    "490": ("JW323", "iJw"),
    "491": ("JW325", "iJw"),
}
RELEASE = "3.2"
_NAMESPACE = re.compile(r"/(iwmo|ijw)/(\d+)_(\d+)/((?:wmo|jw)\d{3})/schema$", re.IGNORECASE)
_CODE = re.compile(r"^[0-9A-Z]{4}$")
_INTEGER = re.compile(r"[0-9]{1,12}")  # LDT_TotaalBedrag is at most 999999999999 (12 digits)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

Record = Header | Answer | Client | Prestatie


class _Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


class _Limited:
    """A read-only stream that refuses to deliver more than `limit` bytes."""

    def __init__(self, raw: _Readable, limit: int = MAX_BYTES, zipped: bool = False) -> None:
        self.raw = raw
        self.limit = limit
        self.zipped = zipped  # a member of a zip: any failure to inflate it is a damaged zip
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        want = self.limit + 1 - self.count if n < 0 else min(n, self.limit + 1 - self.count)
        try:
            data = self.raw.read(max(want, 1))
        except OSError as exc:  # a disk or pipe that fails while being read
            if not self.zipped:
                raise unreadable(exc) from None
            raise ExplainError("zip_bad") from None
        except Exception:  # inflating a damaged member: BadZipFile (CRC), zlib.error, EOFError, ...
            if not self.zipped:
                raise
            raise ExplainError("zip_bad") from None
        self.count += len(data)
        if self.count > self.limit:
            raise ExplainError("too_large")
        return data


@contextmanager
def xml_stream(raw: BinaryIO, size: int) -> Iterator[_Limited]:
    """The XML bytes of a file of `size` bytes: the file itself, or the one file in a zip."""
    if size > MAX_BYTES:
        raise ExplainError("too_large")
    if size == 0:
        raise ExplainError("empty")
    head = raw.read(4)
    raw.seek(0)
    if head not in _ZIP_MAGIC:
        yield _Limited(raw)
        return
    try:
        archive = zipfile.ZipFile(raw)
    except Exception:  # BadZipFile, but a damaged directory also gives OSError, ValueError, ...
        raise ExplainError("zip_bad") from None
    with archive:
        files = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        if not files:
            raise ExplainError("zip_empty")
        if len(files) > 1:
            raise ExplainError("zip_many", count=len(files))
        info = files[0]
        if info.flag_bits & 0x1:
            raise ExplainError("zip_encrypted")
        if info.file_size > MAX_BYTES:
            raise ExplainError("too_large")
        if info.file_size == 0:
            raise ExplainError("empty")
        try:
            member = archive.open(info)
        except Exception:  # BadZipFile, NotImplementedError ("zip file version 19.7"), ValueError, ...
            raise ExplainError("zip_bad") from None
        with member:
            yield _Limited(member, zipped=True)


class _Fields:
    """The leaf values and retourcodes of one record (Header, DeclaratieAntwoord, Client, Prestatie)."""

    def __init__(self, name: str, depth: int) -> None:
        self.name = name
        self.depth = depth
        self.values: dict[str, str] = {}
        self.codes: dict[str, None] = {}  # in order, each once
        self.prestaties = 0
        self.bsn = ""  # masked; a Prestatie takes its client's

    def get(self, key: str) -> str:
        value = self.values.get(key, "")
        if not value:
            raise ExplainError("missing", field=f"{self.name}/{key}")
        return value

    def optional(self, key: str) -> str | None:
        return self.values.get(key) or None

    def integer(self, key: str) -> int:
        value = self.get(key)
        if not _INTEGER.fullmatch(value):  # ASCII digits only: str.isdigit() also takes "²" and "٤"
            raise ExplainError("bad_value", field=f"{self.name}/{key}", expected="integer")
        return int(value)

    def day(self, key: str) -> date:
        try:
            return date.fromisoformat(self.get(key))
        except ValueError:
            raise ExplainError("bad_value", field=f"{self.name}/{key}", expected="date") from None

    def amount(self, key: str, total: bool = False) -> Amount:
        cents = self.integer(f"{key}/{'TotaalBedrag' if total else 'Bedrag'}")
        dc = self.get(f"{key}/DebetCredit")
        if dc not in ("D", "C"):
            raise ExplainError("bad_value", field=f"{self.name}/{key}/DebetCredit", expected="dc")
        return Amount(cents, dc)


_RECORDS = {
    "Header": "Bericht",
    "DeclaratieAntwoord": "Bericht",
    "Client": "Clienten",
    "Prestatie": "Prestaties",
}
# The leaf values read from each record, as paths below it (JW325.xsd; WMO325 mirrors it). Text
# anywhere else (other elements, whitespace between elements) is not even collected.
_LEAVES: dict[str, frozenset[str]] = {
    "Header": frozenset(
        {
            "BerichtCode",
            "BerichtVersie",
            "BerichtSubversie",
            "Afzender",
            "Ontvanger",
            "BerichtIdentificatie/Identificatie",
            "BerichtIdentificatie/Dagtekening",
            "DeclaratieIdentificatie/Identificatie",
            "DeclaratieIdentificatie/Dagtekening",
        }
    ),
    "DeclaratieAntwoord": frozenset(
        {
            "DeclaratieNummer",
            "TotaalIngediendBedrag/TotaalBedrag",
            "TotaalIngediendBedrag/DebetCredit",
            "TotaalToegekendBedrag/TotaalBedrag",
            "TotaalToegekendBedrag/DebetCredit",
        }
    ),
    "Client": frozenset({"Bsn"}),
    "Prestatie": frozenset(
        {
            "ProductReferentie/ReferentieNummer",
            "ProductReferentie/VorigReferentieNummer",
            "ToewijzingNummer",
            "ProductCategorie",
            "ProductCode",
            "ProductPeriode/Begindatum",
            "ProductPeriode/Einddatum",
            "GeleverdVolume",
            "Eenheid",
            "ProductTarief",
            "IngediendBedrag/Bedrag",
            "IngediendBedrag/DebetCredit",
        }
    ),
}
_CODE_PATH = "RetourCodes/RetourCode"
# what is read below each record: its leaves and retourcodes, and the paths leading to them
_READ = {name: leaves | {_CODE_PATH} for name, leaves in _LEAVES.items()}
_TOWARDS = {
    name: frozenset(path.rsplit("/", i)[0] for path in read for i in range(path.count("/") + 1))
    for name, read in _READ.items()
}

# Bounds on what a file of at most 25 MB can make the reader hold, whatever its shape. A 325's
# longest value has 36 characters, its deepest element is 8 levels down, it uses about 50
# element names and the code list has 59 retourcodes.
MAX_TEXT = 256  # characters of one value
MAX_DEPTH = 32  # open elements
MAX_NAMES = 256  # distinct element and attribute names (the parser caches each)
MAX_CODES = 200  # distinct retourcodes in one file
MAX_RUN = 64 * 1024  # bytes without a "<" or without a ">": one tag, text or gap that long


CHUNK = 64 * 1024


def read_325(stream: _Readable) -> Iterator[Record]:
    """Yield the Header, then every Prestatie and Client as each ends, then the Answer.

    Raises ExplainError for anything that is not a readable WMO325/JW325 of release 3.2.
    """
    target = _Target()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    # expat's events go to the target directly: ElementTree's XMLParser would build an attribute
    # dict per element and cache every name it sees, without bound
    parser.parser.StartElementHandler = target.start
    parser.parser.EndElementHandler = target.end
    first = True
    declared = False  # the file starts with an XML declaration: broken, not "not XML", if it fails
    runs = [0, 0]  # bytes since the last "<" and since the last ">"
    try:
        while chunk := stream.read(CHUNK):
            if first:
                declared = _check_head(chunk)
                first = False
            _check_runs(chunk, runs)
            parser.feed(chunk)
            yield from target.drain()
        parser.close()
        yield from target.drain()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 0
        raise ExplainError("broken_xml" if target.root_seen or declared else "not_xml", line=line) from None
    except DefusedXmlException:
        raise ExplainError("hostile") from None
    except (LookupError, ValueError):
        # the declared encoding is looked up by pyexpat when it reads the declaration, before
        # the root element: LookupError ("KTF-8", "rot13"), ValueError (multi-byte encodings)
        if target.root_seen:
            raise
        raise ExplainError("encoding") from None
    if target.header is None:
        raise ExplainError("missing", field="Header")


def _check_runs(chunk: bytes, runs: list[int]) -> None:
    """Refuse MAX_RUN bytes without a "<" or without a ">": a tag (attributes), a text, a
    comment or whitespace that long. expat holds a whole tag in memory (and ElementTree all
    of its attributes); a 325 has nothing longer than a few hundred bytes between the two.
    A chunk is never longer than MAX_RUN, so only the runs across chunks need adding up."""
    for i, sign in enumerate((b"<", b">")):
        first = chunk.find(sign)
        if first < 0:
            runs[i] += len(chunk)
        else:
            runs[i] += first
        if runs[i] > MAX_RUN:
            raise ExplainError("long_run")
        if first >= 0:
            runs[i] = len(chunk) - chunk.rfind(sign) - 1


# The encodings a 325 can come in: UTF-8 (the iStandaarden's), and what expat reads natively or
# byte for byte: UTF-16, ASCII, the ISO-8859 family and its Windows superset cp1252.
ENCODINGS = frozenset(
    {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "ascii", "cp1252"}
    | {f"iso8859-{n}" for n in range(1, 17) if n != 12}
)
_XML_DECLARATION = re.compile(rb"\s*<\?xml\s([^>]{0,400}?)\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']{0,64})["']""")


def _head_as_ascii(head: bytes) -> bytes:
    """The first bytes as ASCII-compatible bytes, whatever the byte order mark says."""
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    for mark, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(mark):
            return head[2:512].decode(codec, "replace").encode("ascii", "replace")
    for start, codec in ((b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be")):
        if head.startswith(start):
            return head[:512].decode(codec, "replace").encode("ascii", "replace")
    return head


_HTML = re.compile(  # a web page: <!DOCTYPE html> or <html>, after a declaration and comments
    rb"(?:\s*<\?xml\s[^>]*\?>)?(?:\s*<!--.*?-->)*\s*<(?:!doctype\s+)?html(?=[\s>/\[])", re.I | re.S
)


def _check_head(head: bytes) -> bool:
    """Refuse an HTML page, and an encoding other than those in ENCODINGS named in the XML
    declaration. True when the file starts as XML does (with its declaration)."""
    ascii_head = _head_as_ascii(head)
    if _HTML.match(ascii_head):
        raise ExplainError("html")
    declaration = _XML_DECLARATION.match(ascii_head)
    named = _ENCODING.search(declaration.group(1)) if declaration else None
    if named is not None:  # else UTF-8 (or UTF-16 by its mark)
        try:
            codec = codecs.lookup(named.group(1).decode("ascii", "replace"))
        except LookupError:
            raise ExplainError("encoding") from None
        if codec.name not in ENCODINGS:
            raise ExplainError("encoding")
    return ascii_head.lstrip().startswith(b"<?xml")


class _Target:
    """The parser's target: keeps only the path of open elements and the record being read.

    No element tree is built; each record (Header, Prestatie, Client, DeclaratieAntwoord) is
    turned into a dataclass when it ends and handed out by `drain()`. Only the text of the
    leaves in _LEAVES is collected, at most MAX_TEXT characters of it; depth, names and
    retourcodes are bounded too (see the MAX_ constants), so memory stays flat whatever the
    file holds. It takes expat's events as they come (tags "namespace}local", attributes as
    a list of names and values).
    """

    def __init__(self) -> None:
        self.names: list[str] = []  # local names of the open elements
        # per open element, its path below the innermost record ("" for the record itself),
        # or None where no leaf that is read can lie below it
        self.paths: list[str | None] = []
        self.records: list[_Fields] = []  # the records being read, outermost first
        self.leaf: str | None = None  # the path of the leaf being read, below the innermost record
        self.text: list[str] = []
        self.size = 0  # characters in self.text
        self.out: list[Record] = []
        self.locals: dict[str, str] = {}  # expat name -> local name; at most MAX_NAMES
        self.codes: set[str] = set()  # distinct retourcodes of the file; at most MAX_CODES
        self.once: set[str] = set()  # Header, DeclaratieAntwoord seen
        self.root_ns = ""
        self.root_seen = False
        self.header: Header | None = None

    def drain(self) -> list[Record]:
        out, self.out = self.out, []
        return out

    def _new_name(self, tag: str) -> str:
        if len(self.locals) >= MAX_NAMES:
            raise ExplainError("too_many_names")
        name = self.locals[tag] = tag.rsplit("}", 1)[-1]
        return name

    def start(self, tag: str, attributes: list[str]) -> None:
        name = self.locals.get(tag) or self._new_name(tag)
        if attributes:  # a 325 has none worth reading; their names still count
            for attribute in attributes[::2]:
                if attribute not in self.locals:
                    self._new_name(attribute)
        names = self.names
        depth = len(names)
        if depth >= MAX_DEPTH:
            raise ExplainError("too_deep")
        self.leaf = path = None
        if not depth:
            self.root_seen = True
            self.root_ns = tag.rsplit("}", 1)[0] if "}" in tag else ""
            _check_root(name, self.root_ns)
        elif name in _RECORDS and names[-1] == _RECORDS[name]:
            if depth == 1 or _RECORDS[name] != "Bericht":
                self._open(name, depth)
                path = ""
            else:  # a Header or DeclaratieAntwoord below another element
                raise ExplainError("duplicate", field=name)
        else:
            parent = self.paths[-1]
            if parent is not None:
                record = self.records[-1].name
                path = f"{parent}/{name}" if parent else name
                if path not in _TOWARDS[record]:
                    path = None
                elif path in _READ[record]:
                    self.leaf = path
        names.append(name)
        self.paths.append(path)
        if self.text:
            self.text.clear()
        self.size = 0

    def _open(self, name: str, depth: int) -> None:
        if depth == 1:  # Header, DeclaratieAntwoord: once each, under the root
            if name in self.once:
                raise ExplainError("duplicate", field=name)
            self.once.add(name)
        record = _Fields(name, depth + 1)
        if name == "Prestatie" and self.records:
            record.bsn = self.records[-1].bsn
        self.records.append(record)

    def data(self, text: str) -> None:
        if self.leaf is None:
            return
        self.size += len(text)
        if self.size > MAX_TEXT:
            raise ExplainError("too_long", field=f"{self.records[-1].name}/{self.leaf}", limit=MAX_TEXT)
        self.text.append(text)

    def end(self, tag: str) -> None:
        leaf, self.leaf = self.leaf, None  # a leaf's parent is never a leaf
        if self.paths.pop() == "":  # a whole record has been read
            current = self.records.pop()
            built = _build(current, self.root_ns, self.header)
            if isinstance(built, Header):
                self.header = built
            elif isinstance(built, Prestatie) and self.records:
                self.records[-1].prestaties += 1
            self.out.append(built)
        elif leaf is not None:
            current = self.records[-1]
            text = "".join(self.text).strip()
            if leaf == _CODE_PATH:
                self._code(current, text)
            elif leaf in current.values:
                raise ExplainError("duplicate", field=f"{current.name}/{leaf}")
            elif leaf == "Bsn":
                current.values[leaf] = ""  # seen (the number itself is not kept)
                current.bsn = mask_bsn(text)  # the full BSN is never kept
            else:
                current.values[leaf] = text
        if self.text:
            self.text.clear()
        self.size = 0
        self.names.pop()

    def _code(self, record: _Fields, code: str) -> None:
        if not code:
            raise ExplainError("missing", field=f"{record.name}/RetourCode")
        if not _CODE.match(code):  # "9307 x", "s300": kept as it is, so shown as an unknown code
            code = " ".join(code.split())
            code = code if len(code) <= 12 else code[:11] + "…"
        if code not in self.codes:
            if len(self.codes) >= MAX_CODES:
                raise ExplainError("too_many_codes", limit=MAX_CODES)
            self.codes.add(code)
        record.codes[code] = None

    def close(self) -> None:
        return None


def _check_root(name: str, namespace: str) -> None:
    if name.lower() == "html":
        raise ExplainError("html")
    if name != "Bericht":
        raise ExplainError("not_istandaard")
    m = _NAMESPACE.search(namespace)
    if not m:
        return  # no (known) namespace: the BerichtCode decides
    message = m.group(4).upper()
    if message in ("WMO323", "JW323"):
        code = next(c for c, (msg, _) in MESSAGES.items() if msg == message)
        raise ExplainError("is_323", message=message, code=code)
    if message not in ("WMO325", "JW325"):
        raise ExplainError("other_message", what=message)
    release = f"{m.group(2)}.{m.group(3)}"
    if release != RELEASE:
        raise ExplainError("unknown_release", message=message, release=release)


def _build(f: _Fields, namespace: str, header: Header | None) -> Header | Answer | Client | Prestatie:
    if f.name == "Header":
        return _header(f, namespace)
    if header is None:
        raise ExplainError("missing", field="Header")
    codes = tuple(f.codes)
    if f.name == "DeclaratieAntwoord":
        return Answer(
            number=f.get("DeclaratieNummer"),
            submitted=f.amount("TotaalIngediendBedrag", total=True),
            granted=f.amount("TotaalToegekendBedrag", total=True),
            codes=codes,
        )
    if f.name == "Client":
        if not f.bsn:
            raise ExplainError("missing", field="Client/Bsn")
        return Client(bsn=f.bsn, prestaties=f.prestaties, codes=codes)
    if not f.bsn:
        raise ExplainError("missing", field="Client/Bsn")
    return Prestatie(
        bsn=f.bsn,
        reference=f.get("ProductReferentie/ReferentieNummer"),
        previous_reference=f.optional("ProductReferentie/VorigReferentieNummer"),
        toewijzing=f.get("ToewijzingNummer"),
        category=f.get("ProductCategorie"),
        product_code=f.get("ProductCode"),
        begin=f.day("ProductPeriode/Begindatum"),
        end=f.day("ProductPeriode/Einddatum"),
        volume=f.integer("GeleverdVolume"),
        unit=f.get("Eenheid"),
        tariff=f.integer("ProductTarief") if f.optional("ProductTarief") else None,
        amount=f.amount("IngediendBedrag"),
        codes=codes,
    )


def _header(f: _Fields, namespace: str) -> Header:
    code = f.get("BerichtCode")
    found = MESSAGES.get(code)
    m = _NAMESPACE.search(namespace)
    if m and (found is None or found[0] != m.group(4).upper()):
        raise ExplainError("mismatch", message=m.group(4).upper(), code=code)
    if found is None:
        raise ExplainError("other_message", what=f"berichtcode {code}")
    message, standard = found
    if message.endswith("323"):
        raise ExplainError("is_323", message=message, code=code)
    release = f"{f.get('BerichtVersie')}.{f.get('BerichtSubversie')}"
    if release != RELEASE:
        raise ExplainError("unknown_release", message=message, release=release)
    return Header(
        standard=standard,
        message=message,
        berichtcode=code,
        release=release,
        sender=f.get("Afzender"),
        receiver=f.get("Ontvanger"),
        identification=f.get("BerichtIdentificatie/Identificatie"),
        date=f.day("BerichtIdentificatie/Dagtekening"),
        declaration_identification=f.get("DeclaratieIdentificatie/Identificatie"),
        declaration_date=f.day("DeclaratieIdentificatie/Dagtekening"),
        codes=tuple(f.codes),
    )
