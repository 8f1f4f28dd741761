"""`kb check` and the loader on broken knowledge: every problem as file:line: field: message."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine.knowledge import KnowledgeError, default_dir, load

NO_SOURCE = "    source: vgz-wlz-retourcodes\n"
GOOD_ENTRY = """\
entries:
  - id: test-retourcode-8290
    kind: retourcode
    codes: ["8290"]
    domains: [Wlz]
    label: "Er is geen (correcte) melding aanvang zorg (MAZ) aanwezig"
    text:
      nl: Er is geen MAZ.
      en: There is no MAZ.
    phrases:
      nl: [maz ontbreekt]
    source: vgz-wlz-retourcodes
"""


@pytest.fixture
def kbdir(tmp_path: Path) -> Path:
    for name in ("sources.yaml", "language.yaml"):
        shutil.copy(default_dir() / name, tmp_path / name)
    (tmp_path / "a.yaml").write_text(GOOD_ENTRY, encoding="utf-8")
    return tmp_path


def problems(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as exc:
        load(directory)
    return [str(p) for p in exc.value.problems]


def test_a_good_directory_loads(kbdir: Path) -> None:
    kb = load(kbdir)
    assert [e.id for e in kb.by_code["8290"]] == ["test-retourcode-8290"]


def test_bad_yaml_names_file_and_line(kbdir: Path) -> None:
    (kbdir / "b.yaml").write_text("entries:\n  - id: x\n    label: [unclosed\n", encoding="utf-8")
    [problem] = problems(kbdir)
    assert problem.startswith(f"{kbdir / 'b.yaml'}:4: (yaml): not valid YAML")


def test_missing_field_names_the_entry_and_its_line(kbdir: Path) -> None:
    (kbdir / "a.yaml").write_text(GOOD_ENTRY.replace(NO_SOURCE, ""), encoding="utf-8")
    assert problems(kbdir) == [
        f"{kbdir / 'a.yaml'}:2: entries[0](test-retourcode-8290).source: required field is missing"
    ]


def test_missing_translation_points_at_the_text(kbdir: Path) -> None:
    (kbdir / "a.yaml").write_text(GOOD_ENTRY.replace("      en: There is no MAZ.\n", ""), encoding="utf-8")
    assert problems(kbdir) == [
        f"{kbdir / 'a.yaml'}:7: entries[0](test-retourcode-8290).text.en: required field is missing"
    ]


def test_unknown_field_is_a_typo_not_ignored(kbdir: Path) -> None:
    (kbdir / "a.yaml").write_text(GOOD_ENTRY + "    remdy: {nl: x, en: y}\n", encoding="utf-8")
    assert problems(kbdir) == [
        f"{kbdir / 'a.yaml'}:13: entries[0](test-retourcode-8290).remdy: unknown field (a typo?)"
    ]


def test_duplicate_code_in_the_same_domain(kbdir: Path) -> None:
    (kbdir / "b.yaml").write_text(GOOD_ENTRY.replace("test-retourcode-8290", "other-8290"), encoding="utf-8")
    assert problems(kbdir) == [
        f"{kbdir / 'b.yaml'}:4: entries[0](other-8290).codes: duplicate code 8290 in domain Wlz, "
        f"also in {kbdir / 'a.yaml'}:4 (test-retourcode-8290)"
    ]


def test_same_code_in_another_domain_is_allowed(kbdir: Path) -> None:
    (kbdir / "b.yaml").write_text(
        GOOD_ENTRY.replace("test-retourcode-8290", "other-8290").replace("[Wlz]", "[iWmo, iJw]"),
        encoding="utf-8",
    )
    assert len(load(kbdir).by_code["8290"]) == 2


def test_duplicate_id_and_duplicate_key(kbdir: Path) -> None:
    (kbdir / "b.yaml").write_text(GOOD_ENTRY.replace('["8290"]', '["8291"]'), encoding="utf-8")
    (kbdir / "c.yaml").write_text("entries: []\nentries: []\n", encoding="utf-8")
    assert problems(kbdir) == [
        f"{kbdir / 'c.yaml'}:2: entries: duplicate key",
        f"{kbdir / 'b.yaml'}:2: entries[0](test-retourcode-8290).id: "
        f"duplicate id, first defined in {kbdir / 'a.yaml'}:2",
    ]


def test_dangling_references_and_unknown_source(kbdir: Path) -> None:
    text = GOOD_ENTRY.replace("vgz-wlz-retourcodes", "nowhere") + "    escalate_to: [no-such-helpdesk]\n"
    (kbdir / "a.yaml").write_text(text, encoding="utf-8")
    assert problems(kbdir) == [
        f"{kbdir / 'a.yaml'}:12: entries[0](test-retourcode-8290).source: "
        "unknown source 'nowhere' (see sources.yaml)",
        f"{kbdir / 'a.yaml'}:13: entries[0](test-retourcode-8290).escalate_to: unknown id 'no-such-helpdesk'",
    ]


def test_kind_specific_fields_are_checked(kbdir: Path) -> None:
    text = GOOD_ENTRY.replace("kind: retourcode", "kind: limit")
    (kbdir / "a.yaml").write_text(text, encoding="utf-8")
    found = problems(kbdir)
    assert (
        f"{kbdir / 'a.yaml'}:2: entries[0](test-retourcode-8290).prestatiecodes: required for kind limit"
        in found
    )
    assert f"{kbdir / 'a.yaml'}:2: entries[0](test-retourcode-8290).max: required for kind limit" in found


def test_one_broken_file_refuses_the_whole_directory(kbdir: Path) -> None:
    (kbdir / "z.yaml").write_text("entries:\n  - id: half\n", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        load(kbdir)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60)


def test_kb_check_cli_prints_problems_and_exits_1(kbdir: Path) -> None:
    (kbdir / "a.yaml").write_text(GOOD_ENTRY.replace(NO_SOURCE, ""), encoding="utf-8")
    run = run_cli("kb", "check", str(kbdir))
    assert run.returncode == 1
    assert run.stdout.splitlines() == [
        f"{kbdir / 'a.yaml'}:2: entries[0](test-retourcode-8290).source: required field is missing"
    ]


def test_kb_check_cli_ok_on_the_bundled_knowledge() -> None:
    run = run_cli("kb", "check")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("ok: ")


def test_an_overview_of_a_kind_is_only_for_a_topic_and_of_a_real_kind(kbdir: Path) -> None:
    (kbdir / "a.yaml").write_text(GOOD_ENTRY + "    overview_of: berichtcode\n", encoding="utf-8")
    assert problems(kbdir) == [
        f"{kbdir / 'a.yaml'}:13: entries[0](test-retourcode-8290).overview_of: only allowed for kind topic"
    ]
    topic = GOOD_ENTRY.replace("kind: retourcode", "kind: topic").replace('    codes: ["8290"]\n', "")
    (kbdir / "a.yaml").write_text(topic + "    overview_of: berichtcodes\n", encoding="utf-8")
    [problem] = problems(kbdir)
    assert problem.startswith(f"{kbdir / 'a.yaml'}:12: entries[0](test-retourcode-8290).overview_of: ")
    assert "'berichtcode'" in problem  # names the kinds there are
