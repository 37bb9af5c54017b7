"""Centra webhook receiver: verifies signed calls and lands them as files; processes nothing.

Plain Python (Starlette + uvicorn), no Dagster: the landing sensor in `defs/realtime` reads the files.
"""

from .landing import land_call, landing_name, write_atomically
from .settings import SECRET_ENV, WEBHOOK_PATH, WebhookSettings
from .signature import (SIGNATURE_HEADER, Signature, SignatureError, compute_signature, parse_signature_header,
                        verify_signature)

# The HTTP side (Starlette, uvicorn: ~0.1 s to import) is imported on first use, so the Dagster code
# that only lands or reads calls (defs/realtime) does not pay for it in every process.
_HTTP = {"build_app": "app", "ReceiverServer": "server"}


def __getattr__(name: str):
    if name in _HTTP:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_HTTP[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ReceiverServer", "SECRET_ENV", "SIGNATURE_HEADER", "WEBHOOK_PATH", "Signature", "SignatureError", "WebhookSettings",
    "build_app", "compute_signature", "land_call", "landing_name", "parse_signature_header", "verify_signature",
    "write_atomically",
]
