"""`centra-pipelines doctor`: proves a brand's Centra (and the warehouse URL) before the first sync.

Each check is one line with a verdict: `ok`, `warn` (the sync runs; read the detail), `FAIL` or
`skipped` (an earlier failure made it meaningless). A FAIL on a blocking line means a sync would
fail: the doctor exits 2. `centra-pipelines sync` runs the blocking lines first (`preflight`) and
stops with one line naming the cause, instead of minutes of retries and a traceback.

Plain Python over the Centra client: no Dagster import, so a wrong token is reported in seconds.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from centra_pipelines import config
from centra_pipelines.centra import queries
from centra_pipelines.centra.capabilities import KEYSET, PAGES, WHOLE
from centra_pipelines.centra.client import CentraClient, RetryPolicy
from centra_pipelines.centra.errors import AuthError, CentraError, CentraPermissionError, CentraUnavailable
from centra_pipelines.centra.pagination import pull_all
from centra_pipelines.centra.served_schema import missing_members, schema_from_introspection
from centra_pipelines.centra.streams import STREAMS
from centra_pipelines.centra.throttle import TIERS
from centra_pipelines.mapping.markets import MarketSelection, MarketSelectionError, select_markets, select_warehouses

OK, WARN, FAIL, SKIPPED = "ok", "warn", "FAIL", "skipped"
EXIT_BLOCKED = 2
# The doctor must answer within seconds: a short retry budget instead of the sync's minutes.
DOCTOR_RETRY = RetryPolicy(attempts=2, max_seconds=8.0, initial_wait=0.5, max_wait=2.0, max_throttled_seconds=20.0)
DOCTOR_TIMEOUT = 10.0
ADMIN = "Centra admin (System > API Tokens)"
# Lists whose size the estimate reads from Centra (the rest are small reference lists: one page each).
COUNTED = {"products": queries.PRODUCT_COUNT, "customers": queries.CUSTOMER_COUNT, "orders": queries.ORDER_COUNT}


@dataclass
class Line:
    check: str
    verdict: str
    detail: str
    blocking: bool = False  # a FAIL here makes a sync fail


@dataclass
class Report:
    target: str  # the Centra URL, password masked
    lines: list[Line] = field(default_factory=list)
    modes: dict[str, str] = field(default_factory=dict)  # stream -> keyset / pages / unavailable

    def add(self, check: str, verdict: str, detail: str, blocking: bool = False) -> Line:
        line = Line(check, verdict, config.scrub(detail), blocking)
        self.lines.append(line)
        return line

    @property
    def blockers(self) -> list[Line]:
        return [line for line in self.lines if line.verdict == FAIL and line.blocking]

    @property
    def exit_code(self) -> int:
        return EXIT_BLOCKED if self.blockers else 0

    def as_json(self) -> dict[str, Any]:
        return {"centra": self.target, "ok": not self.blockers, "exit_code": self.exit_code,
                "modes": self.modes, "checks": [asdict(line) for line in self.lines]}

    def table(self) -> str:
        width = max(len(line.check) for line in self.lines)
        rows = [f"Centra: {self.target}", f"{'check':<{width}}  verdict  detail"]
        rows += [f"{line.check:<{width}}  {line.verdict:<7}  {line.detail}" for line in self.lines]
        verdict = ("ready to sync" if not self.blockers else
                   f"{len(self.blockers)} blocking problem(s): fix them before `centra-pipelines sync`")
        return "\n".join([*rows, "", verdict])


# --- the checks ------------------------------------------------------------------------------


def diagnose(client: CentraClient, *, blocking_only: bool = False) -> Report:
    """Every check against `client`'s Centra; `blocking_only` skips the informational lines
    (rate limits, first-sync estimate) and stops after the first group of checks that blocks."""
    report = Report(config.mask(client.url, config.URL))
    readings = _connection(client, report)
    if readings is None:
        return report
    if not blocking_only:
        _rate_limits(readings, client, report)
    if not _schema(client, report) and blocking_only:
        return report
    rows = _permissions(client, report)
    if report.blockers and blocking_only:
        return report
    _selection(rows, report)
    if not blocking_only:
        _estimate(client, readings, rows, report)
    return report


def _connection(client: CentraClient, report: Report) -> list[dict] | None:
    """Reachable and answering GraphQL; token accepted. `rateLimits` needs no permission."""
    try:
        readings = client.read_rate_limits()
    except AuthError as exc:
        report.add("reachable", OK, "answers HTTP", blocking=True)
        report.add("token", FAIL, str(exc), blocking=True)
        return None
    except CentraUnavailable as exc:
        cause = str(exc).split(";")[0]
        report.add("reachable", FAIL, f"no GraphQL answer from {report.target}: {cause}. Check CENTRA_API_URL "
                                      "(https://<brand>.centra.com/graphql) and that this host may reach it.",
                   blocking=True)
        report.add("token", SKIPPED, "Centra did not answer")
        return None
    except CentraError as exc:
        report.add("reachable", FAIL, f"{report.target} does not answer as Centra's GraphQL API: {exc}. "
                                      "Check CENTRA_API_URL (https://<brand>.centra.com/graphql).", blocking=True)
        report.add("token", SKIPPED, "Centra did not answer")
        return None
    report.add("reachable", OK, "answers GraphQL", blocking=True)
    report.add("token", OK, f"accepted (the {client.tokens.name} token)", blocking=True)
    return readings


def _rate_limits(readings: list[dict], client: CentraClient, report: Report) -> None:
    by_key = {(r.get("type"), r.get("intervalSeconds")): r for r in readings}
    requests_10s = by_key.get(("REQUEST_COUNT", "TEN_SECONDS"), {}).get("quota")
    tier = next((name for name, t in TIERS.items() if t.quotas.get(("requests", 10.0)) == requests_10s), None)
    shown = []
    low = []
    for (kind, window), label in ((("REQUEST_COUNT", "TEN_SECONDS"), "requests/10 s"),
                                  (("REQUEST_COUNT", "ONE_HOUR"), "requests/h"),
                                  (("QUERY_COMPLEXITY", "TEN_SECONDS"), "complexity/10 s"),
                                  (("QUERY_COMPLEXITY", "ONE_HOUR"), "complexity/h")):
        reading = by_key.get((kind, window))
        if not reading:
            continue
        shown.append(f"{reading['remainingQuota']:,} of {reading['quota']:,} {label} left")
        if reading["quota"] and reading["remainingQuota"] < 0.2 * reading["quota"]:
            low.append(label)
    name = f"{tier} tier" if tier else f"tier of {requests_10s} requests/10 s" if requests_10s else "tier unknown"
    detail = f"{name}; {'; '.join(shown) or 'no readings'}; this project spends {client.throttle.share:.0%} of it"
    if low:
        report.add("rate limits", WARN, f"{detail}. Little left of {', '.join(low)}: other integrations are "
                                        "spending the shared quota; the sync will run slowly.")
    else:
        report.add("rate limits", OK, detail)


def _schema(client: CentraClient, report: Report) -> bool:
    """Every member our documents use is served; which mode each stream runs in."""
    try:
        served = schema_from_introspection(client.execute(queries.SCHEMA, operation_name="IntrospectionQuery").data)
        plans = client.capabilities().plans
    except CentraError as exc:
        report.add("schema", FAIL, f"introspection failed: {exc}", blocking=True)
        return False
    missing = missing_members(served)
    if missing:
        names = ", ".join(f"{member} (used by {', '.join(docs)})" for member, docs in missing.items())
        report.add("schema", FAIL, f"Centra no longer serves {names}. Queries using them would be rejected: "
                                   "update centra-pipelines, or report the change.", blocking=True)
    else:
        report.add("schema", OK, f"every field, argument and enum value our {len(queries.all_documents())} "
                                 "documents use is served", blocking=True)
    report.modes = {name: plan.mode for name, plan in plans.items()}
    modes = []
    for plan in plans.values():
        if plan.mode == KEYSET:
            modes.append(f"{plan.stream}: keyset")
        elif plan.mode == PAGES and plan.updated_at_filter and plan.event_object_type:
            modes.append(f"{plan.stream}: pages in updatedAt windows")
        elif plan.mode == PAGES and plan.event_object_type:
            modes.append(f"{plan.stream}: pages + {plan.event_object_type} event queue")
        elif plan.mode != PAGES:
            modes.append(f"{plan.stream}: unavailable ({plan.reason})")
    unavailable = [p.stream for p in plans.values() if p.mode not in (KEYSET, PAGES, WHOLE)]
    whole = sum(1 for p in plans.values() if p.mode == PAGES and not p.event_object_type)
    detail = "; ".join(modes) + f"; {whole} reference lists: pages"
    report.add("stream modes", FAIL if unavailable else OK, detail, blocking=True)
    return not (missing or unavailable)


def _permissions(client: CentraClient, report: Report) -> dict[str, list[dict]]:
    """Each query the sync sends, asked for one row (reference lists whole: the selection needs them).
    A missing permission is a line naming it, never a crash."""
    reference = {"stores", "markets", "pricelists", "warehouses"}
    rows: dict[str, list[dict]] = {}
    checks: list[tuple[str, str, dict | None]] = []
    for name, stream in STREAMS.items():
        plan = client.capabilities().plan(name)
        if plan.mode == WHOLE:  # a list without limit/page arguments: asked for whole
            checks.append((name, stream.whole_query, None))
            continue
        if plan.mode not in (KEYSET, PAGES) or name in reference or name == "stock":
            continue
        checks.append((name, stream.query, {"limit": 1, "page": 1, "sort": plan.sort}))
    checks += [("returns count", queries.RETURN_COUNT, None), ("base currency", queries.BASE_CURRENCY, None),
               ("event queue", queries.EVENTS, {"limit": 1})]
    checks += [(f"{name} count", document, None) for name, document in COUNTED.items()]
    denied: dict[str, str] = {}  # check -> what went wrong
    allowed: dict[str, list[str]] = {}  # check -> the permissions Centra says it used

    def attempt(check: str, run) -> Any:
        try:
            return run()
        except CentraPermissionError as exc:
            needed = ", ".join(exc.permissions) or "a permission Centra did not name"
            denied[check] = f"the token lacks {needed}: add it to the token in the {ADMIN}"
        except CentraError as exc:
            denied[check] = str(exc)
        return None

    for name in sorted(reference):
        found = attempt(name, lambda name=name: pull_all(client, name))
        if found is not None:
            rows[name] = found
    warehouses = rows.get("warehouses") or []
    if warehouses:
        checks.append(("stock", STREAMS["stock"].query,
                       {"id": warehouses[0]["id"], "limit": 1, "page": 1, "sort": client.capabilities().plan("stock").sort}))
    for check, document, variables in checks:
        result = attempt(check, lambda d=document, v=variables: client.execute(d, v))
        if result is not None:
            allowed[check] = result.extensions.get("permissionsUsed") or []
            rows[check] = result.data
    optional = {name for name, stream in STREAMS.items() if stream.optional}
    for check in sorted(denied):
        if check in optional:
            report.add(f"access {check}", WARN, f"{denied[check]} (until then its asset warns and loads nothing)")
        else:
            report.add(f"access {check}", FAIL, denied[check], blocking=True)
    used = sorted({p for perms in allowed.values() for p in perms})
    granted = len(allowed) + len(rows.keys() & reference)
    report.add("permissions", FAIL if denied.keys() - optional else WARN if denied else OK,
               f"{granted} of {granted + len(denied)} queries allowed"
               + (f"; permissions seen: {', '.join(used)}" if used else ""), blocking=True)
    return rows


def _selection(rows: dict[str, list[dict]], report: Report) -> None:
    """The stores, markets and warehouses a sync would take, and the ones it would refuse, with why."""
    stores, wanted = rows.get("stores"), {w.casefold() for w in config.list_value("CENTRA_STORES")}
    if stores is not None:
        taken = [s for s in stores if not wanted or {str(s["id"]), s["name"].casefold()} & wanted]
        shown = ", ".join(f"{s['name']} ({s['type']}, id {s['id']})" for s in taken) or "none"
        left = ", ".join(s["name"] for s in stores if s not in taken)
        report.add("stores", OK if taken else WARN,
                   f"syncs {shown}" + (f"; leaves out {left} (not in CENTRA_STORES)" if left else ""))
    markets, pricelists = rows.get("markets"), rows.get("pricelists")
    if markets is not None and pricelists is not None:
        selection = MarketSelection(stores=tuple(config.list_value("CENTRA_STORES")),
                                    markets=tuple(config.list_value("CENTRA_MARKETS")))
        _selection_line(report, "markets", markets, lambda: select_markets(markets, pricelists, selection),
                        "CENTRA_STORES / CENTRA_MARKETS", "syncs")
    warehouses = rows.get("warehouses")
    if warehouses is not None:
        _selection_line(report, "warehouses", warehouses,
                        lambda: select_warehouses(warehouses, config.list_value("CENTRA_WAREHOUSES")),
                        "CENTRA_WAREHOUSES", "syncs stock of")



def _selection_line(report: Report, check: str, rows: list[dict], choose, variables: str, verb: str) -> None:
    """One line saying what the configured selection syncs and what it refuses, with why."""
    try:
        chosen = choose()
    except MarketSelectionError as exc:
        report.add(check, FAIL, f"{exc} ({variables})", blocking=True)
        return
    names = {r["id"]: r["name"] for r in rows}
    refused = "; ".join(f"{names[i]!r}: {why}" for i, why in chosen.skipped.items())
    report.add(check, OK if chosen.ids else WARN, f"{verb} {', '.join(repr(names[i]) for i in chosen.ids) or 'none'}"
               + (f"; refuses {refused}" if refused else ""))

def _estimate(client: CentraClient, readings: list[dict], rows: dict[str, Any], report: Report) -> None:
    """Requests of a first sync from Centra's counts, and the time they take inside our budget share."""
    counts = {name: rows[f"{name} count"]["counters"][name] for name in COUNTED if f"{name} count" in rows}
    if "returns count" in rows:
        counts["returns"] = rows["returns count"]["returnConnection"]["totalCount"]
    if not counts:
        report.add("first sync", SKIPPED, "no counts readable (see the access lines)")
        return
    requests = sum(math.ceil(n / STREAMS[name].page_cap) for name, n in counts.items())
    markets = len(rows.get("markets") or [])
    requests += markets * math.ceil(counts.get("products", 0) / STREAMS["displays"].page_cap)  # displays per market
    requests += len(STREAMS)  # reference lists and the first page of each stream
    quotas = {(r.get("type"), r.get("intervalSeconds")): r.get("quota") for r in readings}
    share = client.throttle.share
    per_second = [share * q / s for (kind, window), s in (((("REQUEST_COUNT", "TEN_SECONDS")), 10.0),
                                                           ((("REQUEST_COUNT", "ONE_HOUR")), 3600.0))
                  if (q := quotas.get((kind, window)))]
    seconds = requests / min(per_second) if per_second else None
    shown = ", ".join(f"{n:,} {name}" for name, n in counts.items())
    took = f"≈{_duration(seconds)} at {share:.0%} of the request quota" if seconds is not None else "time unknown"
    report.add("first sync", OK, f"{shown}: ≈{requests:,} requests (without stock pages), {took}")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


