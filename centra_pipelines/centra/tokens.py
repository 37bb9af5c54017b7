"""Integration tokens and their rotation.

Centra tokens expire (30 days by default) and cannot be rotated by API: rotation means a
second token deployed before the first is revoked, or a token file that operations rewrite.
On a 401 the client moves to the next candidate once; the log names the candidate, never the token.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

log = logging.getLogger(__name__)


class TokenSource:
    """Primary token, optional secondary token, optional token file (re-read on every 401)."""

    def __init__(
        self, primary: str | None = None, *, secondary: str | None = None, token_file: str | Path | None = None
    ) -> None:
        self._file = Path(token_file) if token_file else None
        self._lock = threading.Lock()
        self._candidates: list[tuple[str, str]] = [(n, t) for n, t in (("primary", primary), ("secondary", secondary)) if t]
        if not self._candidates:
            token = self._read_file()
            if token is None:
                raise ValueError("no Centra token configured: give a token or a token file")
            self._candidates.append(("token file", token))
        self._index = 0
        self._rejected: set[str] = set()

    def __repr__(self) -> str:  # never the tokens themselves
        return f"TokenSource(in_use={self.name!r}, token_file={str(self._file) if self._file else None!r})"

    @property
    def name(self) -> str:
        """Which token is in use: 'primary', 'secondary' or 'token file'."""
        return self._candidates[self._index][0]

    @property
    def token(self) -> str:
        return self._candidates[self._index][1]

    def secrets(self) -> list[str]:
        """Every token value known (for redaction checks)."""
        return [t for _, t in self._candidates]

    def _read_file(self) -> str | None:
        if self._file is None:
            return None
        try:
            text = self._file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            log.warning("Centra token file %s could not be read: %s", self._file, exc.strerror)
            return None
        return text or None

    def rotate(self, rejected: str) -> bool:
        """The token ``rejected`` got a 401: switch to a candidate not yet rejected. False if none is left."""
        with self._lock:
            if rejected != self.token:  # another thread already switched
                return True
            self._rejected.add(rejected)
            old = self.name
            fresh = self._read_file()
            if fresh is not None and fresh not in self._rejected and all(fresh != t for _, t in self._candidates):
                self._candidates.append(("token file", fresh))
            for index, (name, token) in enumerate(self._candidates):
                if token not in self._rejected:
                    self._index = index
                    log.warning("Centra rejected the %s token (HTTP 401); now using the %s token", old, name)
                    return True
            return False
