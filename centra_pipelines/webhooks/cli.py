"""`centra-pipelines webhooks serve`: run the webhook receiver in the foreground with uvicorn."""

from __future__ import annotations

import argparse
import logging
import sys

from .settings import DEFAULT_ALLOW, DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE_SECONDS, SECRET_ENV


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
    serve.set_defaults(handler=run_serve)


def settings_from_args(args: argparse.Namespace, environ: dict[str, str] | None = None):
    """WebhookSettings from the flags and CENTRA_WEBHOOK_SECRET; SystemExit with the reason if invalid."""
    from .settings import WebhookSettings

    try:
        return WebhookSettings.from_env(
            args.landing, environ=environ, tolerance_seconds=args.tolerance,
            allow=tuple(args.allow) if args.allow else DEFAULT_ALLOW,
            trusted_proxies=tuple(args.trust_proxy or ()), max_body_bytes=args.max_bytes)
    except ValueError as exc:
        raise SystemExit(f"webhooks serve: {exc}") from None


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import build_app
    from .server import uvicorn_config

    settings = settings_from_args(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = build_app(settings)
    # The number of secrets only: their values never go to the console.
    print(f"webhook receiver at http://{args.host}:{args.port}{settings.path} -> {settings.incoming} "
          f"({len(settings.secrets)} secret(s), tolerance {settings.tolerance_seconds:g} s, "
          f"allow {' '.join(map(str, settings.allow))})", file=sys.stderr, flush=True)
    uvicorn.Server(uvicorn_config(app, host=args.host, port=args.port, log_level="info")).run()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m centra_pipelines.webhooks.cli webhooks serve ...`)."""
    parser = argparse.ArgumentParser(prog="centra-pipelines")
    add_webhook_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