# --- the warehouse URL -------------------------------------------------------------------------


def check_warehouse(report: Report) -> None:
    """The warehouse URL parses; a PostgreSQL server answers (a DuckDB file is created on first write)."""
    from centra_pipelines.warehouse.errors import WarehouseURLError
    from centra_pipelines.warehouse.url import parse_url

    try:
        url = parse_url()
    except WarehouseURLError as exc:
        report.add("warehouse", FAIL, f"{exc} (CENTRA_WAREHOUSE_URL)", blocking=True)
        return
    if url.engine == "postgresql":
        import psycopg

        try:
            psycopg.connect(url.conninfo, connect_timeout=5).close()
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            report.add("warehouse", FAIL, f"PostgreSQL at {url.location} refused the connection: {first} "
                                          "(CENTRA_WAREHOUSE_URL)", blocking=True)
            return
    report.add("warehouse", OK, f"{url.engine} at {url.location}", blocking=True)


# --- entry points ------------------------------------------------------------------------------


def client_from_env(url: str | None = None, token: str | None = None) -> CentraClient:
    """A client for CENTRA_API_URL and its token(s) (or the given ones), with the doctor's short retry budget."""
    return CentraClient(url or config.value("CENTRA_API_URL"), token or config.value("CENTRA_API_TOKEN"),
                        secondary_token=config.value("CENTRA_API_SECONDARY_TOKEN"),
                        token_file=config.value("CENTRA_API_TOKEN_FILE"), retry=DOCTOR_RETRY, timeout=DOCTOR_TIMEOUT)


