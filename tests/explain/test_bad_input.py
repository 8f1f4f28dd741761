"""Bad input gets one clear sentence (ExplainError), never a traceback; hostile XML is harmless."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from bot.engine.knowledge import KnowledgeBase
from bot.explain import MAX_BYTES, ExplainError, explain_bytes, explain_file
from bot.explain.errors import _MESSAGES

from .conftest import fixture_bytes, fixture_text

PARTLY = "wmo325-partly-rejected.xml"


def refused(data: bytes, kb: KnowledgeBase, name: str = "retour.xml") -> ExplainError:
    with pytest.raises(ExplainError) as info:
        explain_bytes(data, name, kb)
    return info.value


def zipped(*members: tuple[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


# ------------------------------------------------------------------ not a 325


@pytest.mark.parametrize(
    "data",
    [
        b"Beste gemeente, waarom is mijn declaratie afgewezen?",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"\x00\x01\x02",
    ],
)
def test_not_xml(data: bytes, kb: KnowledgeBase) -> None:
    err = refused(data, kb)
    assert err.kind == "not_xml"
    assert err.message("nl") == (
        "Dit is geen XML-bestand; een 325-retourbericht is XML (of een zip met één XML-bestand erin)."
    )


def test_empty_file(kb: KnowledgeBase, tmp_path: Path) -> None:
    assert refused(b"", kb).kind == "empty"
    (tmp_path / "leeg.xml").write_bytes(b"")
    with pytest.raises(ExplainError, match="empty"):
        explain_file(tmp_path / "leeg.xml", kb)


def test_truncated_xml_names_the_line(kb: KnowledgeBase) -> None:
    data = fixture_bytes(PARTLY)
    cut = data[: data.index(b"<wmo325:Client>", data.index(b"<wmo325:Client>") + 1) + 20]
    err = refused(cut, kb)
    assert err.kind == "broken_xml"
    line = cut.count(b"\n") + 1
    assert err.message("nl") == (
        f"Het XML-bestand is onvolledig of beschadigd (regel {line}); "
        "download het retourbericht opnieuw uit VECOZO."
    )
    assert f"(line {line})" in err.message("en")


def test_a_323_is_your_declaration_not_the_answer(kb: KnowledgeBase) -> None:
    err = refused(fixture_bytes("wmo323-declaration.xml"), kb)
    assert (err.kind, err.params) == ("is_323", {"message": "WMO323", "code": "484"})
    assert err.message("nl") == (
        "Dit is uw declaratie (WMO323, berichtcode 484), niet het antwoord van de gemeente: "
        "de retourcodes staan in het 325-antwoordbericht. Download dat in VECOZO."
    )
    assert "the retourcodes are in the 325 answer" in err.message("en")


def test_a_323_without_namespace_is_known_by_its_berichtcode(kb: KnowledgeBase) -> None:
    text = re.sub(r' xmlns(:\w+)?="[^"]+"', "", fixture_text("wmo323-declaration.xml"))
    text = re.sub(r"<(/?)\w+:", r"<\1", text).replace(">484<", ">490<")
    err = refused(text.encode(), kb)
    assert (err.kind, err.params) == ("is_323", {"message": "JW323", "code": "490"})


def test_unknown_release(kb: KnowledgeBase) -> None:
    text = fixture_text(PARTLY).replace("/3_2/", "/3_1/").replace(">2</wmo325:BerichtSubversie>", ">1<")
    err = refused(text.encode(), kb)
    assert (err.kind, err.params) == ("unknown_release", {"message": "WMO325", "release": "3.1"})
    assert err.message("nl") == (
        "Dit WMO325-bericht is van release 3.1; ik ken alleen release 3.2 "
        "(de retourcodes verschillen per release), dus ik leg het niet uit."
    )
    # no namespace to tell: the header's BerichtVersie/BerichtSubversie do
    bare = re.sub(r"<(/?)\w+:", r"<\1", re.sub(r' xmlns(:\w+)?="[^"]+"', "", fixture_text(PARTLY)))
    bare = bare.replace("<BerichtVersie>3<", "<BerichtVersie>2<")
    assert refused(bare.encode(), kb).params == {"message": "WMO325", "release": "2.2"}


def test_without_namespace_a_325_is_still_explained(kb: KnowledgeBase) -> None:
    bare = re.sub(r"<(/?)\w+:", r"<\1", re.sub(r' xmlns(:\w+)?="[^"]+"', "", fixture_text(PARTLY)))
    x = explain_bytes(bare.encode(), "x.xml", kb)
    assert (x.header.message, x.verdict, x.prestaties) == ("WMO325", "partly", 3)


def test_another_istandaard_message(kb: KnowledgeBase) -> None:
    text = fixture_text(PARTLY).replace("wmo325/schema", "wmo301/schema")
    err = refused(text.encode(), kb)
    assert (err.kind, err.params) == ("other_message", {"what": "WMO301"})
    assert err.message("en") == (
        "This is not a 325 retour message but WMO301; I only explain WMO325 and JW325 messages."
    )


def test_namespace_and_berichtcode_disagree(kb: KnowledgeBase) -> None:
    err = refused(fixture_text(PARTLY).replace(">485<", ">491<").encode(), kb)
    assert (err.kind, err.params) == ("mismatch", {"message": "WMO325", "code": "491"})


def test_xml_that_is_no_istandaard_message(kb: KnowledgeBase) -> None:
    assert refused(b"<rapport><regel>hallo</regel></rapport>", kb).kind == "not_istandaard"


def test_missing_and_malformed_values(kb: KnowledgeBase) -> None:
    text = fixture_text(PARTLY)
    no_granted = re.sub(
        r"<wmo325:TotaalToegekendBedrag>.*?</wmo325:TotaalToegekendBedrag>", "", text, flags=re.S
    )
    err = refused(no_granted.encode(), kb)
    assert (err.kind, err.params) == (
        "missing",
        {"field": "DeclaratieAntwoord/TotaalToegekendBedrag/TotaalBedrag"},
    )
    bad_amount = text.replace(">41220<", ">412,20<")
    err = refused(bad_amount.encode(), kb)
    assert (err.kind, err.params["field"]) == ("bad_value", "Prestatie/IngediendBedrag/Bedrag")
    assert err.message("nl") == (
        "Prestatie/IngediendBedrag/Bedrag heeft geen geldige waarde (verwacht: een geheel getal); "
        "het is geen geldig 325-retourbericht."
    )
    assert refused(text.replace(">2026-01-05<", ">05-01-2026<").encode(), kb).params["expected"] == "date"
    assert refused(text.replace("DebetCredit>D<", "DebetCredit>X<").encode(), kb).params["expected"] == "dc"
    no_bsn = re.sub(r"<wmo325:Bsn>\d+</wmo325:Bsn>", "", text)
    assert refused(no_bsn.encode(), kb).params == {"field": "Client/Bsn"}


def test_a_bsn_is_never_in_an_error(kb: KnowledgeBase) -> None:
    text = fixture_text(PARTLY).replace("<wmo325:Bsn>533257281<", "<wmo325:Bsn>53325728x<")
    text = text.replace(">41220<", ">oops<")
    assert "53325728" not in refused(text.encode(), kb).message("nl")


def test_no_answer_and_no_rejection(kb: KnowledgeBase) -> None:
    text = re.sub(
        r"<DeclaratieAntwoord>.*</DeclaratieAntwoord>",
        "",
        fixture_text("wmo325-fully-granted.xml"),
        flags=re.S,
    )
    assert refused(text.encode(), kb).kind == "no_answer"
    # the same without an answer but with a rejection at message level is explained as rejected
    x = explain_bytes(text.replace("<RetourCode>0200<", "<RetourCode>0001<").encode(), "x.xml", kb)
    assert (x.verdict, x.message_rejected, x.answer) == ("rejected", True, None)


# ------------------------------------------------------------------ size and zip


def test_oversized_file(kb: KnowledgeBase, tmp_path: Path) -> None:
    big = tmp_path / "groot.xml"
    with open(big, "wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: no 25 MB written
    with pytest.raises(ExplainError) as info:
        explain_file(big, kb)
    assert info.value.kind == "too_large"
    assert info.value.message("nl").startswith("Het bestand is groter dan 25 MB")
    assert refused(b"<" * (MAX_BYTES + 1), kb).kind == "too_large"


def test_zip_bomb_is_refused_by_its_declared_size(kb: KnowledgeBase) -> None:
    bomb = zipped(("retour.xml", b"<" + b" " * (MAX_BYTES + 10)))
    assert len(bomb) < 100_000
    assert refused(bomb, kb).kind == "too_large"


def test_zip_bomb_that_lies_about_its_size_is_cut_off(kb: KnowledgeBase) -> None:
    data = bytearray(zipped(("retour.xml", fixture_bytes(PARTLY) + b" " * (MAX_BYTES + 10))))
    # claim 100 bytes uncompressed (local header at 22, central directory at 24): zipfile stops
    # there and the CRC no longer matches
    central = data.rindex(b"PK\x01\x02")
    data[22:26] = data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    assert refused(bytes(data), kb).kind == "zip_bad"


def test_no_stream_delivers_more_than_the_limit() -> None:
    from bot.explain.parse import _Limited

    stream = _Limited(io.BytesIO(b"x" * 250), limit=100)
    assert stream.read(60) == b"x" * 60
    with pytest.raises(ExplainError) as info:
        while stream.read(60):
            pass
    assert info.value.kind == "too_large" and stream.count <= 101


def test_zip_with_one_325_is_explained(kb: KnowledgeBase) -> None:
    x = explain_bytes(zipped(("WMO325_0599_20260206.xml", fixture_bytes(PARTLY))), "download.zip", kb)
    assert (x.header.message, x.verdict, x.prestaties) == ("WMO325", "partly", 3)
    with_folder = zipped(
        ("retour/", b""), ("__MACOSX/._a.xml", b"x"), ("retour/a.xml", fixture_bytes(PARTLY))
    )
    assert explain_bytes(with_folder, "download.zip", kb).prestaties == 3


def test_zip_with_two_files(kb: KnowledgeBase) -> None:
    data = zipped(("a.xml", fixture_bytes(PARTLY)), ("b.xml", fixture_bytes("jw325-fully-rejected.xml")))
    err = refused(data, kb, "download.zip")
    assert (err.kind, err.params) == ("zip_many", {"count": 2})
    assert err.message("nl") == (
        "Het zip-bestand bevat 2 bestanden; ik verwacht er één. "
        "Pak de zip uit en stuur de 325-retourberichten één voor één."
    )


def test_empty_damaged_and_nested_zips(kb: KnowledgeBase) -> None:
    assert refused(zipped(), kb).kind == "zip_empty"
    assert refused(b"PK\x03\x04" + b"\x00" * 200, kb).kind == "zip_bad"
    assert refused(zipped(("inner.zip", zipped(("a.xml", fixture_bytes(PARTLY))))), kb).kind == "not_xml"


def test_password_protected_zip(kb: KnowledgeBase) -> None:
    data = bytearray(zipped(("a.xml", fixture_bytes(PARTLY))))
    central = data.rindex(b"PK\x01\x02")
    data[6] |= 1  # general purpose flag bit 0: encrypted (local header and central directory)
    data[central + 8] |= 1
    err = refused(bytes(data), kb)
    assert err.kind == "zip_encrypted"
    assert err.message("en") == "The zip file is password protected; unzip it yourself and send the XML file."


def test_damaged_zip_member(kb: KnowledgeBase) -> None:
    data = bytearray(zipped(("a.xml", fixture_bytes(PARTLY) * 3)))
    data[60:90] = b"\xff" * 30  # inside the deflated data
    assert refused(bytes(data), kb).kind == "zip_bad"


# ------------------------------------------------------------------ hostile XML

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Bericht [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Bericht xmlns="http://www.istandaarden.nl/iwmo/3_2/wmo325/schema"><Header><Afzender>&lol9;</Afzender></Header></Bericht>
"""


