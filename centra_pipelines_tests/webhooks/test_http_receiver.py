"""The receiver over real HTTP: accepted calls land as one whole file each; every refused call gets
its status and leaves the landing folder exactly as it was."""

import json
import logging
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from centra_pipelines.sandbox.webhooks import encode_payload
from centra_pipelines.webhooks import compute_signature

SECRET = "receiver-secret-1"
NEXT_SECRET = "receiver-secret-2-rotated"
NOW = 1_700_000_000  # the receiver's pinned clock in these tests
FORM = "application/x-www-form-urlencoded"
EVENTS = [{"type": "order", "action": "update", "date": "2021-01-29 14:40:58.628033", "id": 2735},
          {"type": "shipment", "action": "good_to_go", "date": "2021-01-29 14:41:00.000000", "id": 17}]


def signed_headers(body: bytes, *, secret: str = SECRET, t: int = NOW, content_type: str = FORM) -> dict:
    return {"Content-Type": content_type, "User-Agent": "Centra-Webhook/test",
            "X-Centra-Signature": f"t={t},v1={compute_signature(secret, t, body)}"}


def listing(landing: Path) -> list[str]:
    """Every file and folder under the landing folder, hidden temporary files included."""
    return sorted(str(p.relative_to(landing)) for p in landing.rglob("*"))


def landed_records(landing: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((landing / "incoming").glob("*.json"))]


@pytest.fixture
def receiver(make_receiver):
    return make_receiver(secrets=(SECRET, NEXT_SECRET), clock=lambda: NOW)


def test_signed_form_call_lands_exactly_one_file_with_the_payload(receiver):
    landing = receiver.settings.landing
    body = encode_payload(EVENTS)
    response = httpx.post(receiver.url, content=body, headers=signed_headers(body))
    assert response.status_code == 200
    files = list((landing / "incoming").iterdir())
    assert [f.name for f in files] == [response.json()["landed"]]
    record = json.loads(files[0].read_text())
    assert record["payload"] == {"events": EVENTS}
    assert record["encoding"] == "form"
    assert record["signature_timestamp"] == NOW
    assert record["remote_addr"] == record["peer_addr"] == "127.0.0.1"
    assert (record["content_type"], record["user_agent"]) == (FORM, "Centra-Webhook/test")
    assert record["body_bytes"] == len(body)
    # The name's receive time is the record's, in UTC, and sorts by time.
    stamp = files[0].name.split("-", 1)[0]
    assert record["received_at"].startswith(f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}")
    assert record["received_at"].endswith("Z")
    text = files[0].read_text()
    assert SECRET not in text and NEXT_SECRET not in text
    assert compute_signature(SECRET, NOW, body) not in text


def test_plain_json_call_lands(receiver):
    body = json.dumps({"events": EVENTS}).encode()
    response = httpx.post(receiver.url, content=body, headers=signed_headers(body, content_type="application/json"))
    assert response.status_code == 200
    [record] = landed_records(receiver.settings.landing)
    assert (record["encoding"], record["payload"]) == ("json", {"events": EVENTS})


def test_form_with_charset_and_plus_spaces_lands_what_was_sent(receiver):
    # PHP urlencodes spaces as `+`: the signature is over these raw bytes, the payload is decoded.
    body = b"payload=" + quote(json.dumps({"note": "a b!'()*"}), safe="").replace("%20", "+").encode()
    response = httpx.post(receiver.url, content=body,
                          headers=signed_headers(body, content_type=f"{FORM}; charset=UTF-8"))
    assert response.status_code == 200
    assert landed_records(receiver.settings.landing)[0]["payload"] == {"note": "a b!'()*"}


def test_centra_test_vector_is_accepted_over_http_with_the_clock_at_its_timestamp(make_receiver):
    receiver = make_receiver(secrets=("test123",), clock=lambda: 12345678)
    response = httpx.post(receiver.url, content=b"payload=%7B%22x%22%3A%22test%22%7D", headers={
        "Content-Type": FORM,
        "X-Centra-Signature": "t=12345678,v1=0b9cd84f5d583e5e1aadfb9f160aa8080b51d5b85ff85808d6b75bdac356c549"})
    assert response.status_code == 200
    [record] = landed_records(receiver.settings.landing)
    assert record["payload"] == {"x": "test"}


