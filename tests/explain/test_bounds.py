"""Memory stays bounded whatever the shape of a file under 25 MB (issue 4, audit item 2).

Each input is generated here. What is asserted is the outcome: a sentence, or an explanation
of bounded size. tracemalloc is used only as a bound on behaviour (a few MB where the old
reader took hundreds); time and process memory are measured in bench/explain_bench.py.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest

from bot.engine.knowledge import KnowledgeBase
from bot.explain import MAX_BYTES, ExplainError, explain_bytes
from bot.explain.parse import MAX_CODES, MAX_DEPTH, MAX_NAMES, MAX_RUN, MAX_TEXT, _check_runs

from .conftest import fixture_text

PARTLY = "wmo325-partly-rejected.xml"
MB = 1024 * 1024


def zipped(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buf.getvalue()


def peak_of(call: Callable[[], object]) -> tuple[object, int]:
    """What `call` returned or raised, and tracemalloc's peak while it ran."""
    tracemalloc.start()
    try:
        try:
            result: object = call()
        except ExplainError as exc:
            result = exc
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def with_text(old: str, new: str) -> bytes:
    text = fixture_text(PARTLY)
    assert old in text
    return text.replace(old, new, 1).encode()


def test_a_25_mb_value_in_a_small_zip_is_refused_after_256_characters(kb: KnowledgeBase) -> None:
    data = zipped("r.xml", with_text(">0599<", ">" + "1" * (MAX_BYTES - 10_000) + "<"))
    assert len(data) < 100_000
    err, peak = peak_of(lambda: explain_bytes(data, "r.zip", kb))
    assert isinstance(err, ExplainError)
    assert (err.kind, err.params) == ("too_long", {"field": "Header/Afzender", "limit": MAX_TEXT})
    assert peak < 4 * MB  # the old reader joined all 25 MB, then printed it


@pytest.mark.parametrize("length", [MAX_TEXT, MAX_TEXT + 1])
def test_a_value_is_read_up_to_the_limit(kb: KnowledgeBase, length: int) -> None:
    data = with_text(">WMO2601-0003<", ">" + "R" * length + "<")
    if length <= MAX_TEXT:
        assert explain_bytes(data, "r.xml", kb).rows[0].p.reference == "R" * length
    else:
        with pytest.raises(ExplainError) as info:
            explain_bytes(data, "r.xml", kb)
        err = info.value
        assert err.params["field"] == "Prestatie/ProductReferentie/ReferentieNummer"
        assert "R" * 10 not in err.message("nl")


def test_a_million_distinct_elements_are_refused_at_the_name_limit(kb: KnowledgeBase) -> None:
    junk = "".join(f"<X{i}>y</X{i}>" for i in range(200_000))
    data = with_text("<wmo325:ToewijzingNummer>", junk + "<wmo325:ToewijzingNummer>")
    err, peak = peak_of(lambda: explain_bytes(data, "r.xml", kb))
    assert isinstance(err, ExplainError) and err.kind == "too_many_names"
    assert peak < 4 * MB
    # the limit is far above what a 325 uses: a hundred names of its own are read
    extra = "".join(f"<X{i}>y</X{i}>" for i in range(100))
    data = with_text("<wmo325:ToewijzingNummer>", extra + "<wmo325:ToewijzingNummer>")
    assert explain_bytes(data, "r.xml", kb).prestaties == 3
    assert MAX_NAMES >= 200


def test_unknown_elements_repeated_are_skipped_without_keeping_their_text(kb: KnowledgeBase) -> None:
    junk = "<Extra><Tekst>" + "t" * 200 + "</Tekst></Extra>" + "<Extra>y</Extra>" * 60_000
    data = with_text("<wmo325:ToewijzingNummer>", junk + "<wmo325:ToewijzingNummer>")
    assert len(data) > 900_000
    x, peak = peak_of(lambda: explain_bytes(data, "r.xml", kb))
    assert not isinstance(x, ExplainError)
    assert peak < 4 * MB


