-- Every operator key's user, and how much money each created. Returns: id, name, created_at, deposits,
-- deposited (sum of amounts, any currency). Lock: none.
SELECT u.id, u.name, u.created_at,
       (SELECT count(*)::int FROM deposits d WHERE d.made_by = u.id) AS deposits,
       (SELECT coalesce(sum(d.amount), 0)::bigint FROM deposits d WHERE d.made_by = u.id) AS deposited
  FROM users u
 WHERE u.role = 'operator'
 ORDER BY u.created_at