def test_billion_laughs_is_refused(kb: KnowledgeBase) -> None:
    err = refused(BILLION_LAUGHS, kb)
    assert err.kind == "hostile"
    assert err.message("nl") == (
        "Het bestand bevat een DTD of entiteiten; een 325-retourbericht heeft die nooit, "
        "dus het wordt niet gelezen."
    )


def test_external_entity_is_refused_and_never_read(kb: KnowledgeBase, tmp_path: Path) -> None:
    secret = tmp_path / "geheim.txt"
    secret.write_text("SECRET-TOKEN-123", encoding="utf-8")
    text = fixture_text(PARTLY).replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>',
    )
    text = text.replace(">WMO2601-0003<", ">&xxe;<")
    err = refused(text.encode(), kb)
    assert err.kind == "hostile"
    assert "SECRET" not in err.message("nl") + err.message("en") + str(err)


def test_external_dtd_is_refused_without_fetching(kb: KnowledgeBase) -> None:
    data = b'<?xml version="1.0"?>\n<!DOCTYPE Bericht SYSTEM "http://127.0.0.1:9/evil.dtd">\n<Bericht/>'
    assert refused(data, kb).kind == "hostile"


def test_undeclared_entity_is_broken_xml_not_expanded(kb: KnowledgeBase) -> None:
    text = fixture_text(PARTLY).replace(">WMO2601-0003<", ">&xxe;<")
    assert refused(text.encode(), kb).kind == "broken_xml"


