"""Part 3: the Slack path. The bot in HTTP mode, a fake Web API, correctly signed events.

Three roles on loopback:

- the bot: `build_app(settings, engine)` on `bot/slack/http.py`, in its own process (as it
  runs in production: one process, Bolt's listener threads);
- a fake Slack Web API (tests/slack/fake_slack.py) that answers chat.postMessage and
  records every call with its arrival time;
- a load generator sending `app_mention` events signed with the signing secret, open loop:
  event k is due at start + k/rate, whether or not earlier ones were answered, and its ack
  latency counts from when it was due (so a slow server cannot hide its queue).

For each rate: acks (HTTP 200 from the bot) median/p99 and replies per second (chat.postMessage
calls that reached the fake, in the thread of their event), until the bot saturates: it
replies to fewer than 90% of the offered events per second, or an ack takes more than Slack's
3 seconds. At that rate the bot is profiled with py-spy (all threads) when it is installed.

    python -m bench.slack_http [--quick] [--rates 25 50 100 ...]   (prints JSON)
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import ROOT, emit, percentile

SECRET = "bench-signing-secret-0123456789ab"
SUPPORT = "C0SUPPORT"
SLACK_ACK_LIMIT_S = 3.0
SENDERS = 48  # connections of the load generator


def sign(timestamp: str, body: str) -> str:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")."""
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


# --------------------------------------------------------------------------- the bot process


def serve(api_url: str) -> None:
    """Run the bot on a free loopback port; print the port; serve until killed."""
    import logging

    from bot.config import Settings
    from bot.engine.cache import cached_engine
    from bot.engine.knowledge import default_dir
    from bot.slack.app import build_app
    from bot.slack.http import make_server
    from tests.slack.fake_slack import TOKEN

    logging.basicConfig(level=logging.WARNING)
    settings = Settings(
        mode="http",
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=api_url,
        support_channel_id=SUPPORT,
    )
    server = make_server(build_app(settings, cached_engine(default_dir())), "127.0.0.1", 0)
    print(server.server_address[1], flush=True)
    server.serve_forever()


# --------------------------------------------------------------------------- the load generator


class Load:
    def __init__(self, port: int, questions: list[str]):
        self.port = port
        self.questions = questions
        self.serial = 0

    def event(self) -> tuple[str, str]:
        """A signed-to-be body of a new app_mention, and its ts (the reply's thread_ts)."""
        from tests.slack import payloads

        self.serial += 1
        ts = f"1800000000.{self.serial:06d}"
        q = self.questions[self.serial % len(self.questions)]
        body = json.dumps(payloads.envelope(payloads.mention(f"<@UBOT> {q}", ts=ts)))
        return body, ts

    def run(self, rate: float, seconds: float) -> tuple[list[float], dict[str, float], int]:
        """Send rate*seconds events on schedule; return ack latencies, due times by ts, failures."""
        events = [self.event() for _ in range(int(rate * seconds))]
        acks: list[float] = []
        due: dict[str, float] = {}
        failures = 0
        lock = threading.Lock()
        start = time.perf_counter() + 0.2
        next_index = iter(range(len(events)))

        def sender() -> None:
            nonlocal failures
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            while True:
                with lock:
                    k = next(next_index, None)
                if k is None:
                    break
                body, ts = events[k]
                when = start + k / rate
                delay = when - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                stamp = str(int(time.time()))
                headers = {
                    "Content-Type": "application/json",
                    "X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": sign(stamp, body),
                }
                try:
                    conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                done = time.perf_counter()
                with lock:
                    if ok:
                        acks.append(done - when)
                        due[ts] = when
                    else:
                        failures += 1
            conn.close()

        threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return acks, due, failures


def replies_in_thread(fake: Any, since: int) -> dict[str, float]:
    """thread_ts -> arrival time of the first reply posted in that thread (from call `since` on)."""
    out: dict[str, float] = {}
    for call in fake.calls[since:]:
        if call.method == "chat.postMessage" and call.ok:
            ts = call.params.get("thread_ts")
            if ts and ts not in out:
                out[str(ts)] = getattr(call, "at", 0.0)
    return out


def stage(load: Load, fake: Any, rate: float, seconds: float) -> dict[str, Any]:
    since = len(fake.calls)
    began = time.perf_counter()
    acks, due, failures = load.run(rate, seconds)
    sent_for = time.perf_counter() - began
    # wait for the replies to drain (at most 20 s), then count those that came
    deadline = time.perf_counter() + 20
    while time.perf_counter() < deadline:
        if len(replies_in_thread(fake, since)) >= len(due):
            break
        time.sleep(0.1)
    replies = replies_in_thread(fake, since)
    answered = [replies[ts] - due[ts] for ts in due if ts in replies]
    last = max(replies.values(), default=began)
    span = max(last - (began + 0.2), seconds)
    return {
        "rate": rate,
        "events": len(due) + failures,
        "ack_failures": failures,
        "ack_median_ms": statistics.median(acks) * 1e3 if acks else float("nan"),
        "ack_p99_ms": percentile(acks, 99) * 1e3 if acks else float("nan"),
        "ack_max_ms": max(acks) * 1e3 if acks else float("nan"),
        "replies": len(answered),
        "replies_per_s": len(answered) / span,
        "reply_median_ms": statistics.median(answered) * 1e3 if answered else float("nan"),
        "reply_p99_ms": percentile(answered, 99) * 1e3 if answered else float("nan"),
        "send_seconds": sent_for,
    }


