-- Orders (of customers), their returns and identity rows that changed since customer_order_history
-- last counted them (every row on the first refresh): `_changed`, with the identity each row counts
-- in now and the one it counted in before; `_touched`, the identities to recompute. A customer with
-- no identity row yet (not resolved) is its own identity; a changed identity row also touches its
-- customer id, the identity the customer may have counted as before.
DROP TABLE IF EXISTS _changed;
DROP TABLE IF EXISTS _touched;
DROP TABLE IF EXISTS _identity_of;
CREATE TEMP TABLE _identity_of AS
SELECT customer_id, identity_id FROM {customer_identities} WHERE deleted_at IS NULL;
-- a fresh temp table has no statistics: without them PostgreSQL plans nested loops over it
ANALYZE _identity_of;
CREATE TEMP TABLE _changed AS
SELECT 'orders' AS source, o.id AS key, o.synced_at AS row_synced_at, o.deleted_at AS row_deleted_at,
       CAST(NULL AS DATE) AS day, CAST(NULL AS DATE) AS previous_day,
       COALESCE(i.identity_id, o.customer_id) AS identity_id, m.identity_id AS previous_identity_id
FROM {orders} o
LEFT JOIN _identity_of i ON i.customer_id = o.customer_id
LEFT JOIN {analytics_marks} m ON m.consumer = 'customer_order_history' AND m.source = 'orders' AND m.key = o.id
WHERE o.customer_id IS NOT NULL
  AND (m.row_synced_at IS DISTINCT FROM o.synced_at OR m.row_deleted_at IS DISTINCT FROM o.deleted_at)
UNION ALL
SELECT 'returns', CAST(r.id AS VARCHAR), r.synced_at, r.deleted_at, NULL, NULL,
       COALESCE(i.identity_id, o.customer_id), m.identity_id
FROM {returns} r
JOIN {orders} o ON o.id = r.order_id
LEFT JOIN _identity_of i ON i.customer_id = o.customer_id
LEFT JOIN {analytics_marks} m ON m.consumer = 'customer_order_history' AND m.source = 'returns'
                             AND m.key = CAST(r.id AS VARCHAR)
WHERE o.customer_id IS NOT NULL
  AND (m.row_synced_at IS DISTINCT FROM r.synced_at OR m.row_deleted_at IS DISTINCT FROM r.deleted_at)
UNION ALL
SELECT 'customer_identities', CAST(c.customer_id AS VARCHAR), NULL, c.deleted_at, NULL, NULL,
       CASE WHEN c.deleted_at IS NULL THEN c.identity_id ELSE c.customer_id END, m.identity_id
FROM {customer_identities} c
LEFT JOIN {analytics_marks} m ON m.consumer = 'customer_order_history' AND m.source = 'customer_identities'
                             AND m.key = CAST(c.customer_id AS VARCHAR)
-- identity rows are rewritten by every resolution: what counts is the identity they name
WHERE m.key IS NULL OR m.row_deleted_at IS DISTINCT FROM c.deleted_at
   OR m.identity_id IS DISTINCT FROM CASE WHEN c.deleted_at IS NULL THEN c.identity_id ELSE c.customer_id END;
CREATE TEMP TABLE _touched AS
SELECT identity_id FROM _changed WHERE identity_id IS NOT NULL
UNION
SELECT previous_identity_id FROM _changed WHERE previous_identity_id IS NOT NULL
UNION
SELECT CAST(key AS BIGINT) FROM _changed WHERE source = 'customer_identities';
ANALYZE _changed;
ANALYZE _touched;
