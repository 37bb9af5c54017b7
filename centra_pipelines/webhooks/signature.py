"""Centra's webhook signature: `X-Centra-Signature: t=<unix>,v1=<hex>` with
v1 = hex(HMAC-SHA256(endpoint secret, "<t>.<raw body>")).

Always over the raw body bytes as received: re-encoding a parsed form (as some integrations do)
breaks on PHP's urlencoding of spaces and `!'()*`. Every configured secret is tried, so a secret can
be rotated by configuring old and new side by side.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Sequence

SIGNATURE_HEADER = "X-Centra-Signature"
MAX_HEADER_CHARS = 1024  # a real header is ~80 characters; longer is not Centra
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")


class SignatureError(Exception):
    """A signature that does not authenticate the call. `reason` is safe to log: it never holds
    the secret or the signature itself."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Signature:
    timestamp: int
    digests: tuple[str, ...]  # lower-case hex; Centra sends one `v1`

    def __repr__(self) -> str:  # the digests are not secret but have no place in logs either
        return f"Signature(timestamp={self.timestamp}, digests={len(self.digests)})"


def compute_signature(secret: str | bytes, timestamp: int, raw_body: bytes) -> str:
    """Hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed by the endpoint secret."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(key, str(int(timestamp)).encode("ascii") + b"." + raw_body, hashlib.sha256).hexdigest()


def parse_signature_header(value: str | None) -> Signature:
    """Split on `,` then `=`; exactly one integer `t`, at least one 64-hex-digit `v1`. Other
    keys (a future `v0`/`v2`) are ignored."""
    if value is None or not value.strip():
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    if len(value) > MAX_HEADER_CHARS:
        raise SignatureError(f"malformed {SIGNATURE_HEADER} header: longer than {MAX_HEADER_CHARS} characters")
    timestamps: list[str] = []
    digests: list[str] = []
    for item in value.split(","):
        key, sep, val = item.strip().partition("=")
        if not sep:
            raise SignatureError(f"malformed {SIGNATURE_HEADER} header: an element is not key=value")
        if key == "t":
            timestamps.append(val.strip())
        elif key == "v1":
            digests.append(val.strip())
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise SignatureError(f"malformed {SIGNATURE_HEADER} header: needs exactly one integer t=")
    if not digests or not all(_HEX_DIGEST.fullmatch(d) for d in digests):
        raise SignatureError(f"malformed {SIGNATURE_HEADER} header: needs v1=<64 hex digits>")
    return Signature(int(timestamps[0]), tuple(d.lower() for d in digests))


def check_timestamp(signature: Signature, now: float, tolerance: float | None) -> None:
    """Refuse a timestamp more than `tolerance` seconds from `now`, either way (None: no check).
    Replay protection; Centra documents none, the storefront accelerator uses 300 s."""
    if tolerance is None:
        return
    age = now - signature.timestamp
    if age > tolerance:
        raise SignatureError(f"stale timestamp: {age:.0f} s old, tolerance {tolerance:g} s")
    if -age > tolerance:
        raise SignatureError(f"future timestamp: {-age:.0f} s ahead, tolerance {tolerance:g} s")


def match_secret(signature: Signature, raw_body: bytes, secrets: Sequence[str]) -> int:
    """Index of the secret that signed `raw_body`. Every secret and digest is compared
    (constant time, no early exit) so timing does not tell which secret is close."""
    matched = -1
    for index, secret in enumerate(secrets):
        expected = compute_signature(secret, signature.timestamp, raw_body)
        for digest in signature.digests:
            if hmac.compare_digest(expected, digest) and matched < 0:
                matched = index
    if matched < 0:
        raise SignatureError("signature does not match any configured secret")
    return matched


def verify_signature(header: str | None, raw_body: bytes, secrets: Sequence[str], *,
                     now: float, tolerance: float | None = 300.0) -> int:
    """Parse, check the timestamp and match a secret; returns the signature timestamp.
    Raises SignatureError with a loggable reason."""
    signature = parse_signature_header(header)
    check_timestamp(signature, now, tolerance)
    match_secret(signature, raw_body, secrets)
    return signature.timestamp
