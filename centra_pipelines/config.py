"""Every environment variable the project reads, its default, and how to show it without its secrets.

`centra-pipelines config show` prints the effective configuration from this list. The alert sinks
use `scrub()` so that nothing they send contains a secret value, a URL password or a URL path that
is itself a credential (Slack incoming webhooks, for instance).

Plain Python: no Dagster imports.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from centra_pipelines.redaction import MASK, redact_url


# How a value is shown: plain as is; secret fully masked; url with its password (and, for
# credential URLs, its path and query) masked.
PLAIN, SECRET, URL, CREDENTIAL_URL = "plain", "secret", "url", "credential_url"


@dataclass(frozen=True)
class Variable:
    name: str
    default: str | None  # None: unset unless configured
    meaning: str
    kind: str = PLAIN
    default_note: str = ""  # what an unset variable means, when there is no literal default


VARIABLES: tuple[Variable, ...] = (
    # Centra
    Variable("CENTRA_API_URL", None, "Integration API endpoint, https://<brand>.centra.com/graphql", URL,
             "the sandbox Centra (embedded)"),
    Variable("CENTRA_API_TOKEN", None, "Integration API token", SECRET, "`sandbox` when no CENTRA_API_URL"),
    Variable("CENTRA_API_SECONDARY_TOKEN", None, "next token, used once the first is rejected (rotation)", SECRET),
    Variable("CENTRA_API_TOKEN_FILE", None, "file holding the token, re-read on HTTP 401"),
    Variable("CENTRA_STORES", None, "stores to sync (comma-separated ids or names)", default_note="every store"),
    Variable("CENTRA_MARKETS", None, "markets to sync (comma-separated ids or names)",
             default_note="every active market"),
    Variable("CENTRA_WAREHOUSES", None, "warehouses whose stock is synced (comma-separated)",
             default_note="every active warehouse"),
    Variable("CENTRA_MAPPING_FILE", None, "YAML laid over the package's default mapping",
             default_note="package default mapping"),
    Variable("CENTRA_BUDGET_URL", None, "where the deployment's shared Centra rate budget lives (redis://…, "
             "postgresql://…, sqlite:///…, memory)", URL, "the Dagster instance's PostgreSQL, or a SQLite file in DAGSTER_HOME"),
    # Cluster (docs/deploy.md)
    Variable("CENTRA_EXECUTOR", "in_process", "where the sync jobs' steps run: in_process, or celery (Celery workers)"),
    Variable("CENTRA_CELERY_BROKER", None, "the Celery workers' broker when CENTRA_EXECUTOR=celery", URL,
             "amqp://guest:guest@127.0.0.1:5672// (RabbitMQ on this host)"),
    # Warehouse
    Variable("CENTRA_WAREHOUSE_URL", "duckdb:///data/warehouse.duckdb",
             "where synced data lives (DuckDB or PostgreSQL)", URL),
    # Webhooks
    Variable("CENTRA_WEBHOOK_SECRET", None, "webhook endpoint secret(s), comma-separated while rotating", SECRET),
    Variable("CENTRA_WEBHOOK_LANDING", "./data/webhooks", "landing folder of the webhook receiver"),
    Variable("CENTRA_WEBHOOK_BATCH", "500", "landed calls per processing run (webhook_landing_sensor)"),
    Variable("CENTRA_WEBHOOK_SETTLE_SECONDS", "2", "age a landed call must reach before it is processed"),
    Variable("CENTRA_WEBHOOK_RETRY_SECONDS", "600", "wait before a call left by a failed run is offered again"),
    # Alerts
    Variable("CENTRA_ALERT_SLACK_TOKEN", None, "Slack bot token for alerts (with the channel)", SECRET),
    Variable("CENTRA_ALERT_SLACK_CHANNEL", None, "Slack channel for alerts, e.g. #data-alerts"),
    Variable("CENTRA_ALERT_WEBHOOK_URL", None, "HTTP endpoint receiving alerts as JSON POST (when no Slack)",
             CREDENTIAL_URL),
    Variable("CENTRA_DAGSTER_UI_URL", "http://127.0.0.1:3000", "Dagster UI base URL, for links in alerts"),
    # Retention (days)
    Variable("CENTRA_RETENTION_LANDING_DAYS", "14", "days processed webhook landing files are kept"),
    Variable("CENTRA_RETENTION_REJECTED_DAYS", "30", "days rejected webhook landing files are kept"),
    Variable("CENTRA_RETENTION_QUARANTINE_DAYS", "90", "days a quarantined row is kept after it was last seen"),
    Variable("CENTRA_RETENTION_RUNS_DAYS", "30", "days finished Dagster runs (with their logs) are kept"),
    # Freshness (minutes)
    Variable("CENTRA_FRESHNESS_ORDERS_MINUTES", "60", "orders are stale when not updated for this long"),
    Variable("CENTRA_FRESHNESS_STOCK_MINUTES", "1560", "stock_levels are stale when not updated for this long"),
    # Dagster instance
    Variable("DAGSTER_HOME", None, "Dagster instance directory (holds dagster.yaml)",
             default_note="./.dagster_home for `sync`"),
    Variable("DAGSTER_PG_HOST", None, "PostgreSQL host of the Dagster instance (deploy/dagster.yaml)"),
    Variable("DAGSTER_PG_PORT", None, "its port (e.g. 5432)"),
    Variable("DAGSTER_PG_USER", None, "its user"),
    Variable("DAGSTER_PG_PASSWORD", None, "its password", SECRET),
    Variable("DAGSTER_PG_DB", None, "its database"),
)
BY_NAME = {v.name: v for v in VARIABLES}

# Families of variables named after a definition (defs/scheduling.py).
FAMILIES = {"CENTRA_SCHEDULE_": "cron expression of that schedule, or `off`"}
# Variables not in the list above but set in the environment are shown too (a typo shows up as an
# unknown variable); names that look secret are masked.
_PREFIXES = ("CENTRA_", "DAGSTER_PG_")
# The sandbox's well-known token is not a secret; masking it would garble every "sandbox" in a message.
_NOT_SECRET = {"sandbox"}
_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL", re.IGNORECASE)
_SHORTEST_SECRET = 4  # shorter values would mask ordinary words in a message


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def value(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The variable's value: the environment's (blank counts as unset), else its default."""
    raw = _env(environ).get(name, "").strip()
    return raw or BY_NAME[name].default


