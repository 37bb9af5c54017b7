"""The one masking of credentials inside URLs, for everything we print, log, raise or store.

`redact_url(text)` takes any text (a URL, an error message, a log line) and masks, in every
`scheme://…` URL it holds, the password of its user info (`https://user:***@host`, also when the
password itself holds `@` or `:`), and every credential-like query or conninfo parameter
(`password=` anywhere; `token=`, `secret=`, `key=`, `signature=`, … as query parameters). Callers
keep the raw URL only to connect with. Plain Python: used by `centra/`, `warehouse/`, `config.py`
and `sync.py`.
"""

from __future__ import annotations

import re

MASK = "***"

# user:password@ up to the last @ before the path: a password with an unescaped @ is still masked whole.
_USERINFO_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*):(?P<pw>[^/?#\s]*)@")
# password=… anywhere (query strings, libpq conninfo; quoted values too); token=…, key=… and the
# like only as query parameters (after ? or &), where they are credentials and not words of a message.
_PARAM_SECRET = re.compile(
    r"(?P<head>(?:\b(?:password|passwd|pwd)|(?<=[?&])(?:token|access_token|api_key|apikey|key|secret|"
    r"client_secret|signature|sig))\s*=\s*)(?P<pw>'[^']*'|[^&\s]+)", re.IGNORECASE)

def redact_url(text: str) -> str:
    """`text` with every URL password and credential parameter replaced by `***`."""
    text = _USERINFO_PASSWORD.sub(lambda m: f"{m['head']}:{MASK}@", text)
    return _PARAM_SECRET.sub(lambda m: f"{m['head']}{MASK}", text)