def _diagnose_configured(url: str | None, token: str | None, *, blocking_only: bool = False) -> Report:
    try:
        client = client_from_env(url, token)
    except (ValueError, CentraError) as exc:  # no token at all, or a URL the client refuses
        report = Report(config.mask(url or config.value("CENTRA_API_URL") or "", config.URL))
        if isinstance(exc, CentraError):
            report.add("url", FAIL, f"{exc} (CENTRA_API_URL)", blocking=True)
        else:
            report.add("token", FAIL, f"{exc}: set CENTRA_API_TOKEN (or CENTRA_API_TOKEN_FILE)", blocking=True)
        return report
    with client:
        return diagnose(client, blocking_only=blocking_only)


def preflight() -> Line | None:
    """The doctor's blocking checks for `sync`: the warehouse URL, then (when CENTRA_API_URL is set;
    otherwise the sync starts its own sandbox) Centra. The first blocking failure, or None."""
    report = Report("")
    check_warehouse(report)
    if not report.blockers and config.value("CENTRA_API_URL"):
        # The one line below says what the client's retry warnings would say, minus the noise.
        client_log = logging.getLogger("centra_pipelines.centra.client")
        level = client_log.level
        client_log.setLevel(logging.ERROR)
        try:
            report = _diagnose_configured(None, None, blocking_only=True)
        finally:
            client_log.setLevel(level)
    return report.blockers[0] if report.blockers else None


def check_before_sync() -> None:
    """Stop `sync` with exit status 2 and one line naming the cause when a blocking check fails."""
    blocker = preflight()
    if blocker is not None:
        print(f"centra-pipelines sync: not started: {blocker.check}: {blocker.detail}", file=sys.stderr)
        raise SystemExit(EXIT_BLOCKED)


def run_doctor(args: argparse.Namespace) -> int:
    from contextlib import ExitStack

    with ExitStack() as stack:
        url = token = None
        if not config.value("CENTRA_API_URL"):  # as `sync` does: the embedded sandbox
            from centra_pipelines.sandbox.server import SandboxConfig, SandboxServer

            url, token = stack.enter_context(SandboxServer(SandboxConfig(scale="tiny"))).url, "sandbox"
        report = _diagnose_configured(url, token)
    check_warehouse(report)
    print(json.dumps(report.as_json(), indent=2) if args.json else report.table())
    return report.exit_code


def add_doctor_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("doctor", help="check CENTRA_API_URL, the token and the warehouse before a sync",
                                 description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=run_doctor)
