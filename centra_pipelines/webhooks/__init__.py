"""Centra webhook receiver: verifies signed calls and lands them as files; processes nothing.

Plain Python (Starlette + uvicorn), no Dagster: the landing sensor in `defs/realtime` reads the files.
"""

from .app import build_app
from .landing import land_call, landing_name, write_atomically
from .server import ReceiverServer
from .settings import SECRET_ENV, WEBHOOK_PATH, WebhookSettings
from .signature import (SIGNATURE_HEADER, Signature, SignatureError, compute_signature, parse_signature_header,
                        verify_signature)

__all__ = [
    "ReceiverServer", "SECRET_ENV", "SIGNATURE_HEADER", "WEBHOOK_PATH", "Signature", "SignatureError", "WebhookSettings",
    "build_app", "compute_signature", "land_call", "landing_name", "parse_signature_header", "verify_signature",
    "write_atomically",
]
