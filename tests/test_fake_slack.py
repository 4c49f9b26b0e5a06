"""Tests of the fake Slack server, driven through the real slack_sdk clients.

Using the real clients is the point: the fake is only useful if slack_sdk's own encoding,
retry handlers and error mapping behave against it as they would against Slack.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from tracker.fakes.slack import WEBHOOK_METHOD, FakeSlack

TOKEN = "xoxb-test"
METADATA = {"event_type": "filing_posted", "event_payload": {"accession": "0000950170-24-000001"}}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=TOKEN, channels={"#filings", "#biopure"}) as fake:
        yield fake
    assert fake.errors == []


def client(slack: FakeSlack, token: str = TOKEN, **kwargs: object) -> WebClient:
    # No default retry handlers: tests must see each scripted failure unless they opt in.
    kwargs.setdefault("retry_handlers", [])
    return WebClient(token=token, base_url=slack.base_url, **kwargs)  # type: ignore[arg-type]


def test_auth_test_and_authorization_header(slack: FakeSlack) -> None:
    resp = client(slack).auth_test()
    assert resp["ok"] is True
    assert (resp["user_id"], resp["team"], resp["bot_id"]) == ("UBOT", "Test", "BBOT")
    assert slack.requests[-1].method == "auth.test"
    assert slack.requests[-1].header("authorization") == f"Bearer {TOKEN}"


def test_post_and_read_back_with_metadata(slack: FakeSlack) -> None:
    web = client(slack)
    first = web.chat_postMessage(channel="#filings", text="10-K filed", metadata=METADATA)
    second = web.chat_postMessage(
        channel=FakeSlack.channel_id("#filings"), text="8-K filed", unfurl_links=False
    )
    assert first["channel"] == FakeSlack.channel_id("#filings")
    assert first["channel"].startswith("C") and len(first["channel"]) == 9
    assert first["message"]["text"] == "10-K filed"
    assert float(second["ts"]) > float(first["ts"])

    history = web.conversations_history(channel="#filings", include_all_metadata=True, limit=10)
    assert [m["text"] for m in history["messages"]] == ["8-K filed", "10-K filed"]
    assert history["messages"][1]["metadata"] == METADATA
    assert history["has_more"] is False

    plain = web.conversations_history(channel=first["channel"])
    assert all("metadata" not in m for m in plain["messages"])

    newer = web.conversations_history(channel="#filings", oldest=first["ts"])
    assert [m["ts"] for m in newer["messages"]] == [second["ts"]]

    recorded = slack.messages("#filings")
    assert [m["text"] for m in recorded] == ["10-K filed", "8-K filed"]
    assert recorded[0]["metadata"] == METADATA
    assert recorded[1]["unfurl_links"] is False
    assert recorded[0]["channel_id"] == first["channel"]
    assert slack.messages("#biopure") == []


def test_invalid_auth(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        client(slack, token="xoxb-wrong").chat_postMessage(channel="#filings", text="x")
    assert err.value.response.status_code == 200
    assert err.value.response["error"] == "invalid_auth"
    assert slack.messages() == []


def test_channel_not_found_and_missing_text(slack: FakeSlack) -> None:
    web = client(slack)
    with pytest.raises(SlackApiError) as err:
        web.chat_postMessage(channel="#nope", text="x")
    assert err.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as err:
        web.conversations_history(channel="#nope")
    assert err.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as err, pytest.warns(UserWarning, match="text"):
        web.chat_postMessage(channel="#filings", text="")
    assert err.value.response["error"] == "no_text"


def test_default_channels_accept_hash_names_and_ids() -> None:
    with FakeSlack() as fake:
        web = client(fake, token="xoxb-test")
        assert web.chat_postMessage(channel="#anything", text="a")["ok"]
        assert web.chat_postMessage(channel="C0123ABCD", text="b")["ok"]
        with pytest.raises(SlackApiError) as err:
            web.chat_postMessage(channel="general", text="c")
        assert err.value.response["error"] == "channel_not_found"


def test_rate_limit_retry_after_then_success(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", 1, status=429, retry_after=1)
    web = client(slack, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    started = time.monotonic()
    resp = web.chat_postMessage(channel="#filings", text="after the limit")
    elapsed = time.monotonic() - started
    assert resp["ok"] is True
    assert elapsed >= 1.0  # the client honoured Retry-After
    assert len(slack.requests_for("chat.postMessage")) == 2
    assert [m["text"] for m in slack.messages()] == ["after the limit"]


def test_rate_limit_without_retry_handler_is_visible(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", 1, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        client(slack).chat_postMessage(channel="#filings", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert err.value.response["error"] == "ratelimited"


def test_scripted_500_then_recovers(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", 1, status=500)
    web = client(slack)
    with pytest.raises(SlackApiError) as err:
        web.chat_postMessage(channel="#filings", text="x")
    assert err.value.response.status_code == 500
    assert slack.messages() == []
    assert web.chat_postMessage(channel="#filings", text="y")["ok"] is True


def test_scripted_logical_error_and_json_5xx(slack: FakeSlack) -> None:
    slack.fail_next("auth.test", 1, error="invalid_auth")
    slack.fail_next("auth.test", 1, status=503, body={"ok": False, "error": "service_unavailable"})
    web = client(slack)
    with pytest.raises(SlackApiError) as err:
        web.auth_test()
    assert (err.value.response.status_code, err.value.response["error"]) == (200, "invalid_auth")
    with pytest.raises(SlackApiError) as err:
        web.auth_test()
    assert err.value.response.status_code == 503
    assert err.value.response["error"] == "service_unavailable"
    assert web.auth_test()["ok"] is True


def test_drop_connection(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", 1, drop_connection=True)
    # RemoteDisconnected or a reset, depending on timing; both are ConnectionErrors.
    with pytest.raises((ConnectionError, URLError)):
        client(slack).chat_postMessage(channel="#filings", text="x")
    assert slack.messages() == []


def test_delay_causes_client_timeout_and_stop_is_prompt() -> None:
    fake = FakeSlack().start()
    fake.fail_next("auth.test", 1, delay=30.0)
    with pytest.raises(TimeoutError):
        client(fake, token="xoxb-test", timeout=0.2).auth_test()
    started = time.monotonic()
    fake.stop()
    fake.stop()  # idempotent
    assert time.monotonic() - started < 1.0


def test_set_down(slack: FakeSlack) -> None:
    slack.set_down(True)
    with pytest.raises(SlackApiError) as err:
        client(slack).auth_test()
    assert err.value.response.status_code == 503
    assert WebhookClient(url=slack.webhook_url).send(text="x").status_code == 503
    slack.set_down(False)
    assert client(slack).auth_test()["ok"] is True


def test_webhook_returns_plain_ok(slack: FakeSlack) -> None:
    resp = WebhookClient(url=slack.webhook_url).send(text="webhook alert")
    assert (resp.status_code, resp.body) == (200, "ok")
    [message] = slack.messages()
    assert (message["channel"], message["text"], message["metadata"]) == (
        "#filings",
        "webhook alert",
        None,
    )
    assert slack.requests[-1].method == WEBHOOK_METHOD


def test_webhook_scripted_failure(slack: FakeSlack) -> None:
    slack.fail_next(WEBHOOK_METHOD, 1, status=500)
    resp = WebhookClient(url=slack.webhook_url).send(text="x")
    assert resp.status_code == 500
    assert slack.messages() == []


def test_thread_replies_only_in_conversations_replies(slack: FakeSlack) -> None:
    web = client(slack)
    parent = web.chat_postMessage(channel="#biopure", text="parent")
    reply = web.chat_postMessage(channel="#biopure", text="reply", thread_ts=parent["ts"])
    web.chat_postMessage(channel="#biopure", text="later top-level")

    history = web.conversations_history(channel="#biopure")
    assert [m["text"] for m in history["messages"]] == ["later top-level", "parent"]
    assert history["messages"][1]["thread_ts"] == parent["ts"]
    assert history["messages"][1]["reply_count"] == 1

    replies = web.conversations_replies(channel=parent["channel"], ts=parent["ts"])
    assert [m["text"] for m in replies["messages"]] == ["parent", "reply"]
    assert replies["messages"][1]["thread_ts"] == parent["ts"]
    assert replies["messages"][1]["ts"] == reply["ts"]


def test_unknown_method_is_404(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        client(slack).api_call("chat.doesNotExist")
    assert err.value.response.status_code == 404
    assert err.value.response["error"] == "unknown_method"


def test_form_encoded_post_is_understood(slack: FakeSlack) -> None:
    body = (
        b"channel=%23filings&text=form+post&metadata="
        + urllib.parse.quote(json.dumps(METADATA)).encode()
    )
    req = urllib.request.Request(
        slack.base_url + "chat.postMessage",
        data=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(req, timeout=2) as resp:
        assert json.loads(resp.read())["ok"] is True
    [message] = slack.messages()
    assert (message["text"], message["metadata"]) == ("form post", METADATA)


def test_wait_for_messages(slack: FakeSlack) -> None:
    web = client(slack)
    poster = threading.Timer(0.05, lambda: web.chat_postMessage(channel="#filings", text="bg"))
    poster.start()
    try:
        assert [m["text"] for m in slack.wait_for_messages(1, timeout=2.0)] == ["bg"]
    finally:
        poster.join()
    with pytest.raises(AssertionError, match="expected at least 2 Slack message"):
        slack.wait_for_messages(2, timeout=0.1)