# ------------------------------------------------------------------ the sentences themselves


@pytest.mark.parametrize("kind", sorted(_MESSAGES))
def test_every_error_is_one_sentence_in_both_languages(kind: str) -> None:
    params = {"reason": "r", "line": 3, "message": "WMO325", "code": "484", "what": "WMO301"}
    params |= {"release": "3.1", "field": "Header/Afzender", "expected": "integer", "count": 2, "limit": 9}
    err = ExplainError(kind, **params)
    nl, en = err.message("nl"), err.message("en")
    assert nl != en
    for text in (nl, en):
        assert "{" not in text and "\n" not in text and "Traceback" not in text
        assert text[0].isupper() and text.endswith(".")


# ------------------------------------------------------------------ whatever breaks: a sentence


def _central(data: bytearray) -> int:
    return data.rindex(b"PK\x01\x02")


def _end_record(data: bytearray) -> int:
    return data.rindex(b"PK\x05\x06")


def test_zip_needing_a_newer_version_to_extract_is_damaged(kb: KnowledgeBase) -> None:
    data = bytearray(zipped(("a.xml", fixture_bytes(PARTLY))))
    data[_central(data) + 6] = 197  # "version needed to extract": 19.7 -> NotImplementedError at open()
    err = refused(bytes(data), kb, "download.zip")
    assert err.kind == "zip_bad"
    assert err.message("nl") == (
        "Het zip-bestand is beschadigd of kan niet worden gelezen; download het opnieuw uit VECOZO."
    )


