-- RFM scores of every identity in customer_order_history as of {as_of}, into `_segments`. A score is
-- 1..{bins} by percent rank among all identities (ties share a score): r by days since the last
-- order (fewer = higher), f by orders, m by net revenue. Segments: the mapping's rules, first match.
DROP TABLE IF EXISTS _segments;
CREATE TEMP TABLE _segments AS
SELECT identity_id, as_of, recency_days, frequency, monetary, r_score, f_score, m_score,
       CAST(r_score AS VARCHAR) || CAST(f_score AS VARCHAR) || CAST(m_score AS VARCHAR) AS rfm,
       {segment_case} AS segment, cohort_month
FROM (
    SELECT identity_id, as_of, recency_days, frequency, monetary, cohort_month,
           LEAST({bins}, 1 + CAST(FLOOR({bins} * PERCENT_RANK() OVER (ORDER BY recency_days DESC)) AS INTEGER))
               AS r_score,
           LEAST({bins}, 1 + CAST(FLOOR({bins} * PERCENT_RANK() OVER (ORDER BY frequency)) AS INTEGER)) AS f_score,
           LEAST({bins}, 1 + CAST(FLOOR({bins} * PERCENT_RANK() OVER (ORDER BY monetary)) AS INTEGER)) AS m_score
    FROM (SELECT identity_id, DATE '{as_of}' AS as_of, DATE '{as_of}' - CAST(last_order_at AS DATE) AS recency_days,
                 orders AS frequency, net_base AS monetary,
                 CAST(date_trunc('month', first_order_at) AS DATE) AS cohort_month
          FROM {customer_order_history}) h
) s;
ANALYZE _segments
