"""`declaratiebot explain FILE [--json] [--lang en]` as a person uses it: a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import FIXTURES, fixture_text

CMD = [sys.executable, "-m", "bot", "explain"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, timeout=60)


def test_explains_a_file_in_dutch_by_default() -> None:
    out = run(str(FIXTURES / "jw325-fully-rejected.xml"))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Retourbericht JW325 (iJw 3.2, berichtcode 491)"
    assert (
        "De gemeente heeft de declaratie volledig afgewezen: niets van de € 7.419,75 is toegekend." in lines
    )
    assert "Afgewezen: € 7.419,75 debet (2 prestaties bij 1 cliënt)" in lines
    assert "735811039" not in out.stdout and "1. BSN ******039, ref. JW2601-0101, toewijzing 7730145" in lines
    assert out.stderr == ""


def test_english() -> None:
    out = run(str(FIXTURES / "wmo325-fully-granted.xml"), "--lang", "en")
    assert out.returncode == 0
    assert "The municipality granted the declaration in full: €3,184.50." in out.stdout.splitlines()


def test_json() -> None:
    out = run(str(FIXTURES / "wmo325-partly-rejected.xml"), "--json")
    assert out.returncode == 0
    reply = json.loads(out.stdout)
    assert reply["verdict"] == "partly"
    assert reply["message"]["name"] == "WMO325" and reply["message"]["sender_municipality"] == "0599"
    assert reply["submitted"]["cents"] == 482610 and reply["granted"]["cents"] == 364890
    assert [(c["code"], c["prestaties"]) for c in reply["retourcodes"]] == [
        ("9307", 2),
        ("0611", 1),
        ("9308", 1),
        ("0200", 0),
    ]
    assert reply["text"].startswith("Retourbericht WMO325")
    for bsn in ("533257281", "403101013"):
        assert bsn not in out.stdout


def test_bad_input_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    declaration = run(str(FIXTURES / "wmo323-declaration.xml"))
    assert declaration.returncode == 2 and declaration.stdout == ""
    assert declaration.stderr == (
        "declaratiebot explain: Dit is uw declaratie (WMO323, berichtcode 484), niet het antwoord van de "
        "gemeente: de retourcodes staan in het 325-antwoordbericht. Download dat in VECOZO.\n"
    )
    hostile = tmp_path / "lol.xml"
    hostile.write_text(
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><a>&b;</a>',
        encoding="utf-8",
    )
    for args in (
        [str(hostile)],
        [str(tmp_path / "missing.xml")],
        [str(tmp_path)],
        [str(hostile), "--lang", "en"],
    ):
        out = run(*args)
        assert out.returncode == 2, args
        assert out.stdout == "" and len(out.stderr.splitlines()) == 1 and "Traceback" not in out.stderr
    assert "The file contains a DTD or entities" in run(str(hostile), "--lang", "en").stderr


def test_json_bad_input_is_one_json_object_on_stdout_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "leeg.xml").write_bytes(b"")
    (tmp_path / "notities.txt").write_text("dit is geen xml", encoding="utf-8")
    cases = [
        (
            [str(FIXTURES / "wmo323-declaration.xml")],
            "wmo323-declaration.xml",
            "is_323",
            "Dit is uw declaratie (WMO323, berichtcode 484), niet het antwoord van de gemeente: "
            "de retourcodes staan in het 325-antwoordbericht. Download dat in VECOZO.",
        ),
        (
            [str(tmp_path / "missing.xml"), "--lang", "en"],
            "missing.xml",
            "unreadable",
            "There is no such file; check its name and folder.",
        ),
        ([str(tmp_path / "leeg.xml")], "leeg.xml", "empty", "Het bestand is leeg."),
        (
            [str(tmp_path / "notities.txt")],
            "notities.txt",
            "not_xml",
            "Dit is geen XML-bestand; een 325-retourbericht is XML (of een zip met één XML-bestand erin).",
        ),
    ]
    for args, name, kind, sentence in cases:
        out = run(*args, "--json")
        assert out.returncode == 2, args
        assert json.loads(out.stdout) == {"file": name, "error": {"kind": kind, "text": sentence}}, args
        assert "Traceback" not in out.stderr
        assert out.stderr == f"declaratiebot explain: {sentence}\n"  # as without --json
    without = run(str(tmp_path / "leeg.xml"))
    assert (without.returncode, without.stdout) == (2, "")  # without --json: nothing on stdout


def test_unknown_code_still_explained(tmp_path: Path) -> None:
    f = tmp_path / "retour.xml"
    f.write_text(fixture_text("jw325-fully-rejected.xml").replace(">9338<", ">9999<"), encoding="utf-8")
    out = run(str(f))
    assert out.returncode == 0
    assert (
        "• 9999 Onbekende retourcode: die staat niet in de iJw 3.2-codelijst van mijn kennisbank"
        in out.stdout
    )


def test_files_that_used_to_crash_get_one_sentence(tmp_path: Path) -> None:
    import io
    import zipfile

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", fixture_text("wmo325-partly-rejected.xml"))
    damaged = bytearray(packed.getvalue())
    damaged[damaged.rindex(b"PK\x01\x02") + 6] = 197  # "zip file version 19.7"
    (tmp_path / "versie.zip").write_bytes(bytes(damaged))
    text = fixture_text("wmo325-partly-rejected.xml")
    (tmp_path / "bedrag.xml").write_text(text.replace(">41220<", ">" + "9" * 5000 + "<"), encoding="utf-8")
    (tmp_path / "kwadraat.xml").write_text(text.replace(">41220<", ">4122²<"), encoding="utf-8")
    (tmp_path / "tekenset.xml").write_text(text.replace('"UTF-8"', '"KTF-8"', 1), encoding="utf-8")
    for name, sentence in (
        ("versie.zip", "Het zip-bestand is beschadigd"),
        ("bedrag.xml", "Prestatie/IngediendBedrag/Bedrag is langer dan 256 tekens"),
        ("kwadraat.xml", "Prestatie/IngediendBedrag/Bedrag heeft geen geldige waarde"),
        ("tekenset.xml", "Het bestand gebruikt een tekenset (encoding) die ik niet lees"),
    ):
        out = run(str(tmp_path / name))
        assert out.returncode == 2, (name, out.stderr[-500:])
        assert out.stdout == "" and len(out.stderr.splitlines()) == 1, name
        assert out.stderr.startswith(f"declaratiebot explain: {sentence}"), name
        assert "Traceback" not in out.stderr and "4122" not in out.stderr and "KTF" not in out.stderr


def test_max_rows_0_lists_every_prestatie_and_a_cut_list_says_how_to_get_all(tmp_path: Path) -> None:
    from bench.explain_bench import generate

    path = tmp_path / "groot.xml"
    generate(path, 150)
    default = run(str(path)).stdout.splitlines()
    assert "Afgewezen prestaties (150)" in default
    assert (
        "Hier staan de eerste 100 van de 150 afgewezen prestaties; de hele lijst geeft "
        "declaratiebot explain BESTAND --max-rows 0 (0 is alle)." in default
    )
    assert default[-1] == "… en nog 50 afgewezen prestaties, hier niet getoond."
    every = run(str(path), "--max-rows", "0").stdout
    assert "\n150. BSN" in every and "niet getoond" not in every
    negative = run(str(path), "--max-rows", "-1")
    assert negative.returncode == 0
    assert negative.stdout.rstrip().endswith("… en nog 150 afgewezen prestaties, hier niet getoond.")


def test_piped_input_is_read() -> None:
    data = (FIXTURES / "jw325-fully-rejected.xml").read_bytes()
    piped = subprocess.run([*CMD, "/dev/stdin"], input=data, capture_output=True, timeout=60)
    assert piped.returncode == 0, piped.stderr
    assert "volledig afgewezen" in piped.stdout.decode()
    substituted = subprocess.run(
        ["bash", "-c", f'{sys.executable} -m bot explain <(cat "{FIXTURES / "jw325-fully-rejected.xml"}")'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert substituted.returncode == 0, substituted.stderr
    assert "Afgewezen: € 7.419,75 debet (2 prestaties bij 1 cliënt)" in substituted.stdout
    empty = subprocess.run([*CMD, "/dev/stdin"], input=b"", capture_output=True, timeout=60)
    assert (empty.returncode, empty.stderr.decode()) == (2, "declaratiebot explain: Het bestand is leeg.\n")
