import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest


class AlertSink:
    """A tiny HTTP server on a free 127.0.0.1 port that records every JSON POST it receives."""

    def __init__(self):
        self.received: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sink.received.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/hooks/alerts"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def alert_sink(monkeypatch):
    """A running sink, configured as the alert webhook (no Slack)."""
    monkeypatch.delenv("CENTRA_ALERT_SLACK_TOKEN", raising=False)
    monkeypatch.delenv("CENTRA_ALERT_SLACK_CHANNEL", raising=False)
    with AlertSink() as sink:
        monkeypatch.setenv("CENTRA_ALERT_WEBHOOK_URL", sink.url)
        yield sink


@pytest.fixture
def instance(tmp_path):
    """A real Dagster instance (SQLite storage in tmp_path)."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        yield instance