def test_deep_nesting_is_refused(kb: KnowledgeBase) -> None:
    deep = "<D>" * 100_000 + "</D>" * 100_000
    err, peak = peak_of(
        lambda: explain_bytes(with_text("<wmo325:Afzender>", deep + "<wmo325:Afzender>"), "r", kb)
    )
    assert isinstance(err, ExplainError) and err.kind == "too_deep"
    assert peak < 4 * MB
    ok = "<D>" * (MAX_DEPTH - 4) + "</D>" * (MAX_DEPTH - 4)  # the Header is at depth 2
    assert explain_bytes(with_text("<wmo325:Afzender>", ok + "<wmo325:Afzender>"), "r", kb).prestaties == 3


@pytest.mark.parametrize(
    "filler",
    [
        " " * (MAX_BYTES - 10_000),  # whitespace between two elements
        "<!--" + "c" * (MAX_BYTES - 10_000) + "-->",  # a comment
        "<Attributen " + " ".join(f'a{i}=">"' for i in range(1_500_000)) + "/>",  # one huge tag
    ],
    ids=["whitespace", "comment", "attributes"],
)
def test_a_huge_gap_tag_or_comment_is_refused_after_64_kb(kb: KnowledgeBase, filler: str) -> None:
    data = zipped("r.xml", with_text("<wmo325:Afzender>", filler + "<wmo325:Afzender>")[:MAX_BYTES])
    err, peak = peak_of(lambda: explain_bytes(data, "r.zip", kb))
    assert isinstance(err, ExplainError) and err.kind == "long_run"
    assert peak < 4 * MB


def test_many_attribute_names_over_many_tags_are_refused(kb: KnowledgeBase) -> None:
    tags = "".join(f'<A b{i}="1" c{i}="2"/>' for i in range(100_000))
    with pytest.raises(ExplainError) as err:
        explain_bytes(with_text("<wmo325:Afzender>", tags + "<wmo325:Afzender>"), "r", kb)
    assert err.value.kind == "too_many_names"


def test_runs_are_counted_across_chunks() -> None:
    runs = [0, 0]
    _check_runs(b"<a>" + b"x" * 100, runs)
    assert runs == [102, 100]
    _check_runs(b"x" * (MAX_RUN - 200) + b"<", runs)
    assert runs == [0, MAX_RUN - 100 + 1]  # a "<" but still no ">"
    with pytest.raises(ExplainError) as info:
        _check_runs(b"y" * 100, runs)
    assert info.value.kind == "long_run"


def test_one_code_a_million_times_is_counted_once(kb: KnowledgeBase) -> None:
    codes = "<wmo325:RetourCode>9307</wmo325:RetourCode>" * 300_000
    data = with_text("<wmo325:RetourCode>9308</wmo325:RetourCode>", codes)
    x, peak = peak_of(lambda: explain_bytes(data, "r.xml", kb))
    assert not isinstance(x, ExplainError)
    assert x.rows[0].p.codes == ("9307",)
    assert [(g.code, g.prestaties) for g in x.codes][:1] == [("9307", 2)]
    assert peak < 4 * MB


def test_more_distinct_codes_than_exist_are_refused(kb: KnowledgeBase) -> None:
    many = "".join(f"<wmo325:RetourCode>{n:04d}</wmo325:RetourCode>" for n in range(2000, 2000 + MAX_CODES))
    data = with_text("<wmo325:RetourCode>9308</wmo325:RetourCode>", many)
    with pytest.raises(ExplainError) as info:
        explain_bytes(data, "r.xml", kb)
    err = info.value
    assert (err.kind, err.params) == ("too_many_codes", {"limit": MAX_CODES})
    fewer = "".join(
        f"<wmo325:RetourCode>{n:04d}</wmo325:RetourCode>" for n in range(2000, 2000 + MAX_CODES - 10)
    )
    x = explain_bytes(with_text("<wmo325:RetourCode>9308</wmo325:RetourCode>", fewer), "r.xml", kb)
    assert len(x.unknown_codes) == MAX_CODES - 10
