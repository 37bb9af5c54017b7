-- Orders and returns whose rows changed since sales_daily last counted them (every row on the first
-- refresh): `_changed`, with the day each row counts in now and the day it counted in before; and
-- `_touched`, the days to recompute.
DROP TABLE IF EXISTS _changed;
DROP TABLE IF EXISTS _touched;
CREATE TEMP TABLE _changed AS
SELECT 'orders' AS source, o.id AS key, o.synced_at AS row_synced_at, o.deleted_at AS row_deleted_at,
       CAST(COALESCE(o.order_date, o.created_at) AS DATE) AS day, m.day AS previous_day,
       CAST(NULL AS BIGINT) AS identity_id, CAST(NULL AS BIGINT) AS previous_identity_id
FROM {orders} o
LEFT JOIN {analytics_marks} m ON m.consumer = 'sales_daily' AND m.source = 'orders' AND m.key = o.id
WHERE m.row_synced_at IS DISTINCT FROM o.synced_at OR m.row_deleted_at IS DISTINCT FROM o.deleted_at
UNION ALL
SELECT 'returns', CAST(r.id AS VARCHAR), r.synced_at, r.deleted_at, CAST(r.created_at AS DATE), m.day, NULL, NULL
FROM {returns} r
LEFT JOIN {analytics_marks} m ON m.consumer = 'sales_daily' AND m.source = 'returns' AND m.key = CAST(r.id AS VARCHAR)
WHERE m.row_synced_at IS DISTINCT FROM r.synced_at OR m.row_deleted_at IS DISTINCT FROM r.deleted_at;
CREATE TEMP TABLE _touched AS
SELECT day FROM _changed WHERE day IS NOT NULL
UNION
SELECT previous_day FROM _changed WHERE previous_day IS NOT NULL;
-- a fresh temp table has no statistics: without them PostgreSQL plans nested loops over it
ANALYZE _changed;
ANALYZE _touched;
