"""Alert messages and where they go: Slack (dagster-slack) or a generic HTTP webhook.

A message names what failed (job or asset check), the partition, a short error summary and a link
to the run in the Dagster UI. Every text passes through `config.scrub`, so configured secrets,
URL passwords and `password=` values never leave the process (an exception text may well contain
a token a library echoed back).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from centra_pipelines import config

logger = logging.getLogger("centra_pipelines.alerts")

MAX_ERROR_CHARS = 1200  # long tracebacks belong in the run's page, not in a chat message
SEND_TIMEOUT_SECONDS = 10.0

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


class AlertDeliveryError(Exception):
    """The sink refused or could not be reached. The text names the sink, never its URL or token."""


@dataclass(frozen=True)
class Alert:
    kind: str  # "run_failure" or "check_failure"
    title: str
    run_id: str
    job: str | None = None
    partition: str | None = None
    asset: str | None = None
    check: str | None = None
    severity: str | None = None
    error: str = ""
    details: Mapping[str, str] = field(default_factory=dict)

    @property
    def run_url(self) -> str:
        return f"{config.value('CENTRA_DAGSTER_UI_URL').rstrip('/')}/runs/{self.run_id}"

    def text(self) -> str:
        lines = [self.title]
        for label, value in (("job", self.job), ("asset", self.asset), ("check", self.check),
                             ("severity", self.severity), ("partition", self.partition), *self.details.items()):
            if value:
                lines.append(f"{label}: {value}")
        if self.error:
            lines.append(f"error: {self.error}")
        lines.append(f"run: {self.run_url}")
        return config.scrub("\n".join(lines))

    def payload(self) -> dict:
        """The JSON body of a webhook call. `text` makes it a valid Slack incoming-webhook body too."""
        fields = {"kind": self.kind, "job": self.job, "asset": self.asset, "check": self.check,
                  "severity": self.severity, "partition": self.partition, "run_id": self.run_id,
                  "run_url": self.run_url, "error": self.error, **self.details}
        body = {key: config.scrub(str(value)) for key, value in fields.items() if value is not None}
        return {"text": self.text(), **body}


def summarize(text: str | None, limit: int = MAX_ERROR_CHARS) -> str:
    """The error text, scrubbed and cut to `limit` characters."""
    text = config.scrub((text or "").strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def partition_of(tags: Mapping[str, str]) -> str | None:
    """A run's partition: one key, or `start…end` for a single-run range backfill."""
    if tags.get(PARTITION_TAG):
        return tags[PARTITION_TAG]
    start, end = tags.get(RANGE_START_TAG), tags.get(RANGE_END_TAG)
    if start and end:
        return start if start == end else f"{start}…{end}"
    return None


class WebhookSink:
    """POSTs the alert as JSON to CENTRA_ALERT_WEBHOOK_URL."""

    def __init__(self, url: str):
        self._url = url

    def describe(self) -> str:
        return f"webhook {config.mask(self._url, config.CREDENTIAL_URL)}"

    def send(self, alert: Alert) -> None:
        try:
            response = httpx.post(self._url, json=alert.payload(), timeout=SEND_TIMEOUT_SECONDS)
        except httpx.HTTPError as exc:
            # httpx's text includes the URL, whose path may itself be a credential
            raise AlertDeliveryError(f"alert {self.describe()} unreachable: {type(exc).__name__}") from None
        if response.status_code >= 300:
            raise AlertDeliveryError(f"alert {self.describe()} answered HTTP {response.status_code}")


class SlackSink:
    """Posts the alert text to a Slack channel through dagster-slack's client."""

    def __init__(self, token: str, channel: str):
        self._token = token
        self.channel = channel

    def describe(self) -> str:
        return f"Slack channel {self.channel}"

    def send(self, alert: Alert) -> None:
        from dagster_slack import SlackResource
        from slack_sdk.errors import SlackApiError

        try:
            SlackResource(token=self._token).get_client().chat_postMessage(channel=self.channel, text=alert.text())
        except SlackApiError as exc:
            raise AlertDeliveryError(
                f"alert to {self.describe()} refused: {exc.response.get('error', 'unknown error')}") from None
        except OSError as exc:
            raise AlertDeliveryError(f"alert to {self.describe()} unreachable: {type(exc).__name__}") from None


def sink_from_env() -> WebhookSink | SlackSink | None:
    """Slack when both CENTRA_ALERT_SLACK_TOKEN and _CHANNEL are set; else the webhook URL; else None."""
    token, channel = config.value("CENTRA_ALERT_SLACK_TOKEN"), config.value("CENTRA_ALERT_SLACK_CHANNEL")
    if token and channel:
        return SlackSink(token, channel)
    url = config.value("CENTRA_ALERT_WEBHOOK_URL")
    if url:
        return WebhookSink(url)
    return None


OFF_REASON = ("alerts are off: set CENTRA_ALERT_SLACK_TOKEN and CENTRA_ALERT_SLACK_CHANNEL, "
              "or CENTRA_ALERT_WEBHOOK_URL")


def announce_sink() -> None:
    """Logs, once per process (definitions load), where alerts go — or that they are off."""
    sink = sink_from_env()
    if sink is None:
        half_slack = [name for name in ("CENTRA_ALERT_SLACK_TOKEN", "CENTRA_ALERT_SLACK_CHANNEL")
                      if config.value(name)]
        hint = f" ({half_slack[0]} is set without its partner)" if len(half_slack) == 1 else ""
        logger.warning("Failure %s%s", OFF_REASON, hint)
    else:
        logger.info("Failure alerts go to %s", sink.describe())
