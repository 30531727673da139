-- Sells :tickets tickets of one event as paid orders of 100 tickets each, the way checkout
-- records them (orders, order lines, attendees, tickets, counters), in one transaction.
-- Used by `scripts/bench pages`; psql variables: event_id, tickets.
BEGIN;
CREATE TEMP TABLE bench_tier ON COMMIT DROP AS
SELECT t.id, t.name, t.price_cents, e.organization_id, s.currency
  FROM ticket_tiers t JOIN events e ON e.id = t.event_id JOIN event_settings s ON s.event_id = e.id
 WHERE t.event_id = :'event_id' AND t.is_active
 ORDER BY t.sort_order, t.id LIMIT 1;

-- Room for them (the trigger mirrors the event's capacity into its counter row).
UPDATE events SET capacity = capacity + :tickets WHERE id = :'event_id';
UPDATE ticket_tiers SET capacity = capacity + :tickets WHERE id = (SELECT id FROM bench_tier);

CREATE TEMP TABLE bench_orders ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, g AS n FROM generate_series(1, :tickets / 100) g;

INSERT INTO orders (id, order_number, access_token, event_id, organization_id, buyer_name, buyer_email, currency,
                    subtotal_cents, total_cents, status, payment_provider, paid_at)
SELECT o.id, 'ORD-20260101-' || lpad(upper(to_hex(o.n)), 8, '0'), md5('order' || o.n) || md5('token' || o.n),
       :'event_id', t.organization_id, 'Bench Buyer', 'bench' || o.n || '@example.com', t.currency,
       t.price_cents * 100, t.price_cents * 100, 'paid', 'offline', now()
  FROM bench_orders o, bench_tier t;

INSERT INTO order_items (order_id, tier_id, tier_name, unit_price_cents, quantity)
SELECT o.id, t.id, t.name, t.price_cents, 100 FROM bench_orders o, bench_tier t;

CREATE TEMP TABLE bench_attendees ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, o.id AS order_id, (o.n - 1) * 100 + k AS n, k AS position
  FROM bench_orders o, generate_series(1, 100) k;

INSERT INTO attendees (id, order_id, event_id, full_name, email, position)
SELECT a.id, a.order_id, :'event_id', 'Guest ' || a.n, 'guest' || a.n || '@example.com', a.position
  FROM bench_attendees a;

INSERT INTO tickets (event_id, tier_id, status, order_id, attendee_id, ticket_number, qr_secret, price_cents, access_token)
SELECT :'event_id', t.id, 'active', a.order_id, a.id, 'TKT-' || lpad(upper(to_hex(a.n)), 8, '0') || '-260101',
       md5('qr' || a.n) || md5('secret' || a.n), t.price_cents, md5('ticket' || a.n) || md5('link' || a.n)
  FROM bench_attendees a, bench_tier t;

UPDATE ticket_tiers SET taken = taken + :tickets WHERE id = (SELECT id FROM bench_tier);
UPDATE event_inventory SET taken = taken + :tickets WHERE event_id = :'event_id';
COMMIT;
ANALYZE;