def test_call_signed_with_the_second_secret_is_accepted_during_rotation(receiver):
    body = encode_payload(EVENTS[:1])
    assert httpx.post(receiver.url, content=body, headers=signed_headers(body, secret=NEXT_SECRET)).status_code == 200
    assert [r["payload"] for r in landed_records(receiver.settings.landing)] == [{"events": EVENTS[:1]}]


def test_each_delivery_lands_its_own_file_and_a_retry_has_the_same_body_hash(receiver):
    body = encode_payload(EVENTS)
    for t in (NOW - 10, NOW):  # a retry is re-signed with a new timestamp
        assert httpx.post(receiver.url, content=body, headers=signed_headers(body, t=t)).status_code == 200
    records = landed_records(receiver.settings.landing)
    assert len(records) == 2
    assert records[0]["body_sha256"] == records[1]["body_sha256"]
    assert sorted(r["signature_timestamp"] for r in records) == [NOW - 10, NOW]


def _bad_calls():
    good = encode_payload(EVENTS)
    signed = signed_headers(good)

    def with_headers(**changes):
        headers = dict(signed)
        for name, value in changes.items():
            name = name.replace("_", "-")
            if value is None:
                headers.pop(name, None)
            else:
                headers[name] = value
        return headers

    def signed_body(body, content_type=FORM):
        return body, signed_headers(body, content_type=content_type)

    big = b"payload=" + b"a" * 3000
    return {
        "missing signature": (401, "POST", good, with_headers(X_Centra_Signature=None)),
        "malformed signature": (401, "POST", good, with_headers(X_Centra_Signature="v1=deadbeef")),
        "wrong secret": (401, "POST", good, signed_headers(good, secret="not-the-secret")),
        "tampered body": (401, "POST", good.replace(b"2735", b"2736"), signed),
        "stale timestamp": (401, "POST", good, signed_headers(good, t=NOW - 301)),
        "future timestamp": (401, "POST", good, signed_headers(good, t=NOW + 301)),
        "body too large": (413, "POST", big, signed_headers(big)),
        "form without payload": (400, "POST", *signed_body(b"data=%7B%7D")),
        "form with two payloads": (400, "POST", *signed_body(b"payload=%7B%7D&payload=%7B%7D")),
        "form payload not JSON": (400, "POST", *signed_body(b"payload=%7Bnot-json")),
        "form not url-encoded": (400, "POST", *signed_body(b"payload")),
        "form payload a JSON list": (400, "POST", *signed_body(b"payload=%5B1%5D")),
        "JSON body not JSON": (400, "POST", *signed_body(b"{not json", "application/json")),
        "JSON with NaN": (400, "POST", *signed_body(b'{"x": NaN}', "application/json")),
        "JSON not UTF-8": (400, "POST", *signed_body(b'{"x": "\xff"}', "application/json")),
        "empty body": (400, "POST", *signed_body(b"")),
        "GET": (405, "GET", b"", signed),
        "PUT": (405, "PUT", good, signed),
        "wrong content type": (415, "POST", good, with_headers(Content_Type="text/plain")),
        "multipart content type": (415, "POST", good, with_headers(Content_Type="multipart/form-data; boundary=x")),
    }


BAD_CALLS = _bad_calls()


@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_call_gets_its_status_and_leaves_the_landing_folder_unchanged(make_receiver, case):
    receiver = make_receiver(secrets=(SECRET, NEXT_SECRET), clock=lambda: NOW, max_body_bytes=2048)
    landing = receiver.settings.landing
    body = encode_payload(EVENTS)
    assert httpx.post(receiver.url, content=body, headers=signed_headers(body)).status_code == 200
    before = listing(landing)
    status, method, content, headers = BAD_CALLS[case]
    response = httpx.request(method, receiver.url, content=content, headers=headers)
    assert response.status_code == status
    assert listing(landing) == before
    assert len(before) == 2  # incoming/ and the one good call


def test_body_over_the_limit_sent_chunked_is_refused_413(make_receiver):
    receiver = make_receiver(clock=lambda: NOW, max_body_bytes=64 * 1024)
    body = b"payload=" + quote(json.dumps({"pad": "x" * 200_000})).encode()

    def chunks():
        for start in range(0, len(body), 8192):
            yield body[start:start + 8192]

    response = httpx.post(receiver.url, content=chunks(), headers=signed_headers(body))
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert listing(receiver.settings.landing) == ["incoming"]


