-- Identities whose segment the refresh changes (after customer_segments_build.sql), by transition;
-- previous_segment NULL = a new identity, segment NULL = an identity that is gone (merged).
SELECT p.segment AS previous_segment, n.segment, count(*) AS identities
FROM _segments n
FULL OUTER JOIN {customer_segments} p ON p.identity_id = n.identity_id
WHERE p.segment IS DISTINCT FROM n.segment
GROUP BY p.segment, n.segment
ORDER BY count(*) DESC
