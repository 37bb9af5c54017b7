"""The X-Centra-Signature verifier on its own: Centra's test vector, timestamps, rotation, malformed headers."""

import pytest

from centra_pipelines.sandbox.webhooks import signature_header as sandbox_signature_header
from centra_pipelines.webhooks import SignatureError, compute_signature, parse_signature_header, verify_signature

# Centra's documented vector (reference §4).
VECTOR_SECRET = "test123"
VECTOR_T = 12345678
VECTOR_BODY = b"payload=%7B%22x%22%3A%22test%22%7D"
VECTOR_V1 = "0b9cd84f5d583e5e1aadfb9f160aa8080b51d5b85ff85808d6b75bdac356c549"
VECTOR_HEADER = f"t={VECTOR_T},v1={VECTOR_V1}"


def test_centra_test_vector_computes_the_documented_digest():
    assert compute_signature(VECTOR_SECRET, VECTOR_T, VECTOR_BODY) == VECTOR_V1


def test_centra_test_vector_verifies_with_the_clock_at_its_timestamp():
    assert verify_signature(VECTOR_HEADER, VECTOR_BODY, [VECTOR_SECRET], now=VECTOR_T) == VECTOR_T


def test_centra_test_vector_verifies_with_the_tolerance_disabled():
    assert verify_signature(VECTOR_HEADER, VECTOR_BODY, [VECTOR_SECRET], now=2_000_000_000, tolerance=None) == VECTOR_T


def test_centra_test_vector_is_stale_today():
    with pytest.raises(SignatureError, match="stale timestamp"):
        verify_signature(VECTOR_HEADER, VECTOR_BODY, [VECTOR_SECRET], now=2_000_000_000)


def test_sandbox_sender_headers_verify():
    body = b"payload=%7B%22events%22%3A%5B%5D%7D"
    header = sandbox_signature_header("sandbox-secret", 1_700_000_000, body)
    assert verify_signature(header, body, ["sandbox-secret"], now=1_700_000_000) == 1_700_000_000


@pytest.mark.parametrize("offset, accepted", [(-300, True), (300, True), (-301, False), (301, False)])
def test_timestamp_tolerance_is_inclusive_and_two_sided(offset, accepted):
    now = 1_700_000_000
    t = now + offset
    header = f"t={t},v1={compute_signature('s', t, b'x')}"
    if accepted:
        assert verify_signature(header, b"x", ["s"], now=now, tolerance=300) == t
    else:
        with pytest.raises(SignatureError, match="future timestamp" if offset > 0 else "stale timestamp"):
            verify_signature(header, b"x", ["s"], now=now, tolerance=300)


def test_any_configured_secret_verifies_for_rotation():
    t = 1_700_000_000
    header = f"t={t},v1={compute_signature('new-secret', t, b'body')}"
    assert verify_signature(header, b"body", ["old-secret", "new-secret"], now=t) == t
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(header, b"body", ["old-secret"], now=t)


def test_signature_covers_body_and_timestamp():
    t = 1_700_000_000
    v1 = compute_signature("s", t, b"payload=a")
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(f"t={t},v1={v1}", b"payload=b", ["s"], now=t)
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(f"t={t + 1},v1={v1}", b"payload=a", ["s"], now=t)


def test_uppercase_hex_and_spaces_after_commas_are_accepted():
    t = 1_700_000_000
    v1 = compute_signature("s", t, b"x").upper()
    assert parse_signature_header(f"t={t}, v1={v1}, v0=ignored").digests == (v1.lower(),)
    assert verify_signature(f"t={t}, v1={v1}", b"x", ["s"], now=t) == t


@pytest.mark.parametrize("header, reason", [
    (None, "missing"),
    ("", "missing"),
    (f"v1={VECTOR_V1}", "exactly one integer t"),
    ("t=12345678", "v1=<64 hex digits>"),
    (f"t=abc,v1={VECTOR_V1}", "exactly one integer t"),
    (f"t=-5,v1={VECTOR_V1}", "exactly one integer t"),
    (f"t=1,t=2,v1={VECTOR_V1}", "exactly one integer t"),
    ("t=12345678,v1=abc", "v1=<64 hex digits>"),
    (f"t=12345678,v1={'z' * 64}", "v1=<64 hex digits>"),
    (f"t=12345678;v1={VECTOR_V1}", "exactly one integer t"),
    (f"t=12345678,{VECTOR_V1}", "not key=value"),
    ("t=1,v1=" + "a" * 2000, "longer than"),
])
def test_malformed_headers_are_refused_with_a_reason(header, reason):
    with pytest.raises(SignatureError, match=reason.replace("(", r"\(")) as caught:
        parse_signature_header(header)
    assert VECTOR_V1 not in caught.value.reason
