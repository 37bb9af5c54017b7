-- Identities whose customer_order_history row disagrees with the orders table: each sales order of a
-- customer counts in exactly one identity (its customer's; a customer not resolved yet is its own).
-- Empty = every order counted once, in the right identity.
SELECT COALESCE(h.identity_id, t.identity_id) AS identity_id, t.orders AS orders_in_orders,
       h.orders AS orders_in_history, t.gross_base AS gross_base_in_orders, h.gross_base AS gross_base_in_history
FROM {customer_order_history} h
FULL OUTER JOIN (
    SELECT COALESCE(i.identity_id, o.customer_id) AS identity_id, count(*) AS orders,
           COALESCE(sum(o.grand_total_base), 0) AS gross_base
    FROM {orders} o
    LEFT JOIN {customer_identities} i ON i.customer_id = o.customer_id AND i.deleted_at IS NULL
    WHERE o.customer_id IS NOT NULL AND o.deleted_at IS NULL AND o.centra_status NOT IN ({excluded_statuses})
    GROUP BY COALESCE(i.identity_id, o.customer_id)
) t ON t.identity_id = h.identity_id
WHERE h.orders IS DISTINCT FROM t.orders OR h.gross_base IS DISTINCT FROM t.gross_base
ORDER BY 1
