-- Recompute customer_order_history for the identities in `_touched`: every sales order of the
-- identity's customers (not in {excluded_statuses}), its units, returns and refunds. Revenue is in
-- the base currency: gross = grand totals, net = gross - refunded; returns_rate = returned units /
-- units. The favourite category has the most units bought (ties: the lowest category id); a
-- product's category is the canonical category of its displays (the lowest id if they differ).
-- An identity left with no orders loses its row.
DELETE FROM {customer_order_history} WHERE identity_id IN (SELECT identity_id FROM _touched);
DROP TABLE IF EXISTS _history_orders;
CREATE TEMP TABLE _history_orders AS
SELECT COALESCE(i.identity_id, o.customer_id) AS identity_id, o.id, o.customer_id, o.market_id,
       COALESCE(o.order_date, o.created_at) AS order_at, o.base_currency, o.grand_total_base
FROM {orders} o
LEFT JOIN _identity_of i ON i.customer_id = o.customer_id
WHERE o.customer_id IS NOT NULL AND o.deleted_at IS NULL AND o.centra_status NOT IN ({excluded_statuses})
  AND COALESCE(i.identity_id, o.customer_id) IN (SELECT identity_id FROM _touched);
ANALYZE _history_orders;
INSERT INTO {customer_order_history} (identity_id, customers, first_order_at, last_order_at, orders, units,
                                      returned_units, returns_rate, base_currency, gross_base, refunded_base,
                                      net_base, market_count, markets, favourite_category_id,
                                      favourite_category, synced_at)
SELECT h.identity_id, h.customers, h.first_order_at, h.last_order_at, h.orders, COALESCE(u.units, 0),
       COALESCE(r.returned_units, 0),
       CASE WHEN COALESCE(u.units, 0) > 0 THEN CAST(COALESCE(r.returned_units, 0) AS {double}) / u.units END,
       h.base_currency, h.gross_base, COALESCE(r.refunded_base, 0), h.gross_base - COALESCE(r.refunded_base, 0),
       COALESCE(mk.market_count, 0), mk.markets, fc.category_id, fc.category_name, now()
FROM (SELECT identity_id, count(DISTINCT customer_id) AS customers, min(order_at) AS first_order_at,
             max(order_at) AS last_order_at, count(*) AS orders, max(base_currency) AS base_currency,
             COALESCE(sum(grand_total_base), 0) AS gross_base
      FROM _history_orders GROUP BY identity_id) h
LEFT JOIN (SELECT ho.identity_id, sum(l.quantity - COALESCE(l.cancelled_quantity, 0)) AS units
           FROM {order_lines} l JOIN _history_orders ho ON ho.id = l.order_id
           WHERE l.deleted_at IS NULL GROUP BY ho.identity_id) u ON u.identity_id = h.identity_id
LEFT JOIN (SELECT ho.identity_id, sum(COALESCE(rt.total_quantity, 0)) AS returned_units,
                  sum(rt.refunded_base) AS refunded_base
           FROM {returns} rt JOIN _history_orders ho ON ho.id = rt.order_id
           WHERE rt.deleted_at IS NULL AND COALESCE(rt.centra_status, '') <> 'CANCELLED'
           GROUP BY ho.identity_id) r ON r.identity_id = h.identity_id
LEFT JOIN (SELECT identity_id, count(*) AS market_count,
                  string_agg(CAST(market_id AS VARCHAR), ',' ORDER BY market_id) AS markets
           FROM (SELECT DISTINCT identity_id, market_id FROM _history_orders WHERE market_id IS NOT NULL) d
           GROUP BY identity_id) mk ON mk.identity_id = h.identity_id
LEFT JOIN (SELECT ranked.identity_id, ranked.category_id, names.category_name
           FROM (SELECT ho.identity_id, pc.category_id,
                        ROW_NUMBER() OVER (PARTITION BY ho.identity_id
                                           ORDER BY sum(l.quantity - COALESCE(l.cancelled_quantity, 0)) DESC,
                                                    pc.category_id) AS place
                 FROM {order_lines} l
                 JOIN _history_orders ho ON ho.id = l.order_id
                 JOIN (SELECT product_id, min(category_id) AS category_id FROM {displays}
                       WHERE deleted_at IS NULL AND category_id IS NOT NULL GROUP BY product_id) pc
                   ON pc.product_id = l.product_id
                 WHERE l.deleted_at IS NULL
                 GROUP BY ho.identity_id, pc.category_id) ranked
           JOIN (SELECT category_id, max(category_name) AS category_name FROM {displays}
                 WHERE deleted_at IS NULL AND category_id IS NOT NULL GROUP BY category_id) names
             ON names.category_id = ranked.category_id
           WHERE ranked.place = 1) fc ON fc.identity_id = h.identity_id;
DROP TABLE _history_orders;
DROP TABLE _identity_of;
