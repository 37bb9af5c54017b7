-- Remember what {consumer} counted from each changed row (after its refresh), in the same transaction.
INSERT INTO {analytics_marks} AS t (consumer, source, key, row_synced_at, row_deleted_at, day, identity_id, synced_at)
SELECT '{consumer}', source, key, row_synced_at, row_deleted_at, day, identity_id, now() FROM _changed
ON CONFLICT (consumer, source, key) DO UPDATE
SET row_synced_at = excluded.row_synced_at, row_deleted_at = excluded.row_deleted_at, day = excluded.day,
    identity_id = excluded.identity_id, synced_at = excluded.synced_at;
DROP TABLE _changed;
DROP TABLE _touched;
