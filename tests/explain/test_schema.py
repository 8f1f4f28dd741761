"""Every fixture is a valid iWmo/iJw 3.2 message: validated against the schemas in ../shared/sources.

The schemas are read where they are (never copied into the project); the tests skip when the
folder is absent. WMO325 has no schema of its own there: it mirrors JW325 with namespace
.../iwmo/3_2/wmo325/schema, BerichtCode 485 and the iWmo base schema, so that schema is
derived from JW325.xsd into a temp dir at test time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import FIXTURES

XSD = Path(__file__).resolve().parents[3] / "shared" / "sources" / "istandaarden-3.2" / "xsd"
pytestmark = pytest.mark.skipif(not XSD.is_dir(), reason=f"no 3.2 schemas at {XSD}")
xmlschema = pytest.importorskip("xmlschema")

IJW_BASE = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"
IWMO_BASE = "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"


def wmo325_xsd(tmp: Path) -> Path:
    text = (XSD / "ijw" / "JW325.xsd").read_text(encoding="utf-8")
    for old, new in [
        (IJW_BASE, IWMO_BASE),
        (
            "http://www.istandaarden.nl/ijw/3_2/jw325/schema",
            "http://www.istandaarden.nl/iwmo/3_2/wmo325/schema",
        ),
        ('<xs:pattern value="491"/>', '<xs:pattern value="485"/>'),
        (
            'schemaLocation="basisschema.xsd"',
            f'schemaLocation="{(XSD / "iwmo" / "basisschema.xsd").as_uri()}"',
        ),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp / "WMO325.xsd"
    path.write_text(text, encoding="utf-8")
    return path


def schema_for(name: str, tmp: Path) -> Path:
    if name.startswith("wmo325"):
        return wmo325_xsd(tmp)
    if name.startswith("wmo323"):
        return XSD / "iwmo" / "WMO323.xsd"
    return XSD / "ijw" / ("JW325.xsd" if name.startswith("jw325") else "JW323.xsd")


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.xml")))
def test_fixture_is_valid_against_the_32_schema(name: str, tmp_path: Path) -> None:
    schema = xmlschema.XMLSchema(str(schema_for(name, tmp_path)))
    errors = [str(e.reason) for e in schema.iter_errors(str(FIXTURES / name))]
    assert errors == []


def test_the_derived_wmo325_schema_still_checks_what_matters(tmp_path: Path) -> None:
    """A JW325 file, or a WMO325 with iJw product categories, must fail the derived schema."""
    schema = xmlschema.XMLSchema(str(wmo325_xsd(tmp_path)))
    assert not schema.is_valid(str(FIXTURES / "jw325-fully-rejected.xml"))
    text = (FIXTURES / "wmo325-partly-rejected.xml").read_text(encoding="utf-8")
    assert schema.is_valid(text)
    assert not schema.is_valid(text.replace("<wmo325:ProductCategorie>02<", "<wmo325:ProductCategorie>45<"))
    assert not schema.is_valid(text.replace(">485<", ">491<"))


def test_the_bench_file_is_a_valid_jw325(tmp_path: Path) -> None:
    from bench.explain_bench import generate

    generate(tmp_path / "bench.xml", 45)
    schema = xmlschema.XMLSchema(str(XSD / "ijw" / "JW325.xsd"))
    assert [str(e.reason) for e in schema.iter_errors(str(tmp_path / "bench.xml"))] == []
