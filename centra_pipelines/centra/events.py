"""Centra's event queue: at-least-once change notifications for one integration.

Listeners are registered idempotently; `events` returns the oldest unconfirmed events; they come
back until `confirmEvents` is called. Callers confirm only after the warehouse committed what the
events led to, so a crash in between means a harmless redelivery, never a lost change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from centra_pipelines.centra import queries
from centra_pipelines.centra.errors import QueryError

MAX_BATCH = 200  # "Limit must be in range 1 - 200", and confirmEvents takes 200 ids a call


@dataclass(frozen=True)
class Event:
    id: int
    object_type: str
    change_type: str
    reference: int  # the object's id, or the order number for orders
    created_at: str


class EventQueue:
    def __init__(self, client) -> None:
        self.client = client

    def listen(self, object_types: Iterable[str]) -> None:
        """Subscribe to every change type of these object types (additive and idempotent in Centra)."""
        result = self.client.execute(queries.SET_EVENT_LISTENERS,
                                     {"input": [{"objectType": t} for t in object_types]})
        _raise_user_errors(result.data["setEventListeners"], "setEventListeners")

    def pull(self, object_types: Iterable[str], limit: int = MAX_BATCH) -> list[Event]:
        """The oldest unconfirmed events of these object types (at most `limit`)."""
        result = self.client.execute(queries.EVENTS, {"where": {"objectType": list(object_types)},
                                                      "limit": min(limit, MAX_BATCH)})
        return [Event(e["id"], e["objectType"], e["changeType"], int(e["objectReference"]), e["createdAt"])
                for e in result.data["events"]]

    def confirm(self, events: Iterable[Event]) -> None:
        ids = [e.id for e in events]
        for start in range(0, len(ids), MAX_BATCH):
            result = self.client.execute(queries.CONFIRM_EVENTS, {"input": {"eventsIds": ids[start:start + MAX_BATCH]}})
            _raise_user_errors(result.data["confirmEvents"], "confirmEvents")


def _raise_user_errors(payload: dict, operation: str) -> None:
    errors = payload.get("userErrors") or []
    if errors:
        raise QueryError("; ".join(e["message"] for e in errors), path=[operation], errors=errors)