def saturated(row: dict[str, Any]) -> bool:
    return bool(
        row["replies_per_s"] < 0.9 * row["rate"]
        or row["ack_failures"] > 0
        or not row["ack_p99_ms"] <= SLACK_ACK_LIMIT_S * 1e3
    )


def profile(pid: int, seconds: float, load: Load, fake: Any, rate: float) -> dict[str, Any]:
    """Sample the bot with py-spy while it takes `rate` events/s; the functions it spends most time in."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stacks.txt"
        proc = subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(pid),
                "--format",
                "raw",
                "--threads",
                "--rate",
                "200",
                "--duration",
                str(int(seconds) + 1),
                "--output",
                str(out),
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)
        stage(load, fake, rate, seconds)
        proc.wait(timeout=60)
        if not out.exists():
            return {}
        return top_frames(out.read_text(encoding="utf-8", errors="replace"))


# Frames that are a thread waiting, not working.
IDLE = (
    "_worker (concurrent/futures/thread.py",
    "wait (threading.py",
    "select (selectors.py",
    "accept (socket.py",
    "sleep",
    "get (queue.py",
    "poll (selectors.py",
    "_recv_into",
    "readinto (socket.py",
    "serve_forever (socketserver.py",
)
# Steps of the Slack path, to say where the busy time goes (inclusive).
STEPS = {
    "HTTP server: read and parse the request": "handle_one_request (http/server.py",
    "Bolt: dispatch (signature check, middleware, ack)": "dispatch (slack_bolt/app/app.py",
    "signature check (HMAC)": "is_valid (slack_sdk/signature",
    "listener: the whole reply": "on_mention (bot/slack/listeners/events.py",
    "engine: Engine.answer": "answer (bot/engine/answer.py",
    "render: blocks and text": "(bot/slack/blocks.py",
    "Web API call (chat.postMessage over HTTP)": "api_call (slack_sdk/web/base_client.py",
}


def top_frames(raw: str, n: int = 8) -> dict[str, Any]:
    """From py-spy's collapsed stacks: busy share of each step, and the busiest leaf frames."""
    busy = 0
    steps: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if any(idle in frames[-1] for idle in IDLE):
            continue
        busy += int(count)
        leaves[frames[-1]] += int(count)
        for name, marker in STEPS.items():
            if any(marker in f for f in frames):
                steps[name] += int(count)
    if not busy:
        return {}
    return {
        "busy_samples": busy,
        "steps": [{"step": name, "share": steps[name] / busy} for name in STEPS],
        "leaves": [{"frame": f, "share": c / busy} for f, c in leaves.most_common(n)],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="two low rates, one second each")
    ap.add_argument("--rates", type=float, nargs="+")
    ap.add_argument("--seconds", type=float, default=6.0, help="length of each stage")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0

    import yaml

    from bench.common import QUESTIONS
    from tests.slack.fake_slack import FakeSlack

    rates = args.rates or ([5, 20] if args.quick else [25, 50, 100, 200, 300, 400, 600])
    seconds = 1.0 if args.quick else args.seconds
    questions = [c["q"] for c in yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))]

    fake = FakeSlack()
    record = fake._handle

    def handle(request: Any) -> None:  # stamp each call with when it arrived
        n = len(fake.calls)
        record(request)
        now = time.perf_counter()
        for call in fake.calls[n:]:
            if not hasattr(call, "at"):
                call.at = now  # type: ignore[attr-defined]

    fake._handle = handle  # type: ignore[method-assign]
    fake.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    bot = subprocess.Popen(
        [sys.executable, "-m", "bench.slack_http", "--serve", fake.api_url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert bot.stdout is not None
        port = int(bot.stdout.readline())
        load = Load(port, questions)
        stage(load, fake, 10, 1.0)  # warm-up: the first answers, connections
        rows = []
        for rate in rates:
            row = stage(load, fake, rate, seconds)
            rows.append(row)
            print(f"slack: {rate}/s -> {row}", file=sys.stderr, flush=True)
            if saturated(row):
                break
        # profile where it saturated (or at the highest rate): that is where the bottleneck shows
        hot = profile(bot.pid, seconds, load, fake, rows[-1]["rate"]) if not args.quick else {}
    finally:
        bot.terminate()
        bot.wait(timeout=10)
        fake.stop()
    by_rate = {r["rate"]: r for r in rows}
    result: dict[str, Any] = {
        "stages": rows,
        "profile": hot,
        "profiled_rate": rows[-1]["rate"],
        "seconds": seconds,
        "senders": SENDERS,
    }
    if 100 in by_rate:
        result["ack_p99_at_100_ms"] = by_rate[100]["ack_p99_ms"]
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