@pytest.mark.parametrize("offset", [0x0403CA + 2, 0x7FFFFFFF])
def test_zip_whose_directory_points_outside_the_file_is_damaged(
    kb: KnowledgeBase, tmp_path: Path, offset: int
) -> None:
    data = bytearray(zipped(("a.xml", fixture_bytes(PARTLY))))
    end = _end_record(data)
    data[end + 16 : end + 20] = offset.to_bytes(4, "little")  # offset of the central directory
    assert refused(bytes(data), kb, "download.zip").kind == "zip_bad"  # in memory: ValueError (seek)
    path = tmp_path / "download.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(ExplainError) as info:  # on disk: OSError [Errno 22]
        explain_file(path, kb)
    assert info.value.kind == "zip_bad"


def test_zip_fuzzed_gets_a_sentence_every_time(kb: KnowledgeBase) -> None:
    import random

    rng = random.Random(7)
    good = zipped(("a.xml", fixture_bytes(PARTLY)))
    for _ in range(400):
        data = bytearray(good)
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            explain_bytes(bytes(data), "f.zip", kb)
        except ExplainError as exc:
            assert exc.kind != "failed", "a damaged zip has its own sentence"


@pytest.mark.parametrize("value", ["4122²", "٤١٢٢٠", "4" * 13, "9" * 250, "+41220", " 4 1220", "41220.0"])
def test_only_ascii_digits_make_an_amount(kb: KnowledgeBase, value: str) -> None:
    text = fixture_text(PARTLY).replace(">41220<", f">{value}<")
    err = refused(text.encode(), kb)
    assert (err.kind, err.params["field"]) == ("bad_value", "Prestatie/IngediendBedrag/Bedrag")
    assert value.strip() not in err.message("nl")


