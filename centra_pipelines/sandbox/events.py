"""Centra's event queue: per integration name, listeners by object type, events kept until confirmed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class _Integration:
    listeners: dict[str, dict] = field(default_factory=dict)  # objectType -> listener row
    events: list[dict] = field(default_factory=list)  # unconfirmed, oldest first


class EventQueues:
    def __init__(self) -> None:
        self._by_name: dict[str, _Integration] = {}
        self._next_id = 1

    def _get(self, integration: str) -> _Integration:
        return self._by_name.setdefault(integration, _Integration())

    def listeners(self, integration: str) -> list[dict]:
        return list(self._get(integration).listeners.values())

    def set_listeners(self, integration: str, inputs: list[dict], now: datetime) -> list[dict]:
        """Additive and idempotent: setting the same listener twice changes nothing."""
        state = self._get(integration)
        for item in inputs:
            object_type, change_types = item["objectType"], item.get("changeTypes")
            row = state.listeners.get(object_type)
            if row is None:
                state.listeners[object_type] = {
                    "integrationName": integration, "objectType": object_type,
                    "changeTypes": list(change_types) if change_types else [], "_all": not change_types,
                    "createdAt": now, "updatedAt": now,
                }
            elif change_types and not row["_all"]:
                added = [c for c in change_types if c not in row["changeTypes"]]
                if added:
                    row["changeTypes"] = row["changeTypes"] + added
                    row["updatedAt"] = now
            elif not change_types and not row["_all"]:
                row["_all"], row["changeTypes"], row["updatedAt"] = True, [], now
        for row in state.listeners.values():
            if row["_all"]:
                row["changeTypes"] = ["CREATED", "UPDATED", "DELETED", "COMPLETED", "DEPENDENT_DATA_CHANGED"]
        return self.listeners(integration)

    def unset_listeners(self, integration: str, inputs: list[dict]) -> list[dict]:
        """Unsubscribing also deletes the queued events of those types."""
        state = self._get(integration)
        for item in inputs:
            object_type, change_types = item["objectType"], item.get("changeTypes")
            row = state.listeners.get(object_type)
            if row is None:
                continue
            if change_types:
                row["changeTypes"] = [c for c in row["changeTypes"] if c not in change_types]
                row["_all"] = False
                if not row["changeTypes"]:
                    del state.listeners[object_type]
            else:
                del state.listeners[object_type]
            state.events = [e for e in state.events if not (
                e["objectType"] == object_type and (not change_types or e["changeType"] in change_types))]
        return self.listeners(integration)

    def publish(self, object_type: str, change_type: str, reference: int, obj: Any, at: datetime,
                store: dict | None = None, market: dict | None = None) -> None:
        """Queue one change for every integration listening to it (each gets its own event id)."""
        for name, state in self._by_name.items():
            row = state.listeners.get(object_type)
            if row is None or (not row["_all"] and change_type not in row["changeTypes"]):
                continue
            state.events.append({
                "id": self._next_id, "objectType": object_type, "changeType": change_type,
                "objectReference": reference, "createdAt": at, "store": store, "market": market,
                "object": None if change_type == "DELETED" else obj, "_integration": name,
            })
            self._next_id += 1

    def pending(self, integration: str, where: dict, limit: int) -> list[dict]:
        """The oldest unconfirmed events matching the filter, at most `limit`."""
        out = []
        for event in self._get(integration).events:
            if where.get("objectType") and event["objectType"] not in where["objectType"]:
                continue
            if where.get("changeType") and event["changeType"] not in where["changeType"]:
                continue
            if where.get("storeId") and (event["store"] or {}).get("id") not in where["storeId"]:
                continue
            if where.get("marketId") and (event["market"] or {}).get("id") not in where["marketId"]:
                continue
            out.append(event)
            if len(out) == limit:
                break
        return out

    def confirm(self, integration: str, ids: list[int]) -> None:
        wanted = set(ids)
        state = self._get(integration)
        state.events = [e for e in state.events if e["id"] not in wanted]
