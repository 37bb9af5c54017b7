"""What the webhook receiver is started with, and the one place its environment is read.

The secrets come only from the environment (`CENTRA_WEBHOOK_SECRET`, comma-separated so a new
secret can be added before the old one is removed): a command-line flag would show in `ps`.
"""

from __future__ import annotations

import ipaddress
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

SECRET_ENV = "CENTRA_WEBHOOK_SECRET"
WEBHOOK_PATH = "/webhooks/centra"
DEFAULT_TOLERANCE_SECONDS = 300.0
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # 100 events form-encoded are ~15 KiB
# Safe default: only this machine. A receiver behind a local reverse proxy works unchanged; one
# exposed directly must name Centra's addresses (or 0.0.0.0/0 and ::/0 to rely on the signature alone).
DEFAULT_ALLOW = ("127.0.0.0/8", "::1/128")
# Centra's payload is an object of a list of flat events (depth 3); 32 leaves room and keeps a hostile
# nesting far from Python's recursion limit in everything that later reads the landed file.
DEFAULT_MAX_JSON_DEPTH = 32

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values: Iterable[str | IPNetwork]) -> tuple[IPNetwork, ...]:
    """CIDRs (a bare address is a /32 or /128). Raises ValueError naming the bad entry."""
    networks = []
    for value in values:
        if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
            networks.append(value)
            continue
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or CIDR: {value!r}") from None
    return tuple(networks)


def parse_address(value: str) -> IPAddress:
    """An IP address; an IPv4-mapped IPv6 address (dual-stack socket) becomes the IPv4 one."""
    address = ipaddress.ip_address(value.strip())
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_in(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def secrets_from_env(environ: dict[str, str] | None = None) -> tuple[str, ...]:
    raw = (os.environ if environ is None else environ).get(SECRET_ENV, "")
    return tuple(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class ConnectionLimits:
    """What one receiver worker allows a connection before the app sees it (enforced by
    `protocol.GuardedHttpToolsProtocol`; uvicorn's httptools protocol has none of these). Centra's
    calls carry ~300 bytes of headers and ~15 KiB of body, so the defaults leave wide margins."""

    max_request_line_bytes: int = 8 * 1024  # longer target: 414
    max_header_bytes: int = 16 * 1024  # names + values, all headers together: 431
    max_headers: int = 64  # more header lines: 431
    header_timeout_seconds: float = 10.0  # from connection (or request) start to the end of the headers: 408
    body_timeout_seconds: float = 30.0  # from the end of the headers to the end of the body: 408
    max_connections: int = 500  # per worker; when full, one waiting for its request is dropped (else 503)
    max_connections_per_client: int = 100  # per peer address per worker (a local proxy is one peer)

    def __post_init__(self):
        for name, value in vars(self).items():
            if value <= 0:
                raise ValueError(f"{name} must be positive, got {value!r}")


@dataclass(frozen=True)
class WebhookSettings:
    """Receiver settings. `secrets` never shows in repr; `clock` exists so tests can pin "now"
    (e.g. to Centra's documented test vector); `tolerance_seconds=None` disables the timestamp check."""

    landing: Path
    secrets: tuple[str, ...] = field(repr=False)
    tolerance_seconds: float | None = DEFAULT_TOLERANCE_SECONDS
    allow: tuple[IPNetwork, ...] = DEFAULT_ALLOW
    trusted_proxies: tuple[IPNetwork, ...] = ()  # peers whose X-Forwarded-For is believed
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH  # deeper payloads: 400
    limits: ConnectionLimits = ConnectionLimits()
    path: str = WEBHOOK_PATH
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)

    def __post_init__(self):
        secrets = (self.secrets,) if isinstance(self.secrets, str) else tuple(self.secrets)
        if not secrets or any(not s for s in secrets):
            raise ValueError(f"no webhook secret configured: set {SECRET_ENV} (comma-separated to rotate)")
        if self.tolerance_seconds is not None and self.tolerance_seconds <= 0:
            raise ValueError("tolerance_seconds must be positive (None disables the timestamp check)")
        if self.max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be positive")
        if self.max_json_depth <= 0:
            raise ValueError("max_json_depth must be positive")
        if not self.path.startswith("/"):
            raise ValueError(f"path must start with '/': {self.path!r}")
        object.__setattr__(self, "secrets", secrets)
        object.__setattr__(self, "landing", Path(self.landing))
        object.__setattr__(self, "allow", parse_networks(self.allow))
        object.__setattr__(self, "trusted_proxies", parse_networks(self.trusted_proxies))

    @property
    def incoming(self) -> Path:
        """Where accepted calls land: `<landing>/incoming/`."""
        return self.landing / "incoming"

    @classmethod
    def from_env(cls, landing: str | os.PathLike[str], *, environ: dict[str, str] | None = None,
                 **options) -> "WebhookSettings":
        """Settings with the secrets from CENTRA_WEBHOOK_SECRET; other fields from `options`."""
        return cls(landing=Path(landing), secrets=secrets_from_env(environ), **options)
