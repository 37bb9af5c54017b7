-- Recompute sales_daily for the days in `_touched` (sales_daily_changes.sql): orders by the UTC day
-- of their order date, returns and refunds by the UTC day the return was created, both grouped by
-- the order's market, currency and channel. Orders in {excluded_statuses} are not sales; cancelled
-- returns are not returns. net = grand total - refunded.
DELETE FROM {sales_daily} WHERE day IN (SELECT day FROM _touched);
DROP TABLE IF EXISTS _sales_orders;
CREATE TEMP TABLE _sales_orders AS
SELECT o.id, CAST(COALESCE(o.order_date, o.created_at) AS DATE) AS day, COALESCE(o.market_id, 0) AS market_id,
       o.currency, CASE WHEN o.order_type = 'WholesaleOrder' THEN 'wholesale' ELSE 'dtc' END AS channel,
       o.base_currency, o.lines_total, o.discounts,
       COALESCE(o.tax_included, 0) + COALESCE(o.tax_added, 0) AS tax,
       COALESCE(o.shipping, 0) + COALESCE(o.handling, 0) AS shipping, o.grand_total,
       o.lines_total_base, o.discounts_base,
       COALESCE(o.tax_included_base, 0) + COALESCE(o.tax_added_base, 0) AS tax_base,
       COALESCE(o.shipping_base, 0) + COALESCE(o.handling_base, 0) AS shipping_base, o.grand_total_base
FROM {orders} o
WHERE o.deleted_at IS NULL AND o.centra_status NOT IN ({excluded_statuses})
  AND CAST(COALESCE(o.order_date, o.created_at) AS DATE) IN (SELECT day FROM _touched);
ANALYZE _sales_orders;
INSERT INTO {sales_daily} (day, market_id, currency, channel, base_currency, orders, units, gross, discounts, tax,
                           shipping, grand_total, returns, returned_units, returned, refunded, net, gross_base,
                           discounts_base, tax_base, shipping_base, grand_total_base, returned_base, refunded_base,
                           net_base, synced_at)
SELECT day, market_id, currency, channel, max(base_currency), sum(orders), sum(units),
       COALESCE(sum(gross), 0), COALESCE(sum(discounts), 0), COALESCE(sum(tax), 0), COALESCE(sum(shipping), 0),
       COALESCE(sum(grand_total), 0), sum(returns), sum(returned_units), COALESCE(sum(returned), 0),
       COALESCE(sum(refunded), 0), COALESCE(sum(grand_total), 0) - COALESCE(sum(refunded), 0),
       COALESCE(sum(gross_base), 0), COALESCE(sum(discounts_base), 0), COALESCE(sum(tax_base), 0),
       COALESCE(sum(shipping_base), 0), COALESCE(sum(grand_total_base), 0), COALESCE(sum(returned_base), 0),
       COALESCE(sum(refunded_base), 0), COALESCE(sum(grand_total_base), 0) - COALESCE(sum(refunded_base), 0),
       now()
FROM (
    SELECT s.day, s.market_id, s.currency, s.channel, s.base_currency, 1 AS orders, COALESCE(u.units, 0) AS units,
           s.lines_total AS gross, s.discounts, s.tax, s.shipping, s.grand_total,
           0 AS returns, 0 AS returned_units, CAST(NULL AS {money}) AS returned, CAST(NULL AS {money}) AS refunded,
           s.lines_total_base AS gross_base, s.discounts_base, s.tax_base, s.shipping_base, s.grand_total_base,
           CAST(NULL AS {money}) AS returned_base, CAST(NULL AS {money}) AS refunded_base
    FROM _sales_orders s
    LEFT JOIN (SELECT l.order_id, sum(l.quantity - COALESCE(l.cancelled_quantity, 0)) AS units
               FROM {order_lines} l JOIN _sales_orders so ON so.id = l.order_id
               WHERE l.deleted_at IS NULL GROUP BY l.order_id) u ON u.order_id = s.id
    UNION ALL
    SELECT CAST(r.created_at AS DATE), COALESCE(o.market_id, 0), o.currency,
           CASE WHEN o.order_type = 'WholesaleOrder' THEN 'wholesale' ELSE 'dtc' END, o.base_currency, 0, 0,
           NULL, NULL, NULL, NULL, NULL, 1, COALESCE(r.total_quantity, 0), r.grand_total, r.refunded,
           NULL, NULL, NULL, NULL, NULL, r.grand_total_base, r.refunded_base
    FROM {returns} r JOIN {orders} o ON o.id = r.order_id
    WHERE r.deleted_at IS NULL AND o.deleted_at IS NULL AND COALESCE(r.centra_status, '') <> 'CANCELLED'
      AND CAST(r.created_at AS DATE) IN (SELECT day FROM _touched)
) x
GROUP BY day, market_id, currency, channel;
DROP TABLE _sales_orders;
