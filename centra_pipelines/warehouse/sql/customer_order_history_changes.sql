-- Orders (of customers), their returns and identity rows that changed since customer_order_history
-- last counted them (every row on the first refresh): `_changed`, with the identity each row counts
-- in now and the one it counted in before; `_touched`, the identities to recompute. A customer with
-- no identity row yet (not resolved) is its own identity; a changed identity row also touches its
-- customer id, the identity the customer may have counted as before.
DROP TABLE IF EXISTS _candidates;
DROP TABLE IF EXISTS _changed;
DROP TABLE IF EXISTS _touched;
DROP TABLE IF EXISTS _identity_of;
CREATE TEMP TABLE _identity_of AS
SELECT customer_id, identity_id FROM {customer_identities} WHERE deleted_at IS NULL;
-- a fresh temp table has no statistics: without them PostgreSQL plans nested loops over it
ANALYZE _identity_of;
-- Candidates: rows written (or deleted) since an hour before the newest write the last refresh saw
-- (see sales_daily_changes.sql). Identity rows are rewritten by every resolution: what counts is the
-- identity they name, not their synced_at.
CREATE TEMP TABLE _candidates AS
SELECT 'orders' AS source, o.id AS key, o.synced_at AS row_synced_at, o.deleted_at AS row_deleted_at,
       COALESCE(i.identity_id, o.customer_id) AS identity_id
FROM {orders} o
LEFT JOIN _identity_of i ON i.customer_id = o.customer_id,
     (SELECT COALESCE(max(row_synced_at), TIMESTAMPTZ '1970-01-01 00:00:00+00') - INTERVAL '1 hour' AS since
      FROM {analytics_marks} WHERE consumer = 'customer_order_history' AND source = 'orders') w
WHERE o.customer_id IS NOT NULL AND (o.synced_at > w.since OR o.deleted_at > w.since)
UNION ALL
SELECT 'returns', CAST(r.id AS VARCHAR), r.synced_at, r.deleted_at, COALESCE(i.identity_id, o.customer_id)
FROM {returns} r
JOIN {orders} o ON o.id = r.order_id
LEFT JOIN _identity_of i ON i.customer_id = o.customer_id,
     (SELECT COALESCE(max(row_synced_at), TIMESTAMPTZ '1970-01-01 00:00:00+00') - INTERVAL '1 hour' AS since
      FROM {analytics_marks} WHERE consumer = 'customer_order_history' AND source = 'returns') w
WHERE o.customer_id IS NOT NULL AND (r.synced_at > w.since OR r.deleted_at > w.since)
UNION ALL
SELECT 'customer_identities', CAST(c.customer_id AS VARCHAR), c.synced_at, c.deleted_at,
       CASE WHEN c.deleted_at IS NULL THEN c.identity_id ELSE c.customer_id END
FROM {customer_identities} c,
     (SELECT COALESCE(max(row_synced_at), TIMESTAMPTZ '1970-01-01 00:00:00+00') - INTERVAL '1 hour' AS since
      FROM {analytics_marks} WHERE consumer = 'customer_order_history' AND source = 'customer_identities') w
WHERE c.synced_at > w.since OR c.deleted_at > w.since;
ANALYZE _candidates;
CREATE TEMP TABLE _changed AS
SELECT c.source, c.key, c.row_synced_at, c.row_deleted_at, CAST(NULL AS DATE) AS day,
       CAST(NULL AS DATE) AS previous_day, c.identity_id, m.identity_id AS previous_identity_id
FROM _candidates c
LEFT JOIN {analytics_marks} m ON m.consumer = 'customer_order_history' AND m.source = c.source AND m.key = c.key
WHERE m.key IS NULL OR m.row_deleted_at IS DISTINCT FROM c.row_deleted_at
   OR (c.source <> 'customer_identities' AND m.row_synced_at IS DISTINCT FROM c.row_synced_at)
   OR (c.source = 'customer_identities' AND m.identity_id IS DISTINCT FROM c.identity_id);
CREATE TEMP TABLE _touched AS
SELECT identity_id FROM _changed WHERE identity_id IS NOT NULL
UNION
SELECT previous_identity_id FROM _changed WHERE previous_identity_id IS NOT NULL
UNION
SELECT CAST(key AS BIGINT) FROM _changed WHERE source = 'customer_identities';
DROP TABLE _candidates;
ANALYZE _changed;
ANALYZE _touched;
