"""Part 5: explaining a large 325 retour file, streaming against loading the whole tree.

A synthetic JW325 with 20,000 rejected prestaties (1,000 clients of 20 prestaties, ~15 MB,
codes and credit lines mixed) is written to a temp dir. Three ways to explain it, each in a
fresh process (python -m bench.explain_bench --worker WAY FILE), so that one way's memory
does not hide another's:

- `declaratiebot (ours)`: bot.explain.explain_file: defusedxml parser fed 64 KiB at a time,
  no element tree, records aggregated as they end;
- `ElementTree.parse (naive)`: the stdlib parser loads the whole tree, then the same
  aggregation walks it (not hardened: shown for what it costs, never used);
- `defusedxml.ElementTree.parse`: the hardened parser, but loading the whole tree.

The whole command `declaratiebot explain FILE` is timed too (wall time and the peak RSS of
that process, from os.wait4), as a person runs it, on the large file and on six hostile
shapes of about 24 MB (a huge value in a small zip, a million distinct elements, deep
nesting, whitespace, one huge tag, one retourcode repeated): each must end in a sentence or
an explanation, never a traceback, and its peak RSS is reported. Per way: wall time of the explanation
alone (knowledge base loaded before; median of the runs), peak RSS of the process above what
it was before the explanation (ru_maxrss), the process's peak RSS, and tracemalloc's peak of
Python allocations (a separate run: tracemalloc slows everything). Both baselines must give
the same verdict, totals and code counts as ours, or the bench fails.

    python -m bench.explain_bench [--quick] [--prestaties N] [--runs N]   (prints JSON last)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import ROOT, emit, machine

WAYS = ("ours", "naive", "defused-tree")
NAMES = {
    "ours": "declaratiebot (ours)",
    "naive": "ElementTree.parse (naive)",
    "defused-tree": "defusedxml.ElementTree.parse",
}
TARGET_S, TARGET_MB = 2.0, 100.0
_CODES = ("9307", "9308", "0611", "9321", "9338", "9340", "8017", "9389")


def generate(path: Path, prestaties: int, per_client: int = 20) -> int:
    """Write a JW325 with `prestaties` rejected prestaties; returns its size in bytes."""
    p, b = "jw325:", "ijw:"  # the message's own elements; those of the base schema's types
    rejected = 0
    lines: list[str] = []
    for i in range(prestaties):
        if i % per_client == 0:
            if i:
                lines.append(f"</{p}Prestaties><{p}RetourCodes><{p}RetourCode>0200</{p}RetourCode>")
                lines.append(f"</{p}RetourCodes></{p}Client>")
            bsn = _bsn(100_000_000 + i // per_client * 7)
            lines.append(f"<{p}Client><{p}Bsn>{bsn}</{p}Bsn><{p}Prestaties>")
        volume, tariff = 1 + i % 12, 4_500 + (i % 7) * 350
        amount = volume * tariff
        dc = "C" if i % 10 == 9 else "D"
        rejected += -amount if dc == "C" else amount
        codes = "".join(f"<{p}RetourCode>{c}</{p}RetourCode>" for c in _codes(i))
        lines.append(
            f"<{p}Prestatie><{p}ProductReferentie><{b}ReferentieNummer>JW2601-{i:06d}</{b}ReferentieNummer>"
            f"</{p}ProductReferentie><{p}ToewijzingNummer>{7_700_000 + i}</{p}ToewijzingNummer>"
            f"<{p}ProductCategorie>{45 if i % 3 else 43}</{p}ProductCategorie>"
            f"<{p}ProductCode>45A53</{p}ProductCode>"
            f"<{p}ProductPeriode><{b}Begindatum>2026-01-01</{b}Begindatum><{b}Einddatum>2026-01-31</{b}Einddatum>"
            f"</{p}ProductPeriode><{p}GeleverdVolume>{volume}</{p}GeleverdVolume><{p}Eenheid>04</{p}Eenheid>"
            f"<{p}ProductTarief>{tariff}</{p}ProductTarief><{p}IngediendBedrag><{b}Bedrag>{amount}</{b}Bedrag>"
            f"<{b}DebetCredit>{dc}</{b}DebetCredit></{p}IngediendBedrag><{p}RetourCodes>{codes}</{p}RetourCodes>"
            f"</{p}Prestatie>"
        )
    if prestaties:
        lines.append(f"</{p}Prestaties><{p}RetourCodes><{p}RetourCode>0200</{p}RetourCode></{p}RetourCodes>")
        lines.append(f"</{p}Client>")
    submitted = rejected * 5 // 4
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{p}Bericht xmlns:jw325="http://www.istandaarden.nl/ijw/3_2/jw325/schema" '
        'xmlns:ijw="http://www.istandaarden.nl/ijw/3_2/basisschema/schema">'
        f"<{p}Header>"
        f"<{p}BerichtCode>491</{p}BerichtCode><{p}BerichtVersie>3</{p}BerichtVersie>"
        f"<{p}BerichtSubversie>2</{p}BerichtSubversie><{p}Afzender>0363</{p}Afzender>"
        f"<{p}Ontvanger>45009876</{p}Ontvanger><{p}BerichtIdentificatie><{b}Identificatie>BENCH325"
        f"</{b}Identificatie><{b}Dagtekening>2026-02-09</{b}Dagtekening></{p}BerichtIdentificatie>"
        f"<{p}XsdVersie><{b}BasisschemaXsdVersie>0.1.0</{b}BasisschemaXsdVersie><{b}BerichtXsdVersie>0.1.0"
        f"</{b}BerichtXsdVersie></{p}XsdVersie><{p}DeclaratieIdentificatie><{b}Identificatie>BENCH323"
        f"</{b}Identificatie><{b}Dagtekening>2026-02-03</{b}Dagtekening></{p}DeclaratieIdentificatie>"
        f"<{p}XsdVersieDeclaratie><{b}BasisschemaXsdVersie>0.1.0</{b}BasisschemaXsdVersie>"
        f"<{b}BerichtXsdVersie>0.1.0</{b}BerichtXsdVersie></{p}XsdVersieDeclaratie><{p}RetourCodes>"
        f"<{p}RetourCode>0200</{p}RetourCode></{p}RetourCodes></{p}Header>\n"
        f"<{p}DeclaratieAntwoord><{p}DeclaratieNummer>BENCH1</{p}DeclaratieNummer>"
        f"<{p}TotaalIngediendBedrag><{b}TotaalBedrag>{abs(submitted)}</{b}TotaalBedrag>"
        f"<{b}DebetCredit>{'C' if submitted < 0 else 'D'}</{b}DebetCredit></{p}TotaalIngediendBedrag>"
        f"<{p}TotaalToegekendBedrag><{b}TotaalBedrag>{abs(submitted - rejected)}</{b}TotaalBedrag>"
        f"<{b}DebetCredit>{'C' if submitted - rejected < 0 else 'D'}</{b}DebetCredit>"
        f"</{p}TotaalToegekendBedrag>" + (f"<{p}Clienten>\n" if prestaties else "")
    )
    tail = (f"</{p}Clienten>" if prestaties else "") + (
        f"<{p}RetourCodes><{p}RetourCode>0200</{p}RetourCode></{p}RetourCodes></{p}DeclaratieAntwoord>"
        f"</{p}Bericht>\n"
    )
    with open(path, "w", encoding="utf-8") as f:
        f.write(head)
        for line in lines:
            f.write(line + "\n")
        f.write(tail)
    return path.stat().st_size


def _codes(i: int) -> list[str]:
    if i % 10 == 9:
        return ["8017"]
    first = _CODES[i % 6]
    return [first, "9308"] if first == "9307" and i % 4 == 0 else [first]


def _bsn(start: int) -> str:
    """The first number from `start` on that passes the elfproef (fictitious)."""
    from bot.engine.privacy import elfproef

    n = start
    while not elfproef(f"{n:09d}"):
        n += 1
    return f"{n:09d}"


# --------------------------------------------------------------------------- the baselines


def explain_tree(path: Path, hardened: bool) -> dict[str, Any]:
    """The same figures from a fully loaded tree (what the obvious code does)."""
    if hardened:
        from defusedxml.ElementTree import parse
    else:
        from xml.etree.ElementTree import parse

    root = parse(path).getroot()
    header = root.find("{*}Header")
    answer = root.find("{*}DeclaratieAntwoord")
    assert header is not None and answer is not None
    counts: Counter[tuple[str, str]] = Counter()
    for c in header.findall("{*}RetourCodes/{*}RetourCode"):
        counts[("message", c.text or "")] += 1
    for c in answer.findall("{*}RetourCodes/{*}RetourCode"):
        counts[("declaration", c.text or "")] += 1
    prestaties = clients = 0
    rows: list[tuple[str, int]] = []
    for client in answer.iterfind("{*}Clienten/{*}Client"):
        clients += 1
        for c in client.findall("{*}RetourCodes/{*}RetourCode"):
            counts[("clients", c.text or "")] += 1
        for p in client.iterfind("{*}Prestaties/{*}Prestatie"):
            prestaties += 1
            for code in dict.fromkeys(c.text or "" for c in p.findall("{*}RetourCodes/{*}RetourCode")):
                counts[("prestaties", code)] += 1
            if len(rows) < 100:
                rows.append(
                    (p.findtext("{*}ProductCode") or "", int(p.findtext("{*}IngediendBedrag/{*}Bedrag") or 0))
                )

    def total(name: str) -> int:
        cents = int(answer.findtext(f"{{*}}{name}/{{*}}TotaalBedrag") or 0)
        return -cents if answer.findtext(f"{{*}}{name}/{{*}}DebetCredit") == "C" else cents

    return _figures(
        total("TotaalIngediendBedrag"), total("TotaalToegekendBedrag"), clients, prestaties, counts
    )


def explain_ours(path: Path, kb: Any) -> dict[str, Any]:
    from bot.explain import explain_file

    x = explain_file(path, kb)
    assert x.answer is not None
    counts: Counter[tuple[str, str]] = Counter()
    for g in x.codes:
        for level in ("message", "declaration", "clients", "prestaties"):
            if getattr(g, level):
                counts[(level, g.code)] = getattr(g, level)
    return _figures(x.answer.submitted.signed, x.answer.granted.signed, x.clients, x.prestaties, counts)


def _figures(
    submitted: int, granted: int, clients: int, prestaties: int, counts: Counter[tuple[str, str]]
) -> dict[str, Any]:
    return {
        "submitted": submitted,
        "granted": granted,
        "clients": clients,
        "prestaties": prestaties,
        "codes": sorted(f"{level}:{code}={n}" for (level, code), n in counts.items()),
    }


# --------------------------------------------------------------------------- measuring


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def worker(way: str, path: Path, runs: int) -> dict[str, Any]:
    """Measure one way in this (fresh) process."""
    from bot.engine.knowledge import default_dir, load

    kb = load(default_dir())

    def once() -> dict[str, Any]:
        if way == "ours":
            return explain_ours(path, kb)
        return explain_tree(path, hardened=way == "defused-tree")

    gc.collect()
    before = _rss_mb()
    times = []
    figures: dict[str, Any] = {}
    for _ in range(runs):
        start = time.perf_counter()
        figures = once()
        times.append(time.perf_counter() - start)
        gc.collect()
    after = _rss_mb()
    tracemalloc.start()
    once()
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {
        "way": way,
        "seconds": statistics.median(times),
        "runs": runs,
        "rss_before_mb": before,
        "rss_peak_mb": after,
        "rss_added_mb": after - before,
        "traced_peak_mb": traced,
        "figures": figures,
    }


def command(path: Path, runs: int, cache: str) -> dict[str, Any]:
    """`declaratiebot explain FILE` as a whole process: start, knowledge (compiled copy), explain, print."""
    cmd = [sys.executable, "-m", "bot", "explain", str(path)]
    env = {**os.environ, "DECLARATIEBOT_CACHE_DIR": cache}
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True)  # makes the compiled copy
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        times.append(time.perf_counter() - start)
        if status != 0:
            raise SystemExit(f"explain_bench: {' '.join(cmd)} failed: {status}")
        peaks.append(usage.ru_maxrss / 1024)
    return {"seconds": statistics.median(times), "rss_peak_mb": max(peaks), "runs": runs}


def hostile_files(directory: Path, size: int) -> dict[str, Path]:
    """Files of about `size` bytes shaped to make a reader hold much (audit of issue 4):
    a huge value in a small zip, a million distinct elements, deep nesting, whitespace, a
    huge tag, one retourcode repeated. Each must end in a sentence or a bounded explanation."""
    import zipfile

    base = (ROOT / "tests/explain/fixtures/wmo325-partly-rejected.xml").read_text(encoding="utf-8")

    def inside(old: str, filler: str) -> bytes:
        return base.replace(old, filler + old, 1).encode()[: 25 * 2**20]

    n = max(size // 16, 1000)
    shapes = {
        "value-in-zip": inside("0599<", "1" * size),
        "distinct-elements": inside(
            "<wmo325:ToewijzingNummer>", "".join(f"<X{i}>y</X{i}>" for i in range(n))
        ),
        "deep": inside("<wmo325:Afzender>", "<D>" * (size // 8) + "</D>" * (size // 8)),
        "whitespace-in-zip": inside("<wmo325:Afzender>", " " * size),
        "huge-tag": inside(
            "<wmo325:Afzender>", "<A " + " ".join(f'a{i}=">"' for i in range(size // 9)) + "/>"
        ),
        "one-code-repeated": inside(
            "<wmo325:RetourCode>9308", "<wmo325:RetourCode>9307</wmo325:RetourCode>" * (size // 44)
        ),
    }
    paths = {}
    for name, data in shapes.items():
        path = directory / (f"{name}.zip" if name.endswith("-in-zip") else f"{name}.xml")
        if path.suffix == ".zip":
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("r.xml", data)
        else:
            path.write_bytes(data)
        paths[name] = path
    return paths


def command_outcome(path: Path, cache: str) -> dict[str, Any]:
    """One run of `declaratiebot explain FILE`: wall time, peak RSS, exit status, first line."""
    cmd = [sys.executable, "-m", "bot", "explain", str(path)]
    env = {**os.environ, "DECLARATIEBOT_CACHE_DIR": cache}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the largest child so far: see below
    said = (err or out).decode("utf-8", "replace").splitlines()
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "status": proc.returncode,
        "seconds": seconds,
        "rss_peak_mb": usage.ru_maxrss / 1024,
        "said": said[0][:160] if said else "",
    }


def hostile(runs_dir: Path, cache: str, size: int) -> list[dict[str, Any]]:
    """Each hostile shape explained by the whole command, in a fresh measuring process each
    (RUSAGE_CHILDREN is the largest child's peak, so every file gets its own parent)."""
    rows = []
    for name, path in hostile_files(runs_dir, size).items():
        out = subprocess.run(
            [sys.executable, "-m", "bench.explain_bench", "--one-command", str(path), cache],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
            check=False,
        )
        if out.returncode != 0:
            sys.stderr.write(out.stderr[-3000:])
            raise SystemExit(f"explain_bench: measuring {name} failed")
        row = json.loads(out.stdout.strip().splitlines()[-1])
        if "Traceback" in row["said"] or row["status"] not in (0, 2):
            raise SystemExit(f"explain_bench: {name}: {row}")
        rows.append({"shape": name, **row})
    return rows


def run(prestaties: int, runs: int, hostile_size: int = 24 * 2**20) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="explain-bench-") as tmp:
        path = Path(tmp) / "jw325-bench.xml"
        size = generate(path, prestaties)
        whole = command(path, runs, str(Path(tmp) / "cache"))
        rows = []
        for way in WAYS:
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.explain_bench",
                    "--worker",
                    way,
                    str(path),
                    "--runs",
                    str(runs),
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=900,
                check=False,
            )
            if out.returncode != 0:
                sys.stderr.write(out.stderr[-3000:])
                raise SystemExit(f"explain_bench: worker {way} exited {out.returncode}")
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        # last: making the hostile files takes memory here, and Linux carries a parent's peak
        # RSS over into the children it starts (ru_maxrss survives fork and exec)
        shapes = hostile(Path(tmp), str(Path(tmp) / "cache"), hostile_size)
    ours = rows[0]
    for r in rows[1:]:
        if r["figures"] != ours["figures"]:
            raise SystemExit(
                f"explain_bench: {r['way']} disagrees with ours: {r['figures']} != {ours['figures']}"
            )
    for r in rows:
        r["name"] = NAMES[r["way"]]
        r["time_ratio"] = r["seconds"] / ours["seconds"]
        r["rss_ratio"] = r["rss_added_mb"] / max(ours["rss_added_mb"], 0.1)
        r["traced_ratio"] = r["traced_peak_mb"] / max(ours["traced_peak_mb"], 0.01)
    return {
        "command": whole,
        "hostile": shapes,
        "prestaties": prestaties,
        "clients": ours["figures"]["clients"],
        "bytes": size,
        "runs": runs,
        "rows": rows,
    }


