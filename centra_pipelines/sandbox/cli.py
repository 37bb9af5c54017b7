"""`centra-pipelines sandbox serve`: run the sandbox Centra in the foreground with uvicorn."""

from __future__ import annotations

import argparse
import sys

from .faults import FaultPlan
from .ratelimit import RETRY_AFTER_FORMATS, TIERS

SCALES = ("tiny", "small", "medium", "large")


def add_sandbox_commands(subparsers) -> None:
    """Register `sandbox serve` on the main parser's subparsers."""
    sandbox = subparsers.add_parser("sandbox", help="the local sandbox Centra")
    commands = sandbox.add_subparsers(dest="sandbox_command", required=True)
    serve = commands.add_parser("serve", help="serve the sandbox Centra's GraphQL API over HTTP",
                                description="Serve a seeded, deterministic stand-in for Centra's Integration "
                                            "API at http://HOST:PORT/graphql (control endpoints under /_sandbox/).")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8787)
    serve.add_argument("--seed", type=int, default=7)
    serve.add_argument("--scale", choices=SCALES, default="small")
    serve.add_argument("--token", action="append", metavar="TOKEN[=PERM,...]",
                       help="accepted token (repeatable); default `sandbox` with every permission. "
                            "`T=Order:read,Product:read` restricts its permissions.")
    serve.add_argument("--tier", choices=sorted(TIERS), default="growth", help="Centra rate-limit tier")
    serve.add_argument("--time-scale", type=float, default=1.0, metavar="F",
                       help="rate-limit windows run F times faster")
    serve.add_argument("--faults", metavar="SPEC", default=None,
                       help="e.g. 5xx=0.2,429=0.1,reset=0.05,slow=0.01,truncate=0.02,nonjson=0.02,fail_at=40")
    serve.add_argument("--webhook-url", default=None)
    serve.add_argument("--webhook-secret", default=None)
    serve.add_argument("--webhook-retries", type=int, default=3, choices=range(4), metavar="0-3")
    serve.add_argument("--retry-after-format", choices=RETRY_AFTER_FORMATS, default="seconds")
    serve.add_argument("--neighbour", type=float, default=0.0, metavar="SHARE",
                       help="share (0..1) of every bucket spent by the brand's other integrations")
    serve.add_argument("--strict", action="store_true",
                       help="serve only what the schema file does not mark `# unconfirmed`")
    serve.add_argument("--drop-fields", metavar="TYPE.MEMBER,...", default="",
                       help="serve the schema without these fields, input fields or enum values "
                            "(e.g. Order.isOnHold,OrderStatus.ARCHIVED): a Centra whose API changed")
    serve.add_argument("--bad-rows", type=bad_rows_rate, default=0.0, metavar="RATE",
                       help="serve this share (0..1) of the rows of each kind spoiled, breaking one contract "
                            "rule each (customers, orders, products, sizes): shows the WARN and ERROR checks")
    serve.set_defaults(handler=run_serve)


def bad_rows_rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError(f"--bad-rows takes a share between 0 and 1, not {text!r}")
    return rate


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """The sandbox options of the commands that start one when no CENTRA_API_URL is set (sync, ui)."""
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "medium", "large"],
                        help="sandbox scale when no CENTRA_API_URL is set (default small)")
    parser.add_argument("--seed", type=int, default=7, help="sandbox seed (default 7)")
    parser.add_argument("--tier", default="growth", choices=["growth", "enhanced", "off"],
                        help="sandbox rate-limit tier (default growth)")
    parser.add_argument("--bad-rows", type=bad_rows_rate, default=0.0, metavar="RATE",
                        help="sandbox: serve this share (0..1) of customers, orders, products and sizes "
                             "spoiled, to see the contract checks fail (docs/sandbox.md)")


def config_from_args(args: argparse.Namespace):
    from .auth import parse_token_option
    from .server import SandboxConfig

    if bool(args.webhook_url) != bool(args.webhook_secret):
        raise SystemExit("--webhook-url and --webhook-secret go together")
    try:
        FaultPlan.parse(args.faults)
        tokens = tuple(parse_token_option(v, i) for i, v in enumerate(args.token or (), start=1)) or None
        drop_fields = tuple(part.strip() for part in args.drop_fields.split(",") if part.strip())
        from .resolvers import served_schema

        served_schema(args.strict, drop_fields)  # a member the schema lacks fails here, not at the first request
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    return SandboxConfig(seed=args.seed, scale=args.scale, strict=args.strict, drop_fields=drop_fields,
                         tokens=tokens, tier=args.tier,
                         time_scale=args.time_scale, faults=args.faults, webhook_url=args.webhook_url,
                         webhook_secret=args.webhook_secret, webhook_retries=args.webhook_retries,
                         retry_after_format=args.retry_after_format, neighbour=args.neighbour,
                         bad_rows=args.bad_rows)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import build_app

    config = config_from_args(args)
    app = build_app(config)
    service = app.state.service
    # Token names only: the secrets never go to the console.
    print(f"sandbox Centra (seed {config.seed}, scale {config.scale}, tier {config.tier}) at "
          f"http://{args.host}:{args.port}/graphql; tokens: {', '.join(service.tokens.names())}",
          file=sys.stderr)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info", timeout_graceful_shutdown=1)
    finally:
        service.close()
    return 0


if __name__ == "__main__":  # `python -m centra_pipelines.sandbox.cli sandbox serve ...`
    from centra_pipelines.serving import standalone

    sys.exit(standalone(add_sandbox_commands))