def test_a_5000_digit_amount_is_too_long_to_be_one(kb: KnowledgeBase) -> None:
    err = refused(fixture_text(PARTLY).replace(">41220<", ">" + "9" * 5000 + "<").encode(), kb)
    assert (err.kind, err.params) == ("too_long", {"field": "Prestatie/IngediendBedrag/Bedrag", "limit": 256})
    assert err.message("nl") == (
        "Prestatie/IngediendBedrag/Bedrag is langer dan 256 tekens; zo lang is geen waarde in een "
        "325-retourbericht, dus het wordt niet gelezen."
    )


def test_non_ascii_digits_are_no_volume(kb: KnowledgeBase) -> None:
    text = fixture_text(PARTLY).replace("<wmo325:GeleverdVolume>6<", "<wmo325:GeleverdVolume>٦<")
    assert refused(text.encode(), kb).params["field"] == "Prestatie/GeleverdVolume"


@pytest.mark.parametrize("encoding", ["KTF-8", "EBCDIC-XX", "shift_jis", "UTF-7", "rot13", "hex", "big5"])
def test_an_encoding_i_do_not_read_is_one_sentence(kb: KnowledgeBase, encoding: str) -> None:
    text = fixture_text(PARTLY).replace('encoding="UTF-8"', f'encoding="{encoding}"', 1)
    err = refused(text.encode(), kb)
    assert err.kind == "encoding"
    assert err.message("nl") == (
        "Het bestand gebruikt een tekenset (encoding) die ik niet lees; een 325-retourbericht is UTF-8. "
        "Download het opnieuw uit VECOZO."
    )
    assert encoding not in err.message("nl") + err.message("en")


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "latin-1", "windows-1252", "ISO-8859-15", "US-ASCII"])
def test_the_iso_8859_family_is_read(kb: KnowledgeBase, encoding: str) -> None:
    text = fixture_text(PARTLY).replace('encoding="UTF-8"', f'encoding="{encoding}"', 1)
    text = text.replace(">WMO2601-0003<", ">WMO2601-0003é<" if encoding != "US-ASCII" else ">WMO2601-0003<")
    x = explain_bytes(text.encode("latin-1" if encoding != "US-ASCII" else "ascii"), "x.xml", kb)
    assert x.prestaties == 3
    if encoding != "US-ASCII":
        assert x.rows[0].p.reference == "WMO2601-0003é"


def test_utf16_with_its_mark_is_read_and_a_bad_name_in_it_refused(kb: KnowledgeBase) -> None:
    text = fixture_text(PARTLY).replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    assert explain_bytes(text.encode("utf-16"), "x.xml", kb).prestaties == 3
    bad = text.replace('encoding="UTF-16"', 'encoding="shift_jis"', 1)
    assert refused(bad.encode("utf-16"), kb).kind == "encoding"


