"""Turn the parts' JSON results into docs/benchmarks.md and its PNG charts."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

OURS = "declaratiebot (ours)"


def fmt_ms(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def fmt_s(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"


def table(head: list[str], rows: list[list[str]], align: str = "") -> str:
    align = align or "l" + "r" * (len(head) - 1)
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope in log-log: latency ~ size^slope."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0]
    if len(pts) < 2:
        return float("nan")
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else float("nan")


# --------------------------------------------------------------------------- sections


def quality_section(q: dict[str, Any]) -> str:
    ours = next(m for m in q["matchers"] if m["name"] == OURS)
    rows = []
    for m in q["matchers"]:
        d = m["sets"]["dev"]
        s32 = m["sets"].get("3.2")
        t = m["timing"]
        rows.append(
            [
                f"**{m['name']}**" if m["name"] == OURS else m["name"],
                f"{d['correct']}/{d['answerable']}",
                f"{d['declined_ok']}/{d['declinable']}",
                str(d["wrong_confident"]),
                str(d["missed"]),
                f"{s32['correct'] + s32['declined_ok']}/{s32['questions']}, {s32['wrong_confident']} wrong"
                if s32
                else "-",
                fmt_ms(t["median_ms"]),
                fmt_ms(t["p99_ms"]),
                f"{t['median_ms'] / ours['timing']['median_ms']:.1f}x",
                f"{t['p99_ms'] / ours['timing']['p99_ms']:.1f}x",
            ]
        )
    out = [
        table(
            [
                "matcher",
                "answered correctly",
                "declined correctly",
                "wrong answers given",
                "declined but answerable",
                "questions-3.2 passed",
                "median ms",
                "p99 ms",
                "median vs ours",
                "p99 vs ours",
            ],
            rows,
        ),
        "",
        f"{q['entries']} knowledge entries; the dev set is shared/eval/questions.yaml. Timing: "
        f"every question of the dev set, {ours['timing']['reps']} rounds for ours (fewer for a "
        "slow baseline, see `reps` in the JSON), one call timed at a time after a warm-up round. "
        "Ours is timed over all of `Engine.answer` (Slack markup, masking, codes, language, "
        "matching); a baseline over its match call only.",
        "",
        "What the baselines got wrong (first three per matcher):",
        "",
    ]
    for m in q["matchers"]:
        if m["name"] == OURS:
            continue
        fails = m["sets"]["dev"]["failures"][:3]
        examples = "; ".join(
            f"`{f['q']}`: " + ("answered, " if f["answered"] else "declined, ") + f["problems"][0]
            for f in fails
        )
        out.append(f"- {m['name']}: {examples or 'nothing'}")
    return "\n".join(out)


def growth_section(g: dict[str, Any], charts: dict[str, str]) -> str:
    rows = []
    for r in g["sizes"]:
        rows.append(
            [
                f"{r['size']:,}",
                f"{r['phrases']:,}",
                f"{r['vocabulary']:,}",
                f"{r['yaml_mb']:.1f}",
                fmt_s(r["load_yaml_s"]),
                fmt_s(r["build_engine_s"]),
                fmt_s(r["warm_load_s"]),
                f"{r['copy_mb']:.0f}" if r["copy_mb"] >= 10 else f"{r['copy_mb']:.1f}",
                f"{r['rss_cold_mb']:,.0f} / {r['rss_warm_mb']:,.0f}",
                f"{fmt_ms(r['code']['median_ms'])} / {fmt_ms(r['code']['p99_ms'])}",
                f"{fmt_ms(r['text']['median_ms'])} / {fmt_ms(r['text']['p99_ms'])}",
                f"{r['text']['answered'] * 100 // r['text']['questions']}%",
            ]
        )
    sizes = [r["size"] for r in g["sizes"]]
    text_slope = slope(sizes, [r["text"]["median_ms"] for r in g["sizes"]])
    text_p99_slope = slope(sizes, [r["text"]["p99_ms"] for r in g["sizes"]])
    code_slope = slope(sizes, [r["code"]["median_ms"] for r in g["sizes"]])
    load_slope = slope(sizes, [r["load_yaml_s"] + r["build_engine_s"] for r in g["sizes"]])
    warm_slope = slope(sizes, [r["warm_load_s"] for r in g["sizes"]])
    out = [
        table(
            [
                "entries",
                "phrases",
                "vocabulary",
                "YAML MB",
                "cold: load YAML s",
                "cold: build engine s",
                "warm: read copy s",
                "copy MB",
                "RSS MB cold / warm",
                "code ms median / p99",
                "free text ms median / p99",
                "free text answered",
            ],
            rows,
        ),
        "",
        f"![latency against size]({charts['latency']})",
        f"![load time and memory against size]({charts['load']})",
        "",
        "Observed growth (least-squares slope of log(time) against log(size) over all sizes; "
        "1 means linear, 0 means flat):",
        "",
        f"- exact-code questions: slope {code_slope:.2f}. A code is a dictionary lookup "
        "(`kb.by_code`), O(1); the rest of `answer()` (masking, code extraction, language) "
        "depends on the question, not on the base.",
        f"- free-text questions: slope {text_slope:.2f} (median), {text_p99_slope:.2f} (p99). "
        "Every phrase that shares a word with the question could be scored, and a common word "
        "is in a fixed share of all phrases, so that work is O(n) in the size of the base. Up to "
        "20,000 phrases it is plain Python; from there it is numpy over arrays, and only over the "
        "phrases that can decide the result: an entry the engine can use needs a phrase of about "
        "the question's weight that holds one of its rarer words, so each word's postings are "
        "ordered by phrase weight and the matcher computes a window of them, widened until the "
        "scores it has prove that no entry outside can be kept (the scores and order stay those "
        "of the reference scorer: tests/bench/test_matcher_paths.py). What grows in Python is "
        "only the handful of entries the engine keeps (`keep`/`floor`/`within`). Typo correction "
        "looks only at words of a length that can be one or two edits away: O(vocabulary), in C "
        "(rapidfuzz).",
        "- the slowest free-text questions at the largest size: "
        + "; ".join(
            f"`{x['q']}` {fmt_ms(x['median_ms'])} ms" for x in g["sizes"][-1]["text"].get("slowest", [])
        )
        + ". Such a question has several words and few entries that match it well, so the lowest "
        "score the engine keeps (the third best, say) is low: the window is wide and takes "
        "several guesses, and the matcher computes the F-beta of some tens of thousands of "
        "phrases (of the several hundred thousand that share a word with it); a misspelt long "
        "word adds its typo correction.",
        f"- cold load (YAML + validation + indexes): slope {load_slope:.2f}, linear in the bytes "
        "of YAML: libyaml composes nodes and PyYAML's Python constructor, the line map for error "
        "messages and pydantic's validation each visit every value once.",
        f"- warm load (the compiled copy): slope {warm_slope:.2f}, linear too (unpickling every "
        "object), but without parsing, validation or indexing.",
    ]
    big = g["sizes"][-1]
    side = big.get("text_runners_up")
    common = big.get("common_runners_up")
    words = ", ".join(f"`{w}`" for w in common["words"]) if common else ""
    if side:
        lim, unl = side["limited"], side["unlimited"]
        out += [
            "",
            f"**Runners-up.** Such a question also has hundreds to thousands of entries within "
            "`within` = 0.08 of the best. The engine answers from the best and a few of them, so "
            f"it asks the matcher for at most MAX_CLOSE = {side['max_close']} (same scores, same "
            "order, the same answers: tests/bench/test_matcher_paths.py checks that on the real "
            f"and a synthetic base). Side by side at {big['size']:,} entries, round by round in one "
            f"process: the free-text questions above, median / p99 {fmt_ms(unl['median_ms'])} / "
            f"{fmt_ms(unl['p99_ms'])} ms without the limit, {fmt_ms(lim['median_ms'])} / "
            f"{fmt_ms(lim['p99_ms'])} ms with it"
            + (
                f"; questions of one common word ({words}), "
                f"{fmt_ms(big['common_runners_up']['unlimited']['median_ms'])} / "
                f"{fmt_ms(big['common_runners_up']['unlimited']['p99_ms'])} ms without, "
                f"{fmt_ms(big['common_runners_up']['limited']['median_ms'])} / "
                f"{fmt_ms(big['common_runners_up']['limited']['p99_ms'])} ms with it. The limit "
                "pays where a question is one common word; the synthetic questions above are "
                "phrase fragments of several words, which seldom bring that many close entries"
                if big.get("common_runners_up")
                else ""
            )
            + ".",
        ]
    if big["size"] >= 200_000 and big["text"]["p99_ms"] >= 20:
        out += [
            "",
            f"**What stops the 20 ms p99 at {big['size']:,} entries.** The median is "
            f"{fmt_ms(big['text']['median_ms'])} ms; the slowest questions (above) are those the "
            "window prunes least: several words and few close matches, so the matcher computes "
            "tens of thousands of phrases over several guesses, more slowly when the machine is "
            "busy (see the note at the top). The scores must stay exactly those of the reference "
            "scorer, so the window is only narrowed where a bound proves it safe. Typo correction "
            "adds about 3 ms per misspelt long word at this vocabulary size.",
        ]
    return "\n".join(out)


def coldstart_section(c: dict[str, Any]) -> str:
    rows = [
        [
            f"`{r['command']}`",
            fmt_ms(r["median_ms"]),
            fmt_ms(r["min_ms"]),
            f"{r['vs_pass']:.1f}x",
            f"{r['vs_imports']:.2f}x",
        ]
        for r in c["rows"]
    ]
    return "\n".join(
        [
            table(
                [
                    "command",
                    "median ms",
                    "fastest ms",
                    "vs `python -c pass`",
                    "vs `import yaml, rapidfuzz, jinja2`",
                ],
                rows,
            ),
            "",
            f"{c['runs']} runs of each, alternating (A B C D A B C D ...). `ask` reads the compiled "
            "engine copy (bot/engine/cache.py) that an earlier run left; `no compiled copy` is the "
            "first run after a knowledge edit: YAML parsing, validation and indexing.",
        ]
    )


def slack_section(s: dict[str, Any] | None) -> str:
    if not s:
        return "Not measured in this run (`--parts` left it out, or the Slack app was not available)."
    rows = []
    for r in s["stages"]:
        sat = r["replies_per_s"] < 0.9 * r["rate"] or r["ack_failures"] > 0 or not r["ack_p99_ms"] <= 3000
        rows.append(
            [
                f"{r['rate']:g}",
                str(r["events"]),
                fmt_ms(r["ack_median_ms"]),
                fmt_ms(r["ack_p99_ms"]),
                fmt_ms(r["ack_max_ms"]),
                f"{r['replies_per_s']:.0f}",
                fmt_ms(r["reply_median_ms"]),
                fmt_ms(r["reply_p99_ms"]),
                "**saturated**" if sat else "",
            ]
        )
    last = s["stages"][-1]
    out = [
        "The bot (`build_app` on `bot/slack/http.py`, Bolt's default listener threads, the "
        "compiled engine) in one process; a fake Slack Web API (tests/slack/fake_slack.py) and "
        f"an open-loop load generator ({s['senders']} keep-alive connections) in another, all on "
        "127.0.0.1. Each event is an `app_mention` with a question from the dev set, signed with "
        "the signing secret like Slack signs it; its ack latency counts from when it was due, so "
        f"queueing shows. Each rate runs {s['seconds']:g} s; a reply is a chat.postMessage in "
        "the event's thread, its latency from when the event was due.",
        "",
        table(
            [
                "events/s offered",
                "events",
                "ack median ms",
                "ack p99 ms",
                "ack max ms",
                "replies/s",
                "reply median ms",
                "reply p99 ms",
                "",
            ],
            rows,
        ),
        "",
        f"At the last rate, {last['rate']:g} events/s, the ack p99 is {fmt_ms(last['ack_p99_ms'])} ms and "
        f"the slowest ack {fmt_ms(last['ack_max_ms'])} ms: "
        f"{3000 / max(last['ack_p99_ms'], 1e-9):.0f}x inside Slack's 3-second limit at p99. Each "
        "listener acknowledges first (an ack function without I/O) and answers afterwards in the "
        "listener pool, so a backlog of replies does not slow the acks until the process runs out "
        "of CPU; what saturates first is the replies.",
    ]
    prof = s.get("profile") or {}
    if prof:
        out += [
            "",
            f"Where the busy time goes at {s.get('profiled_rate', last['rate']):g} events/s (py-spy, "
            f"all threads, {prof['busy_samples']} busy samples; a step's share includes what it calls):",
            "",
            table(
                ["step", "share of busy time"],
                [[x["step"], f"{x['share'] * 100:.0f}%"] for x in prof["steps"]],
            ),
            "",
            "Busiest frames themselves:",
            "",
            table(
                ["frame", "share"], [[f"`{x['frame']}`", f"{x['share'] * 100:.0f}%"] for x in prof["leaves"]]
            ),
        ]
        out += _bottleneck(prof)
    return "\n".join(out)


def targets_section(results: dict[str, Any]) -> str:
    rows: list[list[str]] = []
    q = results.get("quality")
    if q:
        ours = next(m for m in q["matchers"] if m["name"] == OURS)["sets"]["dev"]
        worse = [
            m["name"]
            for m in q["matchers"]
            if m["name"] != OURS
            and (m["sets"]["dev"]["correct"] < ours["correct"] or m["sets"]["dev"]["wrong_confident"] > 0)
        ]
        n_base = len(q["matchers"]) - 1
        rows.append(
            [
                "every dev question right, zero confident wrong answers",
                f"{ours['correct']}/{ours['answerable']} answered, "
                f"{ours['declined_ok']}/{ours['declinable']} declined, {ours['wrong_confident']} wrong",
                _met(
                    ours["correct"] == ours["answerable"]
                    and ours["wrong_confident"] == 0
                    and ours["declined_ok"] == ours["declinable"]
                ),
            ]
        )
        rows.append(
            ["every baseline measurably worse", f"{len(worse)} of {n_base} worse", _met(len(worse) == n_base)]
        )
    g = results.get("growth")
    if g:
        by = {r["size"]: r for r in g["sizes"]}
        if 2_000 in by:
            p99 = by[2_000]["text"]["p99_ms"]
            rows.append(["free text p99 < 2 ms at 2,000 entries", f"{fmt_ms(p99)} ms", _met(p99 < 2)])
        if 200_000 in by:
            p99 = by[200_000]["text"]["p99_ms"]
            rows.append(["free text p99 < 20 ms at 200,000 entries", f"{fmt_ms(p99)} ms", _met(p99 < 20)])
        codes = [r["code"]["median_ms"] for r in g["sizes"]]
        rows.append(
            [
                "exact-code latency independent of size",
                f"median {fmt_ms(min(codes))}-{fmt_ms(max(codes))} ms over "
                f"{g['sizes'][0]['size']:,}-{g['sizes'][-1]['size']:,} entries",
                _met(max(codes) < 3 * min(codes)),
            ]
        )
    c = results.get("coldstart")
    if c:
        ask = next(r for r in c["rows"] if r["command"] == "declaratiebot ask 8290")
        rows.append(
            [
                "cold start of `ask` within 2x of `import yaml, rapidfuzz, jinja2`",
                f"{ask['vs_imports']:.2f}x",
                _met(ask["vs_imports"] <= 2),
            ]
        )
    s = results.get("slack")
    if s and "ack_p99_at_100_ms" in s:
        v = s["ack_p99_at_100_ms"]
        rows.append(["HTTP ack p99 < 50 ms at 100 events/s", f"{fmt_ms(v)} ms", _met(v < 50)])
    return table(["target", "measured", "met"], rows, "lll")


def _bottleneck(prof: dict[str, Any]) -> list[str]:
    """The saturation's cause in words, from the profile's step shares."""
    share = {x["step"].split(":")[0]: x["share"] for x in prof["steps"]}
    web, http = share.get("Web API call (chat.postMessage over HTTP)"), share.get("HTTP server")
    engine, render = share.get("engine"), share.get("render")
    if None in (web, http, engine, render):
        return []
    return [
        "",
        f"**The bottleneck is the HTTP work around an answer, not the answer.** Sending the reply "
        f"(chat.postMessage) takes {web * 100:.0f}% of the busy time and serving the requests (reading "
        f"them, writing the acks) {http * 100:.0f}%; the engine takes {engine * 100:.0f}% and rendering "
        f"{render * 100:.0f}%. "
        "slack_sdk's WebClient opens a new connection for every call (the name lookup, connect and "
        "close frames above), and on 2 cores the threads take turns at the interpreter.",
    ]


# The engine before the performance work (commit d834ceb), measured once with the same synthetic
# bases and questions (bench/synth.py, same seeds) on the project's machine of that session: the old
# code does not change, so these numbers do not either; a later session's machine may be faster or
# slower, so read the ratios. The "after" column comes from the run that writes the report.
BEFORE = {
    "real_load_s": 0.495,
    "ask_ms": 670.0,
    2_000: {"load_s": 2.37, "build_s": 0.154, "text_median_ms": 3.71, "text_p99_ms": 69.4},
    20_000: {"load_s": 26.4, "build_s": 3.62, "text_median_ms": 42.8, "text_p99_ms": 762.0},
}


def before_after_section(results: dict[str, Any]) -> str:
    rows: list[list[str]] = []
    c = results.get("coldstart")
    if c:
        ask = next(r for r in c["rows"] if r["command"] == "declaratiebot ask 8290")
        rows.append(
            [
                "`declaratiebot ask 8290`, whole process",
                f"{BEFORE['ask_ms']:.0f} ms",
                f"{ask['median_ms']:.0f} ms",
                "compiled engine copy (bot/engine/cache.py)",
            ]
        )
    g = {r["size"]: r for r in results.get("growth", {}).get("sizes", [])}
    for size in (2_000, 20_000):
        if size not in g:
            continue
        b, a = BEFORE[size], g[size]
        assert isinstance(b, dict)
        rows += [
            [
                f"{size:,} entries: load YAML",
                f"{b['load_s']:.2f} s",
                f"{a['load_yaml_s']:.2f} s",
                "libyaml parser, one pydantic TypeAdapter per file type, collector paused",
            ],
            [
                f"{size:,} entries: build engine",
                f"{b['build_s']:.2f} s",
                f"{a['build_engine_s']:.2f} s",
                "slower: more is built (the vectorised matcher's arrays and ordered postings from "
                "20,000 phrases, the typo vocabulary by length, the language words), once; "
                "every later start reads the compiled copy",
            ],
            [
                f"{size:,} entries: start from the compiled copy",
                "-",
                f"{a['warm_load_s']:.2f} s",
                "new: pickle of the built engine",
            ],
            [
                f"{size:,} entries: free text median / p99",
                f"{fmt_ms(b['text_median_ms'])} / {fmt_ms(b['text_p99_ms'])} ms",
                f"{fmt_ms(a['text']['median_ms'])} / {fmt_ms(a['text']['p99_ms'])} ms",
                "numpy scorer from 20,000 phrases, only the entries the engine uses become results",
            ],
        ]
    return "\n".join(
        [
            "## Before and after the engine work",
            "",
            "Before: the engine at commit d834ceb, measured once with the same synthetic bases and "
            "questions on the project's machine of that session (not side by side with this run: "
            "read the ratios, not the milliseconds). After: this run. The performance work kept the "
            "answers (the eval sets pass 100% before and after; tests/bench/test_matcher_paths.py "
            "holds the fast paths to the reference scorer); later reading changes (CHANGELOG) "
            "changed some answers on purpose.",
            "",
            table(["what", "before", "after", "why"], rows, "lrrl"),
        ]
    )


def _noise_note(results: dict[str, Any]) -> list[str]:
    """Say so when the machine was busy with other work: starting Python itself varied."""
    c = results.get("coldstart")
    if not c:
        return []
    bare = next(r for r in c["rows"] if r["command"] == "python -c pass")
    if bare["median_ms"] < 1.25 * bare["min_ms"]:
        return []
    return [
        f"The machine was not quiet during this run: `python -c pass` took {fmt_ms(bare['median_ms'])} ms "
        f"median against {fmt_ms(bare['min_ms'])} ms at best, so tail latencies (p99) carry that noise too.",
        "",
    ]


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def write(results: dict[str, Any], out: Path, command: str, extra_sections: list[str] | None = None) -> Path:
    """docs/benchmarks.md (or `out`/benchmarks.md) and the charts next to it."""
    out.mkdir(parents=True, exist_ok=True)
    charts = draw(results, out)
    m = results["machine"]
    parts = [
        "# Benchmarks",
        "",
        "Generated by `python -m bench` from the committed code; every number below comes from "
        f"that run. Regenerate with:\n\n    {command}\n\n(`python -m bench --quick` is the "
        "seconds-long smoke run the test suite does, with tiny sizes; it writes to a temp dir.)",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, {m['os']}, Python {m['python']}; "
        f"commit {m['commit']}, {m['date']}. Whole run: {results.get('elapsed_s', 0):.0f} s.",
        "",
        *_noise_note(results),
        "## Targets",
        "",
        targets_section(results),
    ]
    if "quality" in results:
        parts += [
            "",
            "## 1. Matching quality and speed against the obvious alternatives",
            "",
            quality_section(results["quality"]),
        ]
    if "growth" in results:
        parts += [
            "",
            "## 2. Growth: from 200 to 200,000 entries",
            "",
            _GROWTH_INTRO,
            "",
            growth_section(results["growth"], charts),
        ]
    parts += ["", "## 3. The Slack path (HTTP mode)", "", slack_section(results.get("slack"))]
    if "coldstart" in results:
        parts += ["", "## 4. Cold start", "", coldstart_section(results["coldstart"])]
    parts += ["", before_after_section(results)]
    for section in extra_sections or []:
        parts += ["", section]
    path = out / "benchmarks.md"
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


_GROWTH_INTRO = (
    "Synthetic knowledge bases (bench/synth.py): entries shaped like the real retourcodes, "
    "foutcodes, fields and how-tos, with words drawn from the real knowledge base at their real "
    'frequencies (so "bericht" and "message" stay as common as they are) plus new compound '
    "words whose number grows like a vocabulary does (n^0.8). 200 distinct exact-code questions "
    '("wat is retourcode QX1234") and 200 free-text questions typed from an entry\'s phrase '
    "(a prefix, sometimes a word less, sometimes two letters swapped) per size. Each size is "
    "measured in two fresh processes: *cold* parses the YAML and builds the engine as a process "
    "without the compiled copy does, *warm* reads the copy as every later process does, then "
    "answers the questions. RSS is the process's resident memory after loading."
)


# --------------------------------------------------------------------------- charts


def draw(results: dict[str, Any], out: Path) -> dict[str, str]:
    """PNG charts; returns their file names (relative to `out`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = {"latency": "benchmarks-latency.png", "load": "benchmarks-load.png"}
    g = results.get("growth")
    if not g:
        return names
    sizes = [r["size"] for r in g["sizes"]]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for kind, label, colour in (("text", "free text", "tab:blue"), ("code", "exact code", "tab:green")):
        ax.plot(
            sizes, [r[kind]["median_ms"] for r in g["sizes"]], "o-", color=colour, label=f"{label}, median"
        )
        ax.plot(sizes, [r[kind]["p99_ms"] for r in g["sizes"]], "s--", color=colour, label=f"{label}, p99")
    ax.axhline(2, color="grey", lw=0.8, ls=":")
    ax.axhline(20, color="grey", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("knowledge entries")
    ax.set_ylabel("ms per question (Engine.answer)")
    ax.set_title("Latency against size of the knowledge base")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / names["latency"])
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    ax.plot(
        sizes,
        [r["load_yaml_s"] + r["build_engine_s"] for r in g["sizes"]],
        "o-",
        label="cold: YAML + validation + indexes",
    )
    ax.plot(sizes, [r["warm_load_s"] for r in g["sizes"]], "s-", label="warm: compiled copy")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("knowledge entries")
    ax.set_ylabel("seconds")
    ax.grid(True, which="both", alpha=0.3)
    ax2 = ax.twinx()
    ax2.plot(sizes, [r["rss_warm_mb"] for r in g["sizes"]], "^:", color="tab:red", label="RSS (warm), MB")
    ax2.set_yscale("log")
    ax2.set_ylabel("MB resident")
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=8, loc="upper left")
    ax.set_title("Load time and memory against size")
    fig.tight_layout()
    fig.savefig(out / names["load"])
    plt.close(fig)
    return names