def test_chunked_body_under_the_limit_is_accepted(make_receiver):
    receiver = make_receiver(clock=lambda: NOW)
    body = encode_payload(EVENTS)
    response = httpx.post(receiver.url, content=iter([body[:10], body[10:]]), headers=signed_headers(body))
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 200
    assert landed_records(receiver.settings.landing)[0]["payload"] == {"events": EVENTS}


def test_real_clock_accepts_a_fresh_signature(make_receiver):
    receiver = make_receiver()  # default tolerance 300 s, wall clock
    body = encode_payload(EVENTS)
    t = int(time.time())
    assert httpx.post(receiver.url, content=body, headers=signed_headers(body, t=t)).status_code == 200
    assert httpx.post(receiver.url, content=body, headers=signed_headers(body, t=t - 3600)).status_code == 401
    assert len(landed_records(receiver.settings.landing)) == 1


def test_address_outside_the_allow_list_is_refused_403(make_receiver):
    receiver = make_receiver(clock=lambda: NOW, allow=("10.0.0.0/8",))
    body = encode_payload(EVENTS)
    # A spoofed X-Forwarded-For from an untrusted peer changes nothing.
    response = httpx.post(receiver.url, content=body, headers={**signed_headers(body), "X-Forwarded-For": "10.1.2.3"})
    assert response.status_code == 403
    assert listing(receiver.settings.landing) == ["incoming"]


def test_forwarded_address_counts_only_from_a_trusted_proxy(make_receiver):
    receiver = make_receiver(clock=lambda: NOW, allow=("10.0.0.0/8",), trusted_proxies=("127.0.0.1/32",))
    body = encode_payload(EVENTS)
    allowed = httpx.post(receiver.url, content=body,
                         headers={**signed_headers(body), "X-Forwarded-For": "8.8.8.8, 10.1.2.3"})
    assert allowed.status_code == 200  # right-most untrusted hop is the caller; the left is client-supplied
    refused = httpx.post(receiver.url, content=body,
                         headers={**signed_headers(body), "X-Forwarded-For": "10.1.2.3, 8.8.8.8"})
    assert refused.status_code == 403
    no_header = httpx.post(receiver.url, content=body, headers=signed_headers(body))
    assert no_header.status_code == 403  # the proxy itself (127.0.0.1) is not allowed
    [record] = landed_records(receiver.settings.landing)
    assert (record["remote_addr"], record["peer_addr"]) == ("10.1.2.3", "127.0.0.1")


def test_healthz_answers_200(receiver):
    response = httpx.get(f"{receiver.base_url}/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert listing(receiver.settings.landing) == ["incoming"]


def test_logs_say_why_a_call_was_refused_and_never_hold_a_secret_or_signature(receiver, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    body = encode_payload(EVENTS)
    wrong = signed_headers(body, secret="attacker-guess-secret")
    calls = [
        (signed_headers(body), 200),
        (signed_headers(body, secret=NEXT_SECRET), 200),
        (wrong, 401),
        (signed_headers(body, t=NOW - 1000), 401),
        ({**signed_headers(body), "X-Centra-Signature": f"t=oops,v1={compute_signature(SECRET, NOW, body)}"}, 401),
    ]
    signatures = []
    for headers, status in calls:
        assert httpx.post(receiver.url, content=body, headers=headers).status_code == status
        signatures.append(headers["X-Centra-Signature"].split("v1=")[1])
    captured = capfd.readouterr()
    logged = caplog.text + captured.out + captured.err
    assert "signature does not match any configured secret" in logged
    assert "stale timestamp" in logged and "malformed X-Centra-Signature" in logged
    for secret in (SECRET, NEXT_SECRET, "attacker-guess-secret"):
        assert secret not in logged
    for signature in signatures:
        assert signature not in logged
    assert SECRET not in repr(receiver.settings) and NEXT_SECRET not in repr(receiver.settings)


def test_call_that_cannot_be_stored_is_answered_500_so_centra_retries(receiver):
    landing = receiver.settings.landing
    (landing / "incoming").rmdir()
    (landing / "incoming").write_text("not a folder")  # every write into incoming/ now fails
    body = encode_payload(EVENTS)
    response = httpx.post(receiver.url, content=body, headers=signed_headers(body))
    assert response.status_code == 500
    assert listing(landing) == ["incoming"] and (landing / "incoming").read_text() == "not a folder"
