-- Orders and returns whose rows changed since sales_daily last counted them (every row on the first
-- refresh): `_changed`, with the day each row counts in now and the day it counted in before; and
-- `_touched`, the days to recompute.
DROP TABLE IF EXISTS _candidates;
DROP TABLE IF EXISTS _changed;
DROP TABLE IF EXISTS _touched;
-- Candidates: rows written (or deleted) since an hour before the newest write the last refresh saw.
-- The hour covers transactions that began before that write and committed after it (a page
-- transaction lasts seconds); comparing the candidates with their marks then keeps only real changes.
CREATE TEMP TABLE _candidates AS
SELECT 'orders' AS source, o.id AS key, o.synced_at AS row_synced_at, o.deleted_at AS row_deleted_at,
       CAST(COALESCE(o.order_date, o.created_at) AS DATE) AS day
FROM {orders} o,
     (SELECT COALESCE(max(row_synced_at), TIMESTAMPTZ '1970-01-01 00:00:00+00') - INTERVAL '1 hour' AS since
      FROM {analytics_marks} WHERE consumer = 'sales_daily' AND source = 'orders') w
WHERE o.synced_at > w.since OR o.deleted_at > w.since
UNION ALL
SELECT 'returns', CAST(r.id AS VARCHAR), r.synced_at, r.deleted_at, CAST(r.created_at AS DATE)
FROM {returns} r,
     (SELECT COALESCE(max(row_synced_at), TIMESTAMPTZ '1970-01-01 00:00:00+00') - INTERVAL '1 hour' AS since
      FROM {analytics_marks} WHERE consumer = 'sales_daily' AND source = 'returns') w
WHERE r.synced_at > w.since OR r.deleted_at > w.since;
-- a fresh temp table has no statistics: without them PostgreSQL plans nested loops over it
ANALYZE _candidates;
CREATE TEMP TABLE _changed AS
SELECT c.source, c.key, c.row_synced_at, c.row_deleted_at, c.day, m.day AS previous_day,
       CAST(NULL AS BIGINT) AS identity_id, CAST(NULL AS BIGINT) AS previous_identity_id
FROM _candidates c
LEFT JOIN {analytics_marks} m ON m.consumer = 'sales_daily' AND m.source = c.source AND m.key = c.key
WHERE m.row_synced_at IS DISTINCT FROM c.row_synced_at OR m.row_deleted_at IS DISTINCT FROM c.row_deleted_at;
CREATE TEMP TABLE _touched AS
SELECT day FROM _changed WHERE day IS NOT NULL
UNION
SELECT previous_day FROM _changed WHERE previous_day IS NOT NULL;
DROP TABLE _candidates;
ANALYZE _changed;
ANALYZE _touched;