def test_a_failure_nobody_foresaw_is_still_one_sentence_without_the_file(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import bot.explain.explain as explain_module

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("BSN 533257281 in a message")

    monkeypatch.setattr(explain_module, "read_325", crash)
    err = refused(fixture_bytes(PARTLY), kb)
    assert (err.kind, err.params) == ("failed", {"cause": "RuntimeError"})
    assert err.__cause__ is None and err.__suppress_context__
    assert "533257281" not in err.message("nl") + err.message("en") + str(err)
    assert err.message("nl") == (
        "Ik kon dit bestand niet lezen; het is geen leesbaar 325-retourbericht. "
        "Download het opnieuw uit VECOZO, of vraag een collega."
    )
    (tmp_path / "r.xml").write_bytes(fixture_bytes(PARTLY))
    with pytest.raises(ExplainError, match="could not read this file"):
        explain_file(tmp_path / "r.xml", kb)


# ------------------------------------------------------------------ smaller things (audit item 6)


def test_a_pipe_is_read_up_to_the_limit(kb: KnowledgeBase, tmp_path: Path) -> None:
    import contextlib
    import os
    import threading

    def through_pipe(data: bytes) -> object:
        fifo = tmp_path / f"pipe{len(data)}"
        os.mkfifo(fifo)

        def write() -> None:
            with open(fifo, "wb") as f, contextlib.suppress(BrokenPipeError):  # the reader may stop early
                f.write(data)

        writer = threading.Thread(target=write)
        writer.start()
        try:
            return explain_file(fifo, kb)
        except ExplainError as exc:
            return exc
        finally:
            writer.join(timeout=30)

    x = through_pipe(fixture_bytes(PARTLY))
    assert not isinstance(x, ExplainError) and (x.prestaties, x.filename) == (
        3,
        f"pipe{len(fixture_bytes(PARTLY))}",
    )
    x = through_pipe(zipped(("a.xml", fixture_bytes(PARTLY))))  # a zip needs seeking: read into memory
    assert not isinstance(x, ExplainError) and x.prestaties == 3
    big = through_pipe(b" " * (MAX_BYTES + 1))
    assert isinstance(big, ExplainError) and big.kind == "too_large"
    empty = through_pipe(b"")
    assert isinstance(empty, ExplainError) and empty.kind == "empty"


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html><html><body>login</body></html>",
        b"\xef\xbb\xbf\n  <!doctype HTML>\n<html lang='nl'><head><title>VECOZO</title></head></html>",
        b'<?xml version="1.0"?>\n<!-- saved page -->\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x">',
        b"<html><body>hallo</body></html>",
        b'<HTML xmlns="http://www.w3.org/1999/xhtml"><body/></HTML>',
    ],
)
def test_an_html_page_is_said_to_be_one(kb: KnowledgeBase, page: bytes) -> None:
    err = refused(page, kb, "retour.xml")
    assert err.kind == "html"
    assert err.message("nl") == (
        "Dit is een webpagina (HTML), geen 325-retourbericht; download het retourbericht zelf uit VECOZO "
        "(een XML-bestand, of een zip met één XML-bestand erin)."
    )


def test_other_doctypes_are_still_hostile(kb: KnowledgeBase) -> None:
    assert refused(b'<!DOCTYPE htmlx [<!ENTITY a "b">]><htmlx/>', kb).kind == "hostile"
    assert refused(BILLION_LAUGHS, kb).kind == "hostile"


@pytest.mark.parametrize("cut", ["<wmo3", "<!-- x", ""])
def test_xml_cut_before_its_root_is_broken_not_non_xml(kb: KnowledgeBase, cut: str) -> None:
    data = f'<?xml version="1.0" encoding="UTF-8"?>\n<!-- Fictitious -->\n{cut}'.encode()
    err = refused(data, kb)
    assert (err.kind, err.params) == ("broken_xml", {"line": 3})


@pytest.mark.parametrize("code", ["abcd", "93o8", "s300", "9 3 0 8", "0611x"])
def test_a_malformed_retourcode_is_shown_as_unknown(kb: KnowledgeBase, code: str) -> None:
    from bot.render.explain import render_explanation

    x = explain_bytes(fixture_text(PARTLY).replace(">0611<", f">{code}<").encode(), "x.xml", kb)
    assert x.unknown_codes == [code]
    assert (x.prestaties, x.verdict) == (3, "partly")
    assert f"• {code} Onbekende retourcode: die staat niet in de iWmo 3.2-codelijst" in render_explanation(
        x, "plain", "nl"
    )


def test_a_long_malformed_retourcode_is_shortened_and_an_empty_one_missing(kb: KnowledgeBase) -> None:
    x = explain_bytes(fixture_text(PARTLY).replace(">0611<", ">" + "x" * 200 + "<").encode(), "x.xml", kb)
    assert x.unknown_codes == ["x" * 11 + "…"]
    err = refused(fixture_text(PARTLY).replace(">0611<", "><").encode(), kb)
    assert (err.kind, err.params) == ("missing", {"field": "Prestatie/RetourCode"})


