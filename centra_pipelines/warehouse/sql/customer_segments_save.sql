-- Record every segment transition, then replace customer_segments with `_segments`.
INSERT INTO {customer_segment_changes} (identity_id, changed_at, as_of, previous_segment, segment, synced_at)
SELECT COALESCE(n.identity_id, p.identity_id), now(), DATE '{as_of}', p.segment, n.segment, now()
FROM _segments n
FULL OUTER JOIN {customer_segments} p ON p.identity_id = n.identity_id
WHERE p.segment IS DISTINCT FROM n.segment;
DELETE FROM {customer_segments};
INSERT INTO {customer_segments} (identity_id, as_of, recency_days, frequency, monetary, r_score, f_score, m_score,
                                 rfm, segment, cohort_month, synced_at)
SELECT identity_id, as_of, recency_days, frequency, monetary, r_score, f_score, m_score, rfm, segment,
       cohort_month, now()
FROM _segments;
DROP TABLE _segments;
