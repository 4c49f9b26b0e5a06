"""Invisible, zero-width and bidi characters from a filing never reach Slack or a console.

Issue 12, item 10: U+2060, FEFF, 061C, 180E, 00AD, 3164, tag characters, 2028 and U+202E
reached messages and the console.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from tracker.config import load_config
from tracker.edgar.client import EdgarClient
from tracker.edgar.text import extract
from tracker.fakes.edgar import FakeDocument, FakeEdgar
from tracker.fakes.slack import FakeSlack
from tracker.invisible import INVISIBLE_RE, strip_invisible
from tracker.notify.sinks import ConsoleSink, SlackSink
from tracker.pipeline import Poller
from tracker.state import State

from conftest import ACME, TOKEN, make_filing, write_config

CIK = 1111111
HIDDEN = (
    "\u2060\ufeff\u061c\u180e\u00ad\u3164\U000e0041\U000e007f\u2028\u2029"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200e\u200f"
)
RELEASE = (
    f"Acme{HIDDEN[:6]} Bio announced that the FDA issued a com\u2060plete response "
    f"letter{HIDDEN[6:]} for its drug \u202eTXT.EXE\u202c. Net loss was $4.0 million."
)


def test_strip_invisible_removes_every_listed_character() -> None:
    assert INVISIBLE_RE.search(strip_invisible(HIDDEN)) is None
    assert strip_invisible(HIDDEN).strip() == ""
    assert strip_invisible("a\u2028b\u2029c") == "a\nb\nc"
    for code in [*range(0xE0000, 0xE0080), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
        assert strip_invisible(f"x{chr(code)}y") == "xy"


def test_extraction_removes_them_so_rules_see_the_words() -> None:
    html = f"<html><body><p>{RELEASE}</p><p>&#x2060;&#xFEFF;&#x202E;x&#27;</p></body></html>"
    text = extract(html.encode())
    assert not INVISIBLE_RE.search(text) and "\x1b" not in text
    assert "complete response letter for its drug" in text and "\u2028" not in text


def test_no_invisible_character_reaches_slack_or_the_console(
    tmp_path: Path, edgar: FakeEdgar, slack: FakeSlack
) -> None:
    config = load_config(str(write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)))
    client = EdgarClient(edgar.base_url, config.edgar.user_agent, sleep=lambda s: None)
    stream = io.StringIO()
    for sink, state in ((SlackSink(TOKEN, slack.base_url), "s1"), (ConsoleSink(stream), "s2")):
        Poller(config, State(tmp_path / state), client, sink).run_cycle()
    filing = make_filing(CIK, "0000950123-24-000002", name=f"ACME{HIDDEN} BIO INC")
    filing.documents.append(
        FakeDocument("ex992.txt", "EX-99.2", RELEASE.encode("utf-8"), "PRESS RELEASE")
    )
    filing.documents[1].content = f"<html><body><p>{RELEASE}</p></body></html>".encode()
    edgar.add(filing)
    for sink, state in ((SlackSink(TOKEN, slack.base_url), "s1"), (ConsoleSink(stream), "s2")):
        Poller(config, State(tmp_path / state), client, sink).run_cycle()
    [message] = slack.messages()
    posted = json.dumps(message, ensure_ascii=False)
    assert "fda" in message["metadata"]["event_payload"]["categories"]
    printed = stream.getvalue()
    assert "Acme Bio" in printed
    for where in (posted, printed):
        found = sorted({f"U+{ord(c):04X}" for c in INVISIBLE_RE.findall(where)})
        assert not found, found
        assert "\u2028" not in where and "\u2029" not in where
