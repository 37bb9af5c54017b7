"""Dynamic partitions: one per selected warehouse (the markets group maintains them, stock is partitioned by them).

Keys name them the way a person looks for them in the UI and still carry the Centra id they are
read by: `<id>-<name slug>` (warehouse 2 "EU Retail" is `2-eu-retail`).
"""

import re

import dagster as dg

warehouse_partitions = dg.DynamicPartitionsDefinition(name="warehouse")


def sync_partitions(instance: dg.DagsterInstance, partitions: dg.DynamicPartitionsDefinition,
                    wanted: list[str]) -> dict[str, list[str]]:
    """Make the partition set equal `wanted`; returns what was added and removed."""
    have = set(instance.get_dynamic_partitions(partitions.name))
    added = [k for k in wanted if k not in have]
    removed = sorted(have - set(wanted))
    if added:
        instance.add_dynamic_partitions(partitions.name, added)
    for key in removed:
        instance.delete_dynamic_partition(partitions.name, key)
    return {"added": added, "removed": removed}


def partition_key(centra_id: int, name: str | None) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", (name or "").casefold()).strip("-")
    return f"{centra_id}-{slug}" if slug else str(centra_id)


def centra_id(key: str) -> int:
    """The Centra id a partition key carries."""
    return int(key.split("-", 1)[0])
