"""The `centra-pipelines` command: what is not the Dagster UI.

    centra-pipelines sandbox serve ...   the sandbox Centra (see docs/sandbox.md)
    centra-pipelines doctor              checks a brand's Centra, token and warehouse before a sync
    centra-pipelines sync                a full sync on the configured Centra and warehouse
    centra-pipelines ui                  the Dagster UI on the instance `sync` uses
"""

from __future__ import annotations

import argparse
import sys

from centra_pipelines.startup import startup_heap


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="centra-pipelines", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    from centra_pipelines.sandbox.cli import add_sandbox_commands

    add_sandbox_commands(commands)

    from centra_pipelines.webhooks.cli import add_webhook_commands

    add_webhook_commands(commands)

    from centra_pipelines.config import add_config_commands

    add_config_commands(commands)

    from centra_pipelines.doctor import add_doctor_command

    add_doctor_command(commands)

    from centra_pipelines.sync import add_sync_command

    add_sync_command(commands)

    from centra_pipelines.ui import add_ui_command

    add_ui_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    with startup_heap():  # the commands' imports (docs/sync.md, "Process start")
        args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
