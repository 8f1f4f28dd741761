"""The `declaratiebot` command as a person (and the eval runner) uses it: a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine.knowledge import default_dir

CMD = [sys.executable, "-m", "bot"]
ROOT = Path(__file__).resolve().parent.parent
RETOUR_FILE = ROOT / "tests" / "explain" / "fixtures" / "wmo325-partly-rejected.xml"
LABEL_8290 = "Er is geen (correcte) melding aanvang zorg (MAZ) aanwezig"
CHANGED_8290 = "Gewijzigd label uit een andere kennisbank"


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "KNOWLEDGE_DIR"}
    if env:  # another knowledge directory: leave no compiled copy of it in the user's cache
        environ["DECLARATIEBOT_CACHE"] = "off"
    return subprocess.run(
        [*CMD, *args], input=stdin, capture_output=True, text=True, timeout=60, env={**environ, **(env or {})}
    )


@pytest.fixture(scope="module")
def other_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled knowledge in which retourcode 8290 has another label."""
    copy = tmp_path_factory.mktemp("kb") / "knowledge"
    shutil.copytree(default_dir(), copy)
    path = copy / "wlz-retourcodes.yaml"
    text = path.read_text(encoding="utf-8")
    assert f'label: "{LABEL_8290}"' in text
    path.write_text(text.replace(f'label: "{LABEL_8290}"', f'label: "{CHANGED_8290}"'), encoding="utf-8")
    return copy


def test_ask_prints_the_answer_as_plain_text() -> None:
    out = run("ask", "wat is 8290")
    assert out.returncode == 0
    assert out.stdout.startswith(
        "Retourcode 8290 (Wlz): Er is geen (correcte) melding aanvang zorg (MAZ) aanwezig"
    )
    assert "*" not in out.stdout.splitlines()[0]  # plain text, no mrkdwn


def test_ask_json_has_the_documented_fields() -> None:
    out = run("ask", "--json", "what is 8409")
    reply = json.loads(out.stdout)
    assert reply["answered"] is True and reply["escalate"] is True
    assert reply["language"] == "en"
    assert reply["codes"] == ["8409"] and reply["topic"] == ["wlz-retourcode-8409"]
    assert reply["confidence"] == 100 and reply["suggestions"] == []
    assert "040-2975729" in reply["text"]


def test_ask_json_for_an_unknown_code_suggests_without_answering() -> None:
    reply = json.loads(run("ask", "--json", "wat is 8291").stdout)
    assert reply["answered"] is False and reply["topic"] == []
    assert reply["unknown_codes"] == ["8291"]
    assert "8290" in [s["code"] for s in reply["suggestions"]]


def test_jsonl_answers_every_line_in_order() -> None:
    questions = ["8290", "what is 490", "tell me a joke", "", "status bezorgd"]
    out = run("ask", "--jsonl", stdin="\n".join(questions) + "\n")
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(replies) == len(questions)
    assert [r["answered"] for r in replies] == [True, True, False, False, True]
    assert replies[1]["language"] == "en" and replies[0]["language"] == "nl"


def test_jsonl_flushes_each_answer_before_reading_the_next_question() -> None:
    with subprocess.Popen(
        [*CMD, "ask", "--jsonl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        for code in ("8290", "0551", "8614"):
            proc.stdin.write(code + "\n")
            proc.stdin.flush()
            reply = json.loads(proc.stdout.readline())  # would hang if the line were buffered
            assert reply["codes"] == [code]
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0


@pytest.mark.parametrize("knowledge_dir", [None, "other"])
def test_ask_does_not_import_slack(knowledge_dir: str | None, other_kb: Path) -> None:
    probe = (
        "import sys, io, contextlib\n"
        "from bot.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['ask', '8290'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('slack_bolt', 'slack_sdk'))))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "KNOWLEDGE_DIR"}
    if knowledge_dir:
        env["KNOWLEDGE_DIR"] = str(other_kb)  # read through bot.config, still without Slack
        env["DECLARATIEBOT_CACHE"] = "off"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env)
    assert out.stdout.strip() == "[]", out.stderr


def test_ask_and_chat_answer_from_knowledge_dir_as_serve_does(other_kb: Path) -> None:
    env = {"KNOWLEDGE_DIR": str(other_kb)}
    assert CHANGED_8290 in run("ask", "wat is 8290", env=env).stdout
    assert CHANGED_8290 in json.loads(run("ask", "--json", "8290", env=env).stdout)["text"]
    assert CHANGED_8290 in run("ask", "--jsonl", stdin="8290\n", env=env).stdout
    assert CHANGED_8290 in run("chat", stdin="8290\n\n", env=env).stdout
    assert LABEL_8290 in run("ask", "wat is 8290").stdout  # without it: the bundled knowledge


def test_kb_wins_over_knowledge_dir(other_kb: Path) -> None:
    out = run("--kb", str(default_dir()), "ask", "8290", env={"KNOWLEDGE_DIR": str(other_kb)})
    assert LABEL_8290 in out.stdout and CHANGED_8290 not in out.stdout


@pytest.mark.parametrize(
    "args",
    [("ask", "8290"), ("chat",), ("kb", "check"), ("explain", str(RETOUR_FILE))],
    ids=["ask", "chat", "kb-check", "explain"],
)
def test_every_command_that_reads_knowledge_reads_knowledge_dir(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    out = run(*args, stdin="8290\n\n", env={"KNOWLEDGE_DIR": str(tmp_path)})  # an empty directory
    assert out.returncode != 0
    assert "sources.yaml" in out.stdout + out.stderr and "language.yaml" in out.stdout + out.stderr


def test_kb_check_checks_knowledge_dir(other_kb: Path) -> None:
    out = run("kb", "check", env={"KNOWLEDGE_DIR": str(other_kb)})
    assert out.returncode == 0 and f"in {other_kb}" in out.stdout


def test_a_malformed_knowledge_dir_is_named(tmp_path: Path) -> None:
    out = run("ask", "8290", env={"KNOWLEDGE_DIR": str(tmp_path / "missing")})
    assert out.returncode == 2
    assert "KNOWLEDGE_DIR is malformed" in out.stderr and "not a directory" in out.stderr


def test_kb_option_points_at_another_knowledge_directory(tmp_path: Path) -> None:
    out = run("--kb", str(tmp_path), "ask", "8290")
    assert out.returncode != 0
    assert "sources.yaml" in out.stderr and "language.yaml" in out.stderr


def test_ask_without_a_question_explains_usage() -> None:
    out = run("ask")
    assert out.returncode == 2 and "usage" in out.stderr


@pytest.mark.parametrize("command", ["declaratiebot", "python -m bot"])
def test_both_entry_points_exist(command: str) -> None:
    exe = Path(sys.executable).parent / "declaratiebot"
    args = [str(exe), "--help"] if command == "declaratiebot" else [*CMD, "--help"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "ask" in out.stdout


def test_chat_answers_until_an_empty_line() -> None:
    out = run("chat", stdin="wat is 8290\nwhat is 490\n\n")
    assert out.returncode == 0
    assert "Retourcode 8290" in out.stdout and "Declareren Jeugdhulp" in out.stdout


def test_a_reader_that_goes_away_gets_no_traceback() -> None:
    """`declaratiebot ask ... | head -1`: the pipe closes before the answer is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first byte
    try:
        done = subprocess.run(
            [*CMD, "ask", "wat is 8612"], stdout=write_end, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr and b"BrokenPipeError" not in done.stderr
