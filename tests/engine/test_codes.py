import pytest

from bot.engine.codes import find, is_year, near
from bot.engine.normalize import fold, strip_slack


def codes(text: str, known: set[str] | None = None) -> list[str]:
    return [f.code for f in find(fold(strip_slack(text)), lambda c: c in (known or set()))]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("wat is 8290", ["8290"]),
        ("retourcode 0551 en 0553", ["0551", "0553"]),
        ("lookup message code 490", ["490"]),
        ("AW319", ["AW319"]),
        ("aw 320", ["AW320"]),
        ("AW-319 of Aw_320", ["AW319", "AW320"]),
        ("crisiszorg Z490 maximum", ["Z490"]),
        ("ZMZ01 meerzorg", ["ZMZ01"]),
        ("H138 en DN041, Z210G", ["H138", "DN041", "Z210G"]),
        ("BRS13", ["BRS13"]),
        ("brs 3", ["BRS03"]),
        ("JW325 en wmo 323", ["JW325", "WMO323"]),
        ("<@U024BE7LH> wat is *8290*?", ["8290"]),
        ("`8409` <https://x.nl|8614>", ["8409", "8614"]),
        ("8290 8290 8290", ["8290"]),
        ("geen code hier", []),
    ],
)
def test_codes_are_found_exactly(question: str, expected: list[str]) -> None:
    assert codes(question) == expected


def test_berichtcode_and_prestatiecode_with_the_same_digits_are_different() -> None:
    assert codes("490 en Z490") == ["490", "Z490"]


def test_a_code_written_with_a_space_counts_only_when_it_exists() -> None:
    assert codes("wat is DN 071", known={"DN071"}) == ["DN071"]
    assert codes("wat is 8290", known={"DN071"}) == ["8290"]  # never "IS8290"


def test_years_are_recognised() -> None:
    assert is_year("2021") and is_year("1999")
    assert not is_year("8290") and not is_year("0551")


def test_near_codes_differ_in_one_position() -> None:
    assert near("8291", ["8290", "8221", "0551", "8290"]) == ["8221", "8290"]
    assert near("1234", ["8290", "0551"]) == []


@pytest.mark.parametrize(
    ("text", "code"), [("rc8004 bij cliënt", "8004"), ("RC 8409 helpdesk", "8409"), ("Rc0551?", "0551")]
)
def test_rc_before_a_number_is_a_retourcode(text: str, code: str) -> None:
    assert codes(text) == [code]