def list_value(name: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated variable as its non-blank parts (unset: empty)."""
    return [part.strip() for part in (value(name, environ) or "").split(",") if part.strip()]


def int_value(name: str, environ: Mapping[str, str] | None = None) -> int:
    raw = value(name, environ)
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


def mask(text: str, kind: str) -> str:
    """`text` as it may be shown: secrets masked, URLs without password (or credential path)."""
    if kind == SECRET:
        return MASK
    if kind == CREDENTIAL_URL:
        parts = urlsplit(text)
        if parts.scheme and parts.hostname:
            port = f":{parts.port}" if parts.port else ""
            return f"{parts.scheme}://{parts.hostname}{port}/{MASK}"
        return MASK
    if kind == URL:
        return redact_url(text)
    return text


def _kind_of(name: str) -> str:
    if name in BY_NAME:
        return BY_NAME[name].kind
    return SECRET if _SECRET_NAME.search(name) else URL


@dataclass(frozen=True)
class Setting:
    name: str
    shown: str  # the value with secrets masked, or what "unset" means
    source: str  # "environment", "default" or "unset"
    meaning: str


def effective(environ: Mapping[str, str] | None = None) -> list[Setting]:
    """Every known variable (and any other set CENTRA_* / DAGSTER_PG_* one), masked, with its source."""
    env = _env(environ)
    settings = []
    for var in VARIABLES:
        raw = env.get(var.name, "").strip()
        if raw:
            settings.append(Setting(var.name, mask(raw, var.kind), "environment", var.meaning))
        elif var.default is not None:
            settings.append(Setting(var.name, var.default, "default", var.meaning))
        else:
            settings.append(Setting(var.name, f"({var.default_note or 'not set'})", "unset", var.meaning))
    for name in sorted(env):
        if name.startswith(_PREFIXES) and name not in BY_NAME and env[name].strip():
            meaning = next((m for prefix, m in FAMILIES.items() if name.startswith(prefix)),
                           "not a variable this project reads (a typo?)")
            settings.append(Setting(name, mask(env[name].strip(), _kind_of(name)), "environment", meaning))
    return settings


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values of secret variables set now (each part of comma-separated lists), longest first."""
    env = _env(environ)
    found: set[str] = set()
    for name, raw in env.items():
        kind = _kind_of(name) if name.startswith(_PREFIXES) or name in BY_NAME else None
        if kind is None or not raw.strip():
            continue
        if kind == URL:  # only the password inside a URL is secret
            try:
                password = urlsplit(raw.strip()).password
            except ValueError:
                password = None
            if password:
                found.add(password)
            continue
        if kind not in (SECRET, CREDENTIAL_URL):
            continue
        found.add(raw.strip())
        found.update(part.strip() for part in raw.split(","))
    if env.get("CENTRA_API_TOKEN_FILE"):
        try:
            with open(env["CENTRA_API_TOKEN_FILE"], encoding="utf-8") as f:
                found.add(f.read().strip())
        except OSError:
            pass  # an unreadable token file cannot leak into a message either
    return sorted((s for s in found if len(s) >= _SHORTEST_SECRET and s not in _NOT_SECRET), key=len, reverse=True)


def scrub(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` with every configured secret value, URL password and `password=` value masked."""
    for secret in secret_values(environ):
        text = text.replace(secret, MASK)
    return redact_url(text)


# --- `centra-pipelines config show` -------------------------------------------------------------


def render(settings: list[Setting]) -> str:
    width = max(len(s.name) for s in settings)
    shown_width = min(max(len(s.shown) for s in settings), 48)
    lines = [f"{'variable':<{width}}  {'value':<{shown_width}}  {'source':<11}  meaning"]
    for s in settings:
        lines.append(f"{s.name:<{width}}  {s.shown:<{shown_width}}  {s.source:<11}  {s.meaning}")
    return "\n".join(lines)


def show_config(args) -> int:
    print(render(effective()))
    return 0


def add_config_commands(subparsers) -> None:
    """`config show`: the effective configuration, secrets masked."""
    config = subparsers.add_parser("config", help="show the effective configuration")
    commands = config.add_subparsers(dest="config_command", required=True)
    show = commands.add_parser("show", help="print every setting, its value (secrets masked) and where it came from")
    show.set_defaults(handler=show_config)
