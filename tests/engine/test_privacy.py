import pytest

from bot.engine.privacy import elfproef, mask, mask_bsn


def test_elfproef() -> None:
    assert elfproef("123456782")
    assert elfproef("111222333")
    assert not elfproef("123456789")
    assert not elfproef("000000000")
    assert not elfproef("12345678")


@pytest.mark.parametrize(
    ("text", "gone", "placeholder"),
    [
        ("klant met bsn 123456782 krijgt 8004", "123456782", "[BSN]"),
        ("bsn 1234.56.782", "1234.56.782", "[BSN]"),
        ("geboren 03-02-1987, wat nu", "03-02-1987", "[datum]"),
        ("born 1987-02-03", "1987-02-03", "[datum]"),
        ("geboortedatum 3 februari 1987", "3 februari 1987", "[datum]"),
        ("mail jan.jansen@example.nl even", "jan.jansen@example.nl", "[e-mail]"),
        ("bel 06-12345678", "06-12345678", "[telefoon]"),
        ("bel +31 6 12345678", "+31 6 12345678", "[telefoon]"),
        # as people paste them: odd spacing, a non-breaking space, a line break, dashes
        ("BSN 111  222  333", "111  222  333", "[BSN]"),
        ("BSN 111\u00a0222\u00a0333 uit Word", "111\u00a0222\u00a0333", "[BSN]"),
        ("BSN 111 222\n333", "111 222\n333", "[BSN]"),
        ("bsn.nr.111222333", "111222333", "[BSN]"),
        ("BSN 111-222-333", "111-222-333", "[BSN]"),
        ("BSN 111      222\n\n    333", "111      222\n\n    333", "[BSN]"),  # gaps of any width
        ("bel (020) 123 4567", "123 4567", "[telefoon]"),
        ("bel +31 (0)6 12345678", "12345678", "[telefoon]"),
        ("bel 06.12345678", "06.12345678", "[telefoon]"),
    ],
)
def test_personal_data_is_masked(text: str, gone: str, placeholder: str) -> None:
    masked = mask(text)
    assert gone not in masked
    assert placeholder in masked


def test_a_nine_digit_number_failing_the_elfproef_is_left_alone() -> None:
    assert mask("factuur 123456789") == "factuur 123456789"


def test_codes_are_not_mistaken_for_personal_data() -> None:
    for text in (
        "retourcode 8290 en 0551, berichtcode 490, AW319",
        "retourcodes 0551 0553 0611 8290 8409",
        "bedrag € 4.826,10 of 1.177,20",
    ):
        assert mask(text) == text


def test_mask_bsn_shows_at_most_three_digits() -> None:
    assert mask_bsn("123456782") == "******782"
