"""The `declaratiebot` command: a thin wrapper over the engine, renderer and Slack app."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any


def _knowledge_dir(override: str | None) -> Path:
    """`override` (--kb, or kb check's DIR), else KNOWLEDGE_DIR, else the bundled knowledge:
    bot.config decides, as for `serve`. A malformed KNOWLEDGE_DIR stops with exit code 2."""
    from bot.config import ConfigError, knowledge_dir

    try:
        return knowledge_dir(override)
    except ConfigError as exc:
        print(f"declaratiebot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _kb_check(args: argparse.Namespace) -> int:
    from bot.engine.knowledge import KnowledgeError, load

    directory = _knowledge_dir(args.dir or args.kb)
    try:
        kb = load(directory)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    print(f"ok: {len(kb.entries)} entries, {len(kb.by_code)} codes, {len(kb.sources)} sources in {directory}")
    return 0


def _load_engine(args: argparse.Namespace) -> Any:
    from bot.engine.cache import cached_engine
    from bot.engine.knowledge import KnowledgeError

    directory = _knowledge_dir(args.kb)
    try:
        return cached_engine(directory)  # Engine(load(directory)), compiled once (engine/cache.py)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        message = f"declaratiebot: the knowledge base in {directory} has {len(exc.problems)} problem(s)"
        raise SystemExit(message) from None


def answer_json(engine: Any, question: str) -> dict[str, Any]:
    """The JSON shape of one answer (also what `ask --jsonl` prints per line)."""
    from bot.render import render

    a = engine.answer(question)
    return {
        "answered": a.answered,
        "escalate": a.escalate,
        "text": render(a, "plain", engine.kb),
        "language": a.language,
        "topic": a.topic,
        "codes": list(a.codes),
        "unknown_codes": list(a.unknown_codes),
        "confidence": a.confidence,
        "suggestions": [{"id": s.entry_id, "title": s.title, "code": s.code} for s in a.suggestions],
    }


def _ask(args: argparse.Namespace) -> int:
    engine = _load_engine(args)
    if args.jsonl:
        for line in sys.stdin:
            sys.stdout.write(json.dumps(answer_json(engine, line.rstrip("\n")), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return 0
    question = " ".join(args.question)
    if not question.strip():
        print(
            'usage: declaratiebot ask "QUESTION"   (or --jsonl to read questions from stdin)', file=sys.stderr
        )
        return 2
    if args.json:
        print(json.dumps(answer_json(engine, question), ensure_ascii=False))
    else:
        from bot.render import render

        print(render(engine.answer(question), "plain", engine.kb))
    return 0


def _chat(args: argparse.Namespace) -> int:
    from bot.render import render

    engine = _load_engine(args)
    print("declaratiebot: stel je vraag / ask your question (empty line or Ctrl-D to stop)")
    while True:
        try:
            question = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question.strip():
            return 0
        print(render(engine.answer(question), "plain", engine.kb))
        print()


def _serve(args: argparse.Namespace) -> int:
    """Run the Slack app; every Slack import stays inside (`ask` never loads Slack)."""
    from dataclasses import replace

    from bot.config import ConfigError, Settings
    from bot.engine.knowledge import KnowledgeError

    try:
        settings = Settings.from_env(mode="http" if args.http else "socket")  # reads KNOWLEDGE_DIR
        if args.kb:
            settings = replace(settings, knowledge_dir=_knowledge_dir(args.kb))
        if args.port is not None:
            settings = replace(settings, port=args.port)
        from bot.slack.app import serve

        return serve(settings)
    except ConfigError as exc:
        print(f"declaratiebot serve: {exc}", file=sys.stderr)
        return 2
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"declaratiebot serve: the knowledge base has {len(exc.problems)} problem(s)", file=sys.stderr)
        return 1


def _report(args: argparse.Namespace) -> int:
    """Deflection figures from the store (DATABASE_URL, or the default SQLite file)."""
    from bot.store.report import cli_report

    return cli_report(since=args.since, team=args.team, fmt=args.format, plot=args.plot, top=args.top)


def _explain(args: argparse.Namespace) -> int:
    """Explain a WMO325/JW325 retour file (or a zip holding one); bad input: one sentence, exit 2."""
    from bot.explain import ExplainError, as_json, explain_file
    from bot.render.explain import render_explanation

    kb = _load_engine(args).kb
    try:
        x = explain_file(args.file, kb, max_rows=args.max_rows)
    except ExplainError as exc:
        sentence = exc.message(args.lang)
        if args.json:  # one object on stdout here too: a script reads "error" instead of a traceback
            error = {"file": Path(args.file).name, "error": {"kind": exc.kind, "text": sentence}}
            print(json.dumps(error, ensure_ascii=False, indent=1))
        print(f"declaratiebot explain: {sentence}", file=sys.stderr)
        return 2
    text = render_explanation(x, "plain", args.lang)
    if args.json:
        print(json.dumps({**as_json(x, args.lang), "text": text}, ensure_ascii=False, indent=1))
    else:
        print(text)
    return 0


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="declaratiebot", description=__doc__)
    ap.add_argument(
        "--kb",
        metavar="DIR",
        help="knowledge directory (default: KNOWLEDGE_DIR, else the bundled knowledge/)",
    )
    sub = ap.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question (or one per line of stdin with --jsonl)")
    ask.add_argument("question", nargs="*", help="the question, in Dutch or English")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument("--jsonl", action="store_true", help="read questions from stdin, print JSON lines")
    ask.set_defaults(func=_ask)
    chat = sub.add_parser("chat", help="an interactive session in the terminal")
    chat.set_defaults(func=_chat)
    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_sub.add_parser("check", help="validate a knowledge directory")
    check.add_argument(
        "dir", nargs="?", help="directory to check (default: --kb, else KNOWLEDGE_DIR, else the bundled one)"
    )
    check.set_defaults(func=_kb_check)
    serve = sub.add_parser("serve", help="run the Slack app (Socket Mode, or --http)")
    serve.add_argument("--http", action="store_true", help="serve the Events API over HTTP instead")
    serve.add_argument("--port", type=_port, help="HTTP port (default: PORT or 3000)")
    serve.set_defaults(func=_serve)
    report = sub.add_parser("report", help="questions, answered share, deflection, top unanswered questions")
    report.add_argument("--since", default="7d", help="period: 7d, 24h, 2w or a date 2026-11-01 (default 7d)")
    report.add_argument("--team", metavar="T", help="one workspace (team id); default all")
    report.add_argument("--format", choices=("text", "json", "csv"), default="text")
    report.add_argument("--top", type=int, default=10, help="rows in each top list (default 10)")
    report.add_argument("--plot", type=Path, metavar="FILE", help="also draw questions per day as a PNG")
    report.set_defaults(func=_report)
    explain = sub.add_parser("explain", help="explain a WMO325/JW325 retour file (.xml or .zip)")
    explain.add_argument("file", help="the 325 retour message, as downloaded from VECOZO")
    explain.add_argument("--json", action="store_true", help="print one JSON object (amounts in cents)")
    explain.add_argument("--lang", choices=("nl", "en"), default="nl", help="language (default nl)")
    explain.add_argument(
        "--max-rows",
        type=int,
        default=100,
        metavar="N",
        help="rejected prestaties listed (default 100; 0 lists all)",
    )
    explain.set_defaults(func=_explain)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # `declaratiebot ask ... | head`: the reader has gone, so stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
