-- Identities per segment, over every identity in customer_order_history: '(none)' counts identities
-- without a segment row, '(not in history)' segment rows of no identity. Both absent = the segment
-- counts sum to the identity count.
SELECT COALESCE(s.segment, '(none)') AS segment, count(*) AS identities
FROM {customer_order_history} h
LEFT JOIN {customer_segments} s ON s.identity_id = h.identity_id
GROUP BY COALESCE(s.segment, '(none)')
UNION ALL
SELECT '(not in history)', count(*)
FROM {customer_segments} s
WHERE NOT EXISTS (SELECT 1 FROM {customer_order_history} h WHERE h.identity_id = s.identity_id)
HAVING count(*) > 0
ORDER BY 1
