"""The receiver against hostile traffic over real sockets: oversized or endless request heads, slow
bodies, connection floods and poison payloads are refused with their status, land nothing, and leave
room for valid calls."""

import json
import socket
import time
from urllib.parse import quote

import httpx
import pytest

from centra_pipelines.sandbox.webhooks import encode_payload
from centra_pipelines.webhooks.settings import ConnectionLimits

from .test_http_receiver import EVENTS, NOW, listing, signed_headers

HEAD = "POST /webhooks/centra HTTP/1.1\r\nHost: receiver\r\n"


def connect(receiver, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket()
    sock.bind((source, 0))  # other loopback addresses stand for other callers
    sock.settimeout(10)
    sock.connect((receiver.host, receiver.port))
    return sock


def answer(sock: socket.socket) -> tuple[int, bytes]:
    """(status, whole answer) read until the receiver closes the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    sock.close()
    return int(data[9:12]), data


def exchange(receiver, request: bytes) -> tuple[int, bytes]:
    sock = connect(receiver)
    sock.sendall(request)
    return answer(sock)


def signed_request(body: bytes, **overrides) -> bytes:
    headers = {**signed_headers(body), "Content-Length": str(len(body)), **overrides}
    return (HEAD + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode() + body


def valid_call_lands(receiver) -> bool:
    body = encode_payload(EVENTS)
    return httpx.post(receiver.url, content=body, headers=signed_headers(body)).status_code == 200


@pytest.fixture
def receiver(make_receiver):
    return make_receiver(clock=lambda: NOW, limits=ConnectionLimits(
        max_request_line_bytes=1024, max_header_bytes=4096, max_headers=20, header_timeout_seconds=0.5,
        body_timeout_seconds=0.5, max_connections=12, max_connections_per_client=4))


@pytest.mark.parametrize("case, status, head", [
    ("one header over the size limit", 431, HEAD + f"X-Pad: {'a' * 5000}\r\n\r\n"),
    ("headers together over the size limit", 431,
     HEAD + "".join(f"X-{i}: {'b' * 300}\r\n" for i in range(15)) + "\r\n"),
    ("too many headers", 431, HEAD + "".join(f"X-{i}: c\r\n" for i in range(25)) + "\r\n"),
    ("request target over the limit", 414, f"POST /webhooks/centra?{'d' * 2000} HTTP/1.1\r\nHost: r\r\n\r\n"),
    ("not HTTP", 400, "\x16\x03\x01 hello\r\n\r\n"),
])
def test_oversized_or_bad_request_head_is_refused_and_lands_nothing(receiver, case, status, head):
    got, data = exchange(receiver, head.encode())
    assert got == status, data
    assert b"connection: close" in data.lower()
    assert listing(receiver.settings.landing) == ["incoming"]
    assert valid_call_lands(receiver)


def test_endless_header_is_refused_while_it_arrives_not_buffered_whole(receiver):
    # No end of line: httptools would buffer the value until it ends; the count of arrived bytes stops it.
    sock = connect(receiver)
    sock.sendall((HEAD + "X-Pad: ").encode())
    try:
        for _ in range(40):
            sock.sendall(b"e" * 1024)
            time.sleep(0.005)
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused and closed while we were still sending: what is checked below
    status, _ = answer(sock)
    assert status == 431


@pytest.mark.parametrize("sent, status", [("", None), ("POST", 408), (HEAD, 408),
                                          (HEAD + "Content-Type: application/json", 408)])
def test_connection_that_never_completes_its_headers_is_closed_with_408(receiver, sent, status):
    sock = connect(receiver)
    sock.sendall(sent.encode())
    started = time.monotonic()
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    assert (int(data[9:12]) if data else None) == status  # nothing sent, nothing answered: just closed
    assert time.monotonic() - started < 5  # closed by the 0.5 s timeout, not by the test's 10 s
    assert listing(receiver.settings.landing) == ["incoming"]


def test_signed_call_whose_body_stops_arriving_is_closed_with_408_and_lands_nothing(receiver):
    body = encode_payload(EVENTS)
    request = signed_request(body)
    sock = connect(receiver)
    sock.sendall(request[:-10])  # everything but the last 10 bytes of the body
    status, _ = answer(sock)
    assert status == 408
    assert listing(receiver.settings.landing) == ["incoming"]
    assert valid_call_lands(receiver)


@pytest.fixture
def small_receiver(make_receiver):
    """At most 12 connections, 4 per caller; timeouts long enough not to act during the test."""
    return make_receiver(clock=lambda: NOW, limits=ConnectionLimits(
        header_timeout_seconds=30, body_timeout_seconds=30, max_connections=12, max_connections_per_client=4))


def callers(count: int):
    """Loopback source addresses 127.0.0.2 and up, 4 connections each."""
    return [f"127.0.0.{2 + i // 4}" for i in range(count)]


def test_connections_over_the_per_caller_limit_are_refused_503_and_others_still_land(small_receiver):
    held = [connect(small_receiver, "127.0.0.2") for _ in range(4)]
    extra = connect(small_receiver, "127.0.0.2")
    assert answer(extra)[0] == 503  # at once, long before any timeout
    assert valid_call_lands(small_receiver)
    held[0].close()
    time.sleep(0.2)
    replacement = connect(small_receiver, "127.0.0.2")  # a slot of that caller is free again
    replacement.sendall(signed_request(encode_payload(EVENTS), Connection="close"))
    assert answer(replacement)[0] == 200
    for sock in held[1:]:
        sock.close()


def test_full_worker_drops_the_longest_waiting_half_sent_request_never_an_idle_caller_first(small_receiver):
    idle = []
    for source in callers(12):  # the worker is full of half-sent requests
        idle.append(connect(small_receiver, source))
        idle[-1].sendall(HEAD.encode())
        time.sleep(0.01)
    idle[0].sendall(b"X-Trickle: 1\r\n")  # a trickle of bytes does not renew its place
    time.sleep(0.1)
    assert valid_call_lands(small_receiver)  # admitted by dropping the longest waiting
    assert answer(idle[0])[0] == 408
    idle.append(connect(small_receiver, "127.0.0.9"))  # the valid call's slot is free again: one more fills it
    time.sleep(0.1)
    with httpx.Client() as client:  # a kept-alive caller's connection takes the next longest waiting
        body = encode_payload(EVENTS)
        assert client.post(small_receiver.url, content=body, headers=signed_headers(body)).status_code == 200
        assert answer(idle[1])[0] == 408
        time.sleep(0.1)
        # Idle between its calls, the caller waited longer than the half-sent requests opened after
        # idle[1], but having completed a request, it goes after all of them.
        idle += [connect(small_receiver, "127.0.0.10") for _ in range(2)]
        assert [answer(idle[2])[0], answer(idle[3])[0]] == [408, 408]
        assert client.post(small_receiver.url, content=body, headers=signed_headers(body)).status_code == 200
    for sock in idle[4:]:
        sock.close()


def test_full_worker_of_requests_in_progress_refuses_new_connections_503(small_receiver):
    request = signed_request(encode_payload(EVENTS), Connection="close")
    busy = [connect(small_receiver, source) for source in callers(12)]
    for sock in busy:
        sock.sendall(request[:-10])  # in a request: never dropped for room
    time.sleep(0.2)
    assert answer(connect(small_receiver, "127.0.0.9"))[0] == 503
    for sock in busy:
        sock.sendall(request[-10:])
    assert [answer(sock)[0] for sock in busy] == [200] * 12  # answered once complete
    assert len(list((small_receiver.settings.landing / "incoming").glob("*.json"))) == 12


def nested(levels: int) -> dict:
    return {"events": json.loads("[" * (levels - 1) + "]" * (levels - 1))}


@pytest.mark.parametrize("levels, status", [(32, 200), (33, 400), (50_000, 400)])
def test_deeply_nested_signed_payload_is_refused_400_never_500(make_receiver, levels, status):
    receiver = make_receiver(clock=lambda: NOW, max_body_bytes=1024 * 1024)
    text = "{\"events\": " + "[" * (levels - 1) + "]" * (levels - 1) + "}"
    for body, content_type in ((text.encode(), "application/json"),
                               (b"payload=" + quote(text).encode(), "application/x-www-form-urlencoded")):
        response = httpx.post(receiver.url, content=body, headers=signed_headers(body, content_type=content_type))
        assert response.status_code == status
        if status == 400:
            assert response.json() == {"error": "unparsable payload"}
    landed = list((receiver.settings.landing / "incoming").glob("*.json"))
    assert len(landed) == (2 if status == 200 else 0)
    if landed:
        assert json.loads(landed[0].read_text())["payload"] == nested(levels)


def test_healthz_fails_while_the_landing_folder_cannot_take_a_file(make_receiver):
    receiver = make_receiver(clock=lambda: NOW)
    incoming = receiver.settings.landing / "incoming"
    incoming.rmdir()  # an operator removed it, or the volume went away
    response = httpx.get(f"{receiver.base_url}/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "failing" and "not writable" in response.json()["reason"]
    body = encode_payload(EVENTS)
    assert httpx.post(receiver.url, content=body, headers=signed_headers(body)).status_code == 500
    incoming.mkdir()
    assert httpx.get(f"{receiver.base_url}/healthz").status_code == 200
    assert listing(receiver.settings.landing) == ["incoming"]  # the probe leaves nothing behind


def test_limits_must_be_positive():
    with pytest.raises(ValueError, match="max_headers must be positive"):
        ConnectionLimits(max_headers=0)

