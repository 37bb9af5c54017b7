"""Dynamic partitions the markets group maintains: one per selected warehouse (Centra id)."""

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
