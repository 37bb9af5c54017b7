-- What a refresh found (after <table>_changes.sql): changed rows per source, and the days or
-- identities to recompute.
SELECT source, count(*) AS n FROM _changed GROUP BY source
UNION ALL
SELECT 'touched', count(*) FROM _touched
