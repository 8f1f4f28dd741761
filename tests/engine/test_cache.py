"""The compiled engine cache: faster, never stale, never trusted from elsewhere."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.engine import cache
from bot.engine.knowledge import KnowledgeError, default_dir

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def kbdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DECLARATIEBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DECLARATIEBOT_CACHE", raising=False)
    shutil.copytree(default_dir(), tmp_path / "kb")
    return tmp_path / "kb"


def pickles(kbdir: Path) -> list[Path]:
    return sorted((kbdir.parent / "cache").glob("engine-*.pickle"))


def label_of_8290(kbdir: Path) -> str:
    return cache.cached_engine(kbdir).answer("wat is 8290", NOW).items[0].entry.label


def test_second_load_comes_from_the_copy_and_answers_the_same(kbdir: Path) -> None:
    first = cache.cached_engine(kbdir)
    assert len(pickles(kbdir)) == 1
    second = cache.cached_engine(kbdir)
    assert second is not first
    for q in ("wat is 8290", "mijn bericht blijft op aangeboden staan", "what is berichtcode 490"):
        assert second.answer(q, NOW) == first.answer(q, NOW)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_an_edited_knowledge_file_is_never_answered_from_an_old_copy(kbdir: Path) -> None:
    before = label_of_8290(kbdir)
    edit(kbdir / "wlz-retourcodes.yaml", before, before + " (bijgewerkt)")
    assert label_of_8290(kbdir) == before + " (bijgewerkt)"


def test_an_edit_of_the_same_size_and_mtime_still_invalidates(kbdir: Path) -> None:
    path = kbdir / "wlz-retourcodes.yaml"
    before = label_of_8290(kbdir)
    st = path.stat()
    edit(path, before, before.swapcase())  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the old modification time
    assert label_of_8290(kbdir) == before.swapcase()


def test_added_and_removed_files_invalidate(kbdir: Path) -> None:
    engine = cache.cached_engine(kbdir)
    assert engine.answer("wat is ZZ9999", NOW).answered is False
    (kbdir / "extra.yaml").write_text(
        "entries:\n  - id: extra-9999\n    kind: foutcode\n    codes: [ZZ9999]\n    label: Extra\n"
        "    text: {nl: Een extra code., en: An extra code.}\n    source: vecozo-foutcodes\n",
        encoding="utf-8",
    )
    assert cache.cached_engine(kbdir).answer("wat is ZZ9999", NOW).answered is True
    (kbdir / "extra.yaml").unlink()
    assert cache.cached_engine(kbdir).answer("wat is ZZ9999", NOW).answered is False


def test_a_broken_edit_raises_and_leaves_no_copy(kbdir: Path) -> None:
    (kbdir / "broken.yaml").write_text("entries:\n  - id: x\n    label: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        cache.cached_engine(kbdir)
    assert pickles(kbdir) == []


def test_a_copy_of_the_directory_elsewhere_does_not_use_its_copy(kbdir: Path) -> None:
    cache.cached_engine(kbdir)
    other = kbdir.parent / "other"
    shutil.copytree(kbdir, other, copy_function=shutil.copy2)  # same names, sizes and mtimes
    edit(other / "wlz-retourcodes.yaml", "Er is geen", "Er is echt geen")
    assert "echt geen" in cache.cached_engine(other).answer("wat is 8290", NOW).items[0].entry.label
    assert len(pickles(kbdir)) == 2


def test_a_corrupt_copy_is_rebuilt(kbdir: Path) -> None:
    cache.cached_engine(kbdir)
    (path,) = pickles(kbdir)
    path.write_bytes(b"not a pickle")
    assert cache.cached_engine(kbdir).answer("wat is 8290", NOW).answered is True
    assert path.read_bytes() != b"not a pickle"


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners and modes are POSIX")
def test_a_copy_others_can_write_is_not_trusted(kbdir: Path) -> None:
    cache.cached_engine(kbdir)
    (path,) = pickles(kbdir)
    path.chmod(0o666)
    before = path.stat().st_mtime_ns
    time.sleep(0.01)
    cache.cached_engine(kbdir)  # ignores the copy and writes a fresh one
    assert path.stat().st_mtime_ns != before
    assert not path.stat().st_mode & 0o022


def test_off_means_no_files(kbdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECLARATIEBOT_CACHE", "off")
    assert cache.cached_engine(kbdir).answer("wat is 8290", NOW).answered is True
    assert not (kbdir.parent / "cache").exists()


def test_an_unwritable_cache_directory_still_answers(kbdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = kbdir.parent / "file-not-dir"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("DECLARATIEBOT_CACHE_DIR", str(blocker / "cache"))
    assert cache.cached_engine(kbdir).answer("wat is 8290", NOW).answered is True