def _twice(text: str, start: str, end: str) -> str:
    i = text.index(start)
    j = text.index(end, i) + len(end)
    return text[:j] + text[i:j] + text[j:]


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("<wmo325:Header>", "</wmo325:Header>", "Header"),
        ("<wmo325:DeclaratieAntwoord>", "</wmo325:DeclaratieAntwoord>", "DeclaratieAntwoord"),
        ("<wmo325:Afzender>", "</wmo325:Afzender>", "Header/Afzender"),
        ("<wmo325:Bsn>", "</wmo325:Bsn>", "Client/Bsn"),
        ("<iwmo:Bedrag>", "</iwmo:Bedrag>", "Prestatie/IngediendBedrag/Bedrag"),
        (
            "<iwmo:TotaalBedrag>",
            "</iwmo:TotaalBedrag>",
            "DeclaratieAntwoord/TotaalIngediendBedrag/TotaalBedrag",
        ),
    ],
)
def test_a_duplicated_part_is_refused_not_counted_twice(
    kb: KnowledgeBase, start: str, end: str, field: str
) -> None:
    err = refused(_twice(fixture_text(PARTLY), start, end).encode(), kb)
    assert (err.kind, err.params) == ("duplicate", {"field": field})
    assert err.message("nl") == (
        f"{field} staat meer dan één keer in het bestand; een 325-retourbericht heeft er één, "
        "dus ik weet niet welke geldt."
    )
    assert "533257281" not in err.message("nl")


def test_a_retourcode_twice_is_no_duplicate(kb: KnowledgeBase) -> None:
    text = _twice(fixture_text(PARTLY), "<wmo325:RetourCode>9307", "</wmo325:RetourCode>")
    assert explain_bytes(text.encode(), "x.xml", kb).prestaties == 3


# ------------------------------------------------------------------ a file that cannot be opened


def _unopenable(path: Path, kb: KnowledgeBase) -> ExplainError:
    with pytest.raises(ExplainError) as info:
        explain_file(path, kb)
    return info.value


def test_a_missing_file_a_folder_and_a_forbidden_file_are_said_in_the_language_asked(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.explain.explain as explain_module

    missing = _unopenable(tmp_path / "retour.xml", kb)
    folder = _unopenable(tmp_path, kb)

    def forbidden(path: object, mode: str = "r") -> object:  # the tests may run as root: no real EACCES
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(explain_module, "open", forbidden, raising=False)
    denied = _unopenable(tmp_path / "retour.xml", kb)
    monkeypatch.undo()
    said = {(e.kind, e.params["reason"], e.message("nl"), e.message("en")) for e in (missing, folder, denied)}
    assert said == {
        (
            "unreadable",
            "not_found",
            "Het bestand bestaat niet; controleer de naam en de map.",
            "There is no such file; check its name and folder.",
        ),
        (
            "unreadable",
            "is_directory",
            "Dit is een map, geen bestand; geef het 325-retourbericht zelf op.",
            "This is a folder, not a file; give the 325 retour message itself.",
        ),
        (
            "unreadable",
            "permission",
            "U heeft geen toestemming om dit bestand te lezen.",
            "You have no permission to read this file.",
        ),
    }


def test_other_system_errors_name_their_code_not_the_english_reason(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    loop = tmp_path / "retour.xml"
    loop.symlink_to(loop)  # opening it: ELOOP "Too many levels of symbolic links"
    err = _unopenable(loop, kb)
    assert (err.kind, err.params) == ("unreadable", {"reason": "other", "code": "ELOOP"})
    assert err.message("nl") == "Het bestand kan niet worden geopend of gelezen (systeemfout ELOOP)."
    assert err.message("en") == "The file cannot be opened or read (system error ELOOP)."

    class Failing(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:
            raise OSError(5, "Input/output error")

    from bot.explain.explain import _read_all

    with pytest.raises(ExplainError) as info:
        _read_all(Failing())
    assert info.value.message("nl") == "Het bestand kan niet worden geopend of gelezen (systeemfout EIO)."
    assert "Input/output" not in info.value.message("nl")
    odd = ExplainError("unreadable", reason="other", code="OSError")  # no errno at all: the type
    assert odd.message("nl") == "Het bestand kan niet worden geopend of gelezen (systeemfout OSError)."
