-- Days and currencies where sales_daily disagrees with the orders and returns tables (orders, grand
-- total and refunds, in the order currency and the base currency). Empty = reconciled to the cent.
SELECT COALESCE(s.day, t.day) AS day, COALESCE(s.currency, t.currency) AS currency,
       t.orders AS orders_in_orders, s.orders AS orders_in_sales_daily,
       t.grand_total AS grand_total_in_orders, s.grand_total AS grand_total_in_sales_daily,
       t.grand_total_base AS grand_total_base_in_orders, s.grand_total_base AS grand_total_base_in_sales_daily,
       t.refunded_base AS refunded_base_in_returns, s.refunded_base AS refunded_base_in_sales_daily
FROM (SELECT day, currency, sum(orders) AS orders, sum(grand_total) AS grand_total,
             sum(grand_total_base) AS grand_total_base, sum(refunded) AS refunded, sum(refunded_base) AS refunded_base
      FROM {sales_daily} GROUP BY day, currency) s
FULL OUTER JOIN (
    SELECT day, currency, sum(orders) AS orders, COALESCE(sum(grand_total), 0) AS grand_total,
           COALESCE(sum(grand_total_base), 0) AS grand_total_base, COALESCE(sum(refunded), 0) AS refunded,
           COALESCE(sum(refunded_base), 0) AS refunded_base
    FROM (SELECT CAST(COALESCE(order_date, created_at) AS DATE) AS day, currency, 1 AS orders, grand_total,
                 grand_total_base, CAST(NULL AS {money}) AS refunded, CAST(NULL AS {money}) AS refunded_base
          FROM {orders} WHERE deleted_at IS NULL AND centra_status NOT IN ({excluded_statuses})
          UNION ALL
          SELECT CAST(r.created_at AS DATE), o.currency, 0, NULL, NULL, r.refunded, r.refunded_base
          FROM {returns} r JOIN {orders} o ON o.id = r.order_id
          WHERE r.deleted_at IS NULL AND o.deleted_at IS NULL AND COALESCE(r.centra_status, '') <> 'CANCELLED') x
    GROUP BY day, currency
) t ON t.day = s.day AND t.currency = s.currency
WHERE s.orders IS DISTINCT FROM t.orders
   OR s.grand_total IS DISTINCT FROM t.grand_total OR s.grand_total_base IS DISTINCT FROM t.grand_total_base
   OR s.refunded IS DISTINCT FROM t.refunded OR s.refunded_base IS DISTINCT FROM t.refunded_base
ORDER BY 1, 2
