"""What the served schema offers each stream, detected once per client by introspection.

Several filters and sorts an incremental sync wants (``updatedAt`` on ProductFilter and
CustomerFilter, ``updatedAt_ASC``) are not confirmed by Centra's public documentation. A stream
uses keyset order by (updatedAt, id) only where the schema offers the filter, the ascending sort
and the field; otherwise an id-ordered full pull, resumable by page, with the event queue
carrying changes between pulls.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from centra_pipelines.centra.streams import STREAMS, Stream

log = logging.getLogger(__name__)

KEYSET = "keyset"  # where updatedAt.from = cursor, sort [updatedAt_ASC, id]
PAGES = "pages"  # id-ordered full pull, resumable by page number (+ event queue for changes)
WHOLE = "whole"  # a list without limit/page arguments: one request returns all of it
UNAVAILABLE = "unavailable"  # the schema lacks the stream's filter or sort type


@dataclass(frozen=True)
class StreamPlan:
    stream: str
    mode: str
    sort: list[str]
    updated_at_filter: bool  # where: {updatedAt: {from, to}} is accepted (windows are possible)
    event_object_type: str | None  # the queue that covers changes when mode is PAGES
    reason: str


@dataclass(frozen=True)
class Capabilities:
    plans: dict[str, StreamPlan]
    features: frozenset[str]
    drift: dict[str, list[str]] | None = None  # {"gone": [...], "new": [...]} against the previous run

    def plan(self, stream: str) -> StreamPlan:
        return self.plans[stream]

    def modes(self) -> dict[str, str]:
        return {name: plan.mode for name, plan in self.plans.items()}

    @property
    def fingerprint(self) -> dict[str, Any]:
        """Small JSON-able record to persist and pass back next run to detect schema drift."""
        names = sorted(self.features)
        digest = hashlib.sha256(json.dumps(names).encode()).hexdigest()[:16]
        return {"version": 1, "hash": digest, "features": names}


def _names(entry: dict | None, key: str) -> set[str] | None:
    if entry is None:
        return None
    return {item["name"] for item in entry.get(key) or []}


def features_from_introspection(data: dict[str, Any]) -> frozenset[str]:
    """The members each stream relies on, as 'Type.member' strings (and 'Type' for a present type)."""
    features: set[str] = set()
    for stream in STREAMS.values():
        for type_name, key, wanted in (
            (stream.filter_type, "inputFields", {"updatedAt"}),
            (stream.sort_type, "enumValues", {"updatedAt_ASC", *stream.id_sorts}),
            (stream.object_type, "fields", {"updatedAt", stream.id_key}),
        ):
            names = _names(data.get(type_name), key) if type_name else None
            if names is None:
                continue
            features.add(type_name)
            features.update(f"{type_name}.{n}" for n in wanted & names)
    # Root lists whose arguments are unconfirmed: which of limit/page the served Query field takes.
    root_args = {f["name"]: {a["name"] for a in f.get("args") or []} for f in (data.get("Query") or {}).get("fields") or []}
    for stream in STREAMS.values():
        if stream.whole_query is not None and stream.field in root_args:
            features.add(f"Query.{stream.field}")
            features.update(f"Query.{stream.field}.{a}" for a in {"limit", "page"} & root_args[stream.field])
    return frozenset(features)


def plan_stream(stream: Stream, features: frozenset[str]) -> StreamPlan:
    has = features.__contains__
    if stream.whole_query is not None:
        root = f"Query.{stream.field}"
        if not has(root):
            return StreamPlan(stream.name, UNAVAILABLE, [], False, None, f"schema lacks {root}")
        if has(f"{root}.limit") and has(f"{root}.page"):
            return StreamPlan(stream.name, PAGES, [], False, None, f"{root} offers limit and page")
        return StreamPlan(stream.name, WHOLE, [], False, None,
                          f"{root} offers no limit/page (unconfirmed arguments): one request for the whole list")
    filter_ok = has(f"{stream.filter_type}.updatedAt")
    if not ((stream.filter_type is None or has(stream.filter_type)) and has(stream.sort_type)):
        return StreamPlan(stream.name, UNAVAILABLE, [], False, None,
                          f"schema lacks {stream.filter_type} or {stream.sort_type}")
    id_sort = next((s for s in stream.id_sorts if has(f"{stream.sort_type}.{s}")), None)
    if stream.incremental and filter_ok and has(f"{stream.sort_type}.updatedAt_ASC") and has(f"{stream.object_type}.updatedAt"):
        tie = "id_ASC" if has(f"{stream.sort_type}.id_ASC") else id_sort
        return StreamPlan(stream.name, KEYSET, ["updatedAt_ASC", *([tie] if tie else [])], True, None,
                          "updatedAt filter and updatedAt_ASC sort offered")
    if id_sort is None:
        return StreamPlan(stream.name, UNAVAILABLE, [], filter_ok, None, f"{stream.sort_type} offers no id order")
    missing = [m for m in (f"{stream.filter_type}.updatedAt", f"{stream.sort_type}.updatedAt_ASC",
                           f"{stream.object_type}.updatedAt") if not has(m)]
    reason = "reference list, always pulled whole" if not stream.incremental else f"schema lacks {', '.join(missing)}"
    return StreamPlan(stream.name, PAGES, [id_sort], filter_ok,
                      stream.event_object_type if stream.incremental else None, reason)


def plan_capabilities(data: dict[str, Any], previous: dict[str, Any] | None = None) -> Capabilities:
    """Plans from an introspection answer; logs each stream's mode and any drift from ``previous``."""
    features = features_from_introspection(data)
    plans = {name: plan_stream(stream, features) for name, stream in STREAMS.items()}
    for plan in plans.values():
        log.info("Centra stream %s: %s (%s%s)", plan.stream, plan.mode, plan.reason,
                 f"; changes via the {plan.event_object_type} event queue" if plan.event_object_type else "")
    drift = None
    if previous and previous.get("features") is not None:
        before = set(previous["features"])
        gone, new = sorted(before - features), sorted(features - before)
        if gone or new:
            drift = {"gone": gone, "new": new}
            log.warning("Centra schema drift since the last run: no longer offered %s; newly offered %s", gone, new)
    return Capabilities(plans, features, drift)
