import logging, json
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from tests.slack.test_http_fuzz import requests, send, slack_like, json_values
from tests.slack.conftest import Bot, SECRET, sign
from tests.slack import payloads
import time

def mutate_strategy():
    templates = [
        payloads.envelope(payloads.mention("<@UBOT> wat is 8290")),
        payloads.envelope(payloads.dm("wat is 8290")),
        payloads.envelope(payloads.home_opened()),
        payloads.envelope({"type": "file_shared", "file_id": "F1", "user_id": "U1"}),
        json.loads(dict(__import__("urllib.parse").parse.parse_qsl(payloads.block_actions({"action_id": "helpful", "text": {"type": "plain_text", "text": "x"}, "value": "{}"}, "http://x")))["payload"]),
        dict(__import__("urllib.parse").parse.parse_qsl(payloads.command("wat is 8290", "http://127.0.0.1:9/r"))),
        {"type": "view_submission", "user": {"id": "U1"}, "view": {"id": "V1", "type": "modal", "callback_id": "x", "state": {"values": {}}}, "team": {"id": "T1"}},
        {"type": "shortcut", "callback_id": "x", "user": {"id": "U1"}, "trigger_id": "1.2", "team": {"id": "T1"}},
        {"type": "interactive_message", "callback_id": "x", "actions": [{"name": "a", "value": "b"}], "user": {"id": "U1"}, "channel": {"id": "C1"}},
        {"type": "url_verification", "challenge": "abc", "token": "t"},
        {"type": "app_rate_limited", "team_id": "T1", "minute_rate_limited": 1, "api_app_id": "A1"},
        {"type": "block_suggestion", "action_id": "x", "block_id": "b", "value": "q", "user": {"id": "U1"}, "team": {"id": "T1"}},
        {"type": "workflow_step_edit", "callback_id": "x", "workflow_step": {"workflow_step_edit_id": "1"}, "user": {"id": "U1"}},
    ]
    @st.composite
    def mutated(draw):
        body = json.loads(json.dumps(draw(st.sampled_from(templates))))
        for _ in range(draw(st.integers(1, 4))):
            # walk to a random container and replace or add a key
            node = body
            while True:
                keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
                if not keys: break
                k = draw(st.sampled_from(keys))
                child = node[k]
                if isinstance(child, (dict, list)) and child and draw(st.booleans()):
                    node = child; continue
                node[k] = draw(json_values)
                break
        return body
    return mutated()

def test_explore(bot: Bot, caplog):
    caplog.set_level(logging.WARNING)
    @settings(max_examples=5000, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(mutate_strategy(), st.sampled_from(["json", "payload"]))
    def one(body, how):
        if how == "json":
            text, ct = json.dumps(body), "application/json"
        else:
            from urllib.parse import urlencode
            text, ct = urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded"
        r = bot.post(text, ct)
        assert r.status < 500
    one()
    bot.settle()
    errs = [r for r in caplog.records if r.levelno >= logging.ERROR and "urlopen error" not in r.getMessage() and "URLError" not in str(r.exc_info)]
    seen = {}
    for r in errs:
        key = (r.name, r.getMessage()[:60], (r.exc_text or "").strip().splitlines()[-1:] if r.exc_info or r.exc_text else None)
        if r.exc_info and not r.exc_text:
            import traceback
            key = (r.name, r.getMessage()[:60], traceback.format_exception(*r.exc_info)[-1].strip())
        seen[str(key)] = seen.get(str(key), 0) + 1
    for k, v in sorted(seen.items(), key=lambda x: -x[1]):
        print(v, k)
    import traceback
    shown=set()
    for r in errs:
        if not r.exc_info: 
            print("NOEXC", r.getMessage()[:300]); continue
        last = traceback.format_exception(*r.exc_info)
        key = last[-1]
        if key in shown or "slice" in key: continue
        shown.add(key)
        print("=====", r.getMessage()[:300]); print("".join(last[-8:]))
    assert not errs
