import pytest

from bot.engine.normalize import fold, strip_slack


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<@U024BE7LH> wat is 8290?", "wat is 8290"),
        ("<!here> 8290 help", "8290 help"),
        ("<!channel|@channel> <!everyone> code", "code"),
        ("@here 8290", "8290"),
        ("zie <https://vecozo.nl/x|de VECOZO pagina>", "zie de vecozo pagina"),
        ("zie <https://example.org/only>", "zie"),
        ("*vet* _schuin_ ~door~ `8290`", "vet schuin door 8290"),
        ("*_LDT_Bedrag_* of ```retour_code```", "ldt bedrag of retour code"),  # marks only at the edges
        ("Cliënt één AW-319!", "client een aw 319"),
        ("in <#C123|algemeen> en <!subteam^S1|@support>", "in en"),
        ("a\u200bb\u202e c", "ab c"),
        ("&lt;@U1&gt; 8290", "u1 8290"),
    ],
)
def test_slack_markup_and_punctuation_are_removed(raw: str, expected: str) -> None:
    assert fold(strip_slack(raw)) == expected
