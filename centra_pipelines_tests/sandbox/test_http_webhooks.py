"""Webhook signing (Centra's public test vector) and delivery to a real local receiver."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest

from centra_pipelines.sandbox.webhooks import (SIGNATURE_HEADER, WebhookSender, encode_payload, sign,
                                               signature_header, verify)

SECRET = "whsec-sandbox-test"


def test_signature_reproduces_centra_test_vector():
    body = "payload=%7B%22x%22%3A%22test%22%7D"
    expected = "0b9cd84f5d583e5e1aadfb9f160aa8080b51d5b85ff85808d6b75bdac356c549"
    assert sign("test123", 12345678, body) == expected
    assert sign("test123", 12345678, body.encode()) == expected
    assert signature_header("test123", 12345678, body) == f"t=12345678,v1={expected}"
    assert verify("test123", f"t=12345678,v1={expected}", body)
    assert not verify("test123", f"t=12345679,v1={expected}", body)
    assert not verify("other", f"t=12345678,v1={expected}", body)


def test_payload_is_form_encoded_json_of_events():
    events = [{"type": "order", "action": "update", "date": "2026-03-31 12:00:00.000000", "id": 1001}]
    body = encode_payload(events)
    assert body.startswith(b"payload=%7B%22events%22")
    assert json.loads(parse_qs(body.decode())["payload"][0]) == {"events": events}


class Receiver:
    """A plain http.server on a free port that verifies signatures and records each call.
    `fail_first` calls are answered 500 before it starts accepting."""

    def __init__(self, secret=SECRET, fail_first=0):
        self.calls: list[dict] = []
        self.failures_left = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.failures_left > 0:
                    receiver.failures_left -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.calls.append({
                    "verified": verify(secret, self.headers[SIGNATURE_HEADER], raw),
                    "content_type": self.headers["Content-Type"],
                    "events": json.loads(parse_qs(raw.decode())["payload"][0])["events"],
                })
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/centra"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def events(self):
        return [event for call in self.calls for event in call["events"]]


def _events(n):
    return [{"type": "order", "action": "update", "date": f"2026-03-31 12:{i // 60:02d}:{i % 60:02d}.000000",
             "id": 1000 + i} for i in range(n)]


def test_sender_splits_into_calls_of_at_most_100_events():
    with Receiver() as receiver:
        sender = WebhookSender(receiver.url, SECRET, retries=0)
        assert sender.send(_events(250)) == 3
        assert sender.flush(timeout=30)
        sender.close()
    assert [len(c["events"]) for c in receiver.calls] == [100, 100, 50]
    assert all(c["verified"] and c["content_type"] == "application/x-www-form-urlencoded" for c in receiver.calls)
    assert receiver.events == _events(250)
    assert (sender.stats.calls_sent, sender.stats.events_sent, sender.stats.calls_dropped) == (3, 250, 0)


def test_sender_retries_then_delivers():
    with Receiver(fail_first=2) as receiver:
        sender = WebhookSender(receiver.url, SECRET, retries=3, retry_delay=0.01)
        sender.send(_events(3))
        assert sender.flush(timeout=30)
        sender.close()
    assert receiver.events == _events(3)
    assert (sender.stats.attempts_failed, sender.stats.calls_dropped) == (2, 0)


def test_sender_drops_and_counts_after_the_last_retry():
    with Receiver(fail_first=10) as receiver:
        sender = WebhookSender(receiver.url, SECRET, retries=1, retry_delay=0.01)
        sender.send(_events(5))
        assert sender.flush(timeout=30)
        sender.close()
    assert receiver.calls == []
    assert (sender.stats.attempts_failed, sender.stats.calls_dropped, sender.stats.events_dropped) == (2, 1, 5)
    assert sender.stats.last_error == "HTTP 500"


def test_sender_rejects_more_than_three_retries():
    with pytest.raises(ValueError, match="0-3"):
        WebhookSender("http://127.0.0.1:9/x", SECRET, retries=4)


def test_webhook_secret_is_not_in_repr():
    sender = WebhookSender("http://127.0.0.1:9/x", SECRET, retries=0)
    assert SECRET not in repr(sender)
    sender.close()


def test_advance_sends_signed_webhooks_with_the_returned_events(make_sandbox):
    with Receiver() as receiver:
        server = make_sandbox(scale="tiny", webhook_url=receiver.url, webhook_secret=SECRET, webhook_retry_delay=0.01)
        response = httpx.post(f"{server.base_url}/_sandbox/advance", json={"minutes": 240}, timeout=60)
        assert response.status_code == 200
        events = response.json()["events"]
        assert events, "four hours of business activity produce events"
        assert server.flush_webhooks(timeout=30)
        assert receiver.calls and all(c["verified"] for c in receiver.calls)
        assert all(len(c["events"]) <= 100 for c in receiver.calls)
        assert receiver.events == events
        assert {"type", "action", "date", "id"} <= set(events[0])
        stats = httpx.get(f"{server.base_url}/_sandbox/webhooks").json()
        assert stats["configured"] and stats["events_sent"] == len(events)
        assert SECRET not in json.dumps(stats)
