-- Sales orders of customers, and those whose customer has no identity row yet (counted as its own).
SELECT count(*) AS orders, count(DISTINCT o.customer_id) AS customers,
       count(*) - count(i.customer_id) AS orders_of_unresolved_customers
FROM {orders} o
LEFT JOIN {customer_identities} i ON i.customer_id = o.customer_id AND i.deleted_at IS NULL
WHERE o.customer_id IS NOT NULL AND o.deleted_at IS NULL AND o.centra_status NOT IN ({excluded_statuses})
