import argparse

import pytest

from centra_pipelines import config

TOKEN = "ctk-live-0123456789abcdef"
WEBHOOK_SECRET = "whsec-new-2026"
OLD_WEBHOOK_SECRET = "whsec-old-2025"
DB_PASSWORD = "s3cret-pg-pass"
HOOK_PATH = "services/T0001/B0002/abcdefabcdef"


@pytest.fixture
def environment(monkeypatch):
    for var in config.VARIABLES:
        monkeypatch.delenv(var.name, raising=False)
    monkeypatch.setenv("CENTRA_API_URL", "https://brand.centra.com/graphql")
    monkeypatch.setenv("CENTRA_API_TOKEN", TOKEN)
    monkeypatch.setenv("CENTRA_WEBHOOK_SECRET", f"{WEBHOOK_SECRET},{OLD_WEBHOOK_SECRET}")
    monkeypatch.setenv("CENTRA_WAREHOUSE_URL", f"postgresql://centra:{DB_PASSWORD}@db.internal:5432/centra")
    monkeypatch.setenv("CENTRA_ALERT_WEBHOOK_URL", f"https://hooks.slack.com/{HOOK_PATH}")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", DB_PASSWORD)
    monkeypatch.setenv("CENTRA_RETENTION_RUN_DAYS", "10")  # a typo of CENTRA_RETENTION_RUNS_DAYS


def _show(capsys) -> str:
    parser = argparse.ArgumentParser(prog="centra-pipelines")
    config.add_config_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["config", "show"])
    assert args.handler(args) == 0
    return capsys.readouterr().out


def _row(output: str, name: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.startswith(name + " "))


def test_config_show_masks_secrets_and_names_sources(environment, capsys):
    out = _show(capsys)

    for secret in (TOKEN, WEBHOOK_SECRET, OLD_WEBHOOK_SECRET, DB_PASSWORD, HOOK_PATH):
        assert secret not in out
    assert _row(out, "CENTRA_API_TOKEN")[1:3] == ["***", "environment"]
    assert _row(out, "CENTRA_WEBHOOK_SECRET")[1:3] == ["***", "environment"]
    assert _row(out, "DAGSTER_PG_PASSWORD")[1:3] == ["***", "environment"]
    assert _row(out, "CENTRA_WAREHOUSE_URL")[1:3] == ["postgresql://centra:***@db.internal:5432/centra", "environment"]
    assert _row(out, "CENTRA_ALERT_WEBHOOK_URL")[1:3] == ["https://hooks.slack.com/***", "environment"]
    assert _row(out, "CENTRA_API_URL")[1:3] == ["https://brand.centra.com/graphql", "environment"]
    assert _row(out, "CENTRA_RETENTION_RUNS_DAYS")[1:3] == ["30", "default"]
    assert _row(out, "CENTRA_DAGSTER_UI_URL")[1:3] == ["http://127.0.0.1:3000", "default"]
    assert _row(out, "CENTRA_API_SECONDARY_TOKEN")[1:4] == ["(not", "set)", "unset"]
    assert "a typo?" in " ".join(_row(out, "CENTRA_RETENTION_RUN_DAYS"))
    shown = {line.split()[0] for line in out.splitlines()[1:]}
    assert {var.name for var in config.VARIABLES} <= shown


def test_scrub_masks_every_configured_secret_in_free_text(environment):
    text = (f"401 for token {TOKEN}; signature with {OLD_WEBHOOK_SECRET} failed; "
            f"could not reach postgresql://someone:{DB_PASSWORD}@other:5432/x?password={DB_PASSWORD}")
    scrubbed = config.scrub(text)
    for secret in (TOKEN, OLD_WEBHOOK_SECRET, DB_PASSWORD):
        assert secret not in scrubbed
    assert scrubbed == ("401 for token ***; signature with *** failed; "
                        "could not reach postgresql://someone:***@other:5432/x?password=***")


def test_bad_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("CENTRA_RETENTION_RUNS_DAYS", "thirty")
    with pytest.raises(ValueError, match="CENTRA_RETENTION_RUNS_DAYS must be a whole number"):
        config.int_value("CENTRA_RETENTION_RUNS_DAYS")


def test_schedule_variables_are_known_and_the_sandbox_token_is_not_a_secret(monkeypatch):
    monkeypatch.setenv("CENTRA_SCHEDULE_RETENTION_SCHEDULE", "off")
    monkeypatch.setenv("CENTRA_API_TOKEN", "sandbox")
    settings = {s.name: s for s in config.effective()}
    assert settings["CENTRA_SCHEDULE_RETENTION_SCHEDULE"].shown == "off"
    assert "typo" not in settings["CENTRA_SCHEDULE_RETENTION_SCHEDULE"].meaning
    assert config.scrub("the sandbox Centra") == "the sandbox Centra"