def markdown(result: dict[str, Any]) -> str:
    mb = result["bytes"] / 2**20
    whole = result["command"]
    met = whole["seconds"] < TARGET_S and whole["rss_peak_mb"] < TARGET_MB
    lines = [
        "## 5. Explaining a large 325 retour file",
        "",
        f"A synthetic JW325 with {result['prestaties']:,} rejected prestaties of "
        f"{result['clients']:,} clients ({mb:.1f} MB), explained by `python -m bench.explain_bench` in a "
        f"fresh process per way; time is the median of {result['runs']} run(s) of the explanation "
        "alone (knowledge base already loaded). "
        "RSS added is the process's peak RSS above what it was before the first explanation; traced is "
        "tracemalloc's peak of Python allocations. All three give the same verdict, totals and code counts.",
        "",
        "| way | time | × ours | RSS added | × ours | peak RSS | traced peak | × ours |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in result["rows"]:
        name = f"**{r['name']}**" if r["way"] == "ours" else r["name"]
        lines.append(
            f"| {name} | {r['seconds']:.2f} s | {r['time_ratio']:.2f} | {r['rss_added_mb']:.1f} MB | "
            f"{r['rss_ratio']:.0f} | {r['rss_peak_mb']:.0f} MB | {r['traced_peak_mb']:.2f} MB | "
            f"{r['traced_ratio']:.0f} |"
        )
    lines += [
        "",
        f"The whole command, `declaratiebot explain FILE` (start Python, load the compiled knowledge, "
        f"explain, print the first 100 prestaties; median of {whole['runs']} run(s)): "
        f"{whole['seconds']:.2f} s, peak RSS {whole['rss_peak_mb']:.0f} MB. "
        f"Target: under {TARGET_S:.0f} s and under {TARGET_MB:.0f} MB: {'met' if met else 'NOT met'}.",
        "",
        "Hostile shapes (each the whole command on one generated file; exit 2 is a sentence):",
        "",
        "| shape | file | exit | time | peak RSS | said |",
        "|---|--:|--:|--:|--:|---|",
    ]
    for h in result["hostile"]:
        lines.append(
            f"| {h['shape']} | {h['bytes'] / 2**20:.2f} MB | {h['status']} | {h['seconds']:.2f} s | "
            f"{h['rss_peak_mb']:.0f} MB | {h['said'][:70]} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.explain_bench", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="200 prestaties, one run (the smoke test)")
    ap.add_argument("--prestaties", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--worker", nargs=2, metavar=("WAY", "FILE"), help=argparse.SUPPRESS)
    ap.add_argument("--one-command", nargs=2, metavar=("FILE", "CACHE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        emit(worker(args.worker[0], Path(args.worker[1]), args.runs))
        return 0
    if args.one_command:
        emit(command_outcome(Path(args.one_command[0]), args.one_command[1]))
        return 0
    prestaties, runs = (200, 1) if args.quick else (args.prestaties, args.runs)
    result = run(prestaties, runs, hostile_size=200_000 if args.quick else 24 * 2**20)
    result["machine"] = machine()
    result["markdown"] = markdown(result)
    print(result["markdown"], file=sys.stderr)
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
