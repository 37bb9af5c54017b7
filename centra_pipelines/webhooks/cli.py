"""`centra-pipelines webhooks serve`: run the webhook receiver in the foreground with uvicorn."""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys

from .settings import DEFAULT_ALLOW, DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE_SECONDS, SECRET_ENV, ConnectionLimits

# `--workers N` runs N uvicorn worker processes, each building the app itself: the parent hands
# them its flags in this variable (JSON; the secrets stay in CENTRA_WEBHOOK_SECRET, inherited).
SERVE_OPTIONS_ENV = "CENTRA_WEBHOOK_SERVE_OPTIONS"
SERVE_OPTIONS = ("landing", "tolerance", "allow", "trust_proxy", "max_bytes", "max_connections",
                 "max_connections_per_client")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FILES_BESIDES_CONNECTIONS = 64  # listening socket, event loop, landing writes, imports, logs


def add_webhook_commands(subparsers) -> None:
    """Register `webhooks serve` on the main parser's subparsers."""
    webhooks = subparsers.add_parser("webhooks", help="the Centra webhook receiver")
    commands = webhooks.add_subparsers(dest="webhooks_command", required=True)
    serve = commands.add_parser(
        "serve", help="receive Centra's signed webhook calls into a landing folder",
        description=f"Verify Centra's signed webhook calls at POST http://HOST:PORT/webhooks/centra and write "
                    f"each accepted call to LANDING/incoming/. Secrets come from {SECRET_ENV} "
                    f"(comma-separated to rotate).")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8788)
    serve.add_argument("--landing", required=True, metavar="DIR", help="landing folder (calls go to DIR/incoming/)")
    serve.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE_SECONDS, metavar="SECONDS",
                       help="refuse signature timestamps further than this from now (default %(default)g)")
    serve.add_argument("--allow", action="append", metavar="CIDR",
                       help=f"allowed caller addresses (repeatable; default {' '.join(DEFAULT_ALLOW)}); "
                            "0.0.0.0/0 and ::/0 allow every address")
    serve.add_argument("--trust-proxy", action="append", metavar="CIDR",
                       help="reverse proxies whose X-Forwarded-For names the caller (repeatable; default none)")
    serve.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES, metavar="N",
                       help="largest accepted body (default %(default)d)")
    serve.add_argument("--max-connections", type=int, default=ConnectionLimits.max_connections, metavar="N",
                       help="open connections per worker; more are answered 503 (default %(default)d)")
    serve.add_argument("--max-connections-per-client", type=int, default=ConnectionLimits.max_connections_per_client,
                       metavar="N", help="open connections per caller address per worker; a reverse proxy is one "
                                         "caller (default %(default)d)")
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="worker processes sharing the port (default %(default)d; one per core for throughput)")
    serve.set_defaults(handler=run_serve)


def settings_from_args(args: argparse.Namespace, environ: dict[str, str] | None = None):
    """WebhookSettings from the flags and CENTRA_WEBHOOK_SECRET; SystemExit with the reason if invalid."""
    from .settings import WebhookSettings

    try:
        settings = WebhookSettings.from_env(
            args.landing, environ=environ, tolerance_seconds=args.tolerance,
            allow=tuple(args.allow) if args.allow else DEFAULT_ALLOW,
            trusted_proxies=tuple(args.trust_proxy or ()), max_body_bytes=args.max_bytes,
            limits=ConnectionLimits(max_connections=args.max_connections,
                                    max_connections_per_client=args.max_connections_per_client))
    except ValueError as exc:
        raise SystemExit(f"webhooks serve: {exc}") from None
    # Past the open-file limit, accept() fails and every caller is refused, valid ones too.
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    needed = settings.limits.max_connections + FILES_BESIDES_CONNECTIONS
    if files != resource.RLIM_INFINITY and needed > files:
        raise SystemExit(f"webhooks serve: --max-connections {settings.limits.max_connections} needs about {needed} "
                         f"open files per worker, over the limit of {files} (ulimit -n): raise the limit or lower "
                         "--max-connections")
    return settings


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from .app import build_app
    from .server import uvicorn_config

    if args.workers < 1:
        raise SystemExit("webhooks serve: --workers must be at least 1")
    settings = settings_from_args(args)  # refuses bad settings before any worker starts
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    # The number of secrets only: their values never go to the console.
    print(f"webhook receiver at http://{args.host}:{args.port}{settings.path} -> {settings.incoming} "
          f"({len(settings.secrets)} secret(s), tolerance {settings.tolerance_seconds:g} s, "
          f"allow {' '.join(map(str, settings.allow))}, {args.workers} worker(s) of at most "
          f"{settings.limits.max_connections} connections, {settings.limits.max_connections_per_client} per caller)",
          file=sys.stderr, flush=True)
    if args.workers == 1:
        uvicorn.Server(uvicorn_config(build_app(settings), settings.limits, host=args.host, port=args.port,
                                      log_level="info")).run()
        return 0
    os.environ[SERVE_OPTIONS_ENV] = json.dumps({name: getattr(args, name) for name in SERVE_OPTIONS})
    config = uvicorn_config("centra_pipelines.webhooks.cli:worker_app", settings.limits, factory=True,
                            workers=args.workers, host=args.host, port=args.port, log_level="info")
    Multiprocess(config, sockets=[config.bind_socket()]).run()
    return 0


def worker_app():
    """The app in one `--workers` process (a uvicorn app factory): settings from the environment
    `run_serve` prepared."""
    from .app import build_app

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    options = json.loads(os.environ[SERVE_OPTIONS_ENV])
    return build_app(settings_from_args(argparse.Namespace(**options)))


if __name__ == "__main__":  # `python -m centra_pipelines.webhooks.cli webhooks serve ...`
    from centra_pipelines.serving import standalone

    sys.exit(standalone(add_webhook_commands))
