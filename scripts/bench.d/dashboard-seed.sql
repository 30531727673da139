-- A benchmark organization's year of sales, recorded the way checkout records them (orders,
-- order lines, attendees, tickets, counters; the rollups follow from their triggers): over
-- the events named 'Benchmark …' of the organization in the setting bench.organization,
-- 60,000 paid orders holding 100,000 tickets, paid over the last year, 1,000,000 event page
-- views by the hour, and check-ins at every fourth event. Deterministic but for the
-- generated ids. Used by `eventos bench dashboard`.
BEGIN;
CREATE TEMP TABLE bench_events ON COMMIT DROP AS
SELECT e.id AS event_id, e.organization_id, s.currency, row_number() OVER (ORDER BY e.start_at, e.id) - 1 AS n
  FROM events e JOIN event_settings s ON s.event_id = e.id
 WHERE e.organization_id = current_setting('bench.organization')::uuid AND e.name LIKE 'Benchmark %';

CREATE TEMP TABLE bench_tiers ON COMMIT DROP AS
SELECT t.id AS tier_id, t.event_id, t.name, t.price_cents,
       row_number() OVER (PARTITION BY t.event_id ORDER BY t.sort_order, t.id) - 1 AS k
  FROM ticket_tiers t JOIN bench_events b ON b.event_id = t.event_id;

-- Order g: of event g mod 200, tier g mod 3; every third order holds one ticket, the others
-- two (20,000 + 2 × 40,000 = 100,000 tickets); paid g mod 365 days and g mod 24 hours ago.
CREATE TEMP TABLE bench_orders ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, g, b.event_id, b.organization_id, b.currency, t.tier_id, t.name AS tier_name,
       t.price_cents, CASE WHEN g % 3 = 0 THEN 1 ELSE 2 END AS quantity,
       now() - make_interval(days => g % 365, hours => g % 24) AS paid_at
  FROM generate_series(0, 59999) g
  JOIN bench_events b ON b.n = g % (SELECT count(*) FROM bench_events)
  JOIN bench_tiers t ON t.event_id = b.event_id AND t.k = g % 3;

INSERT INTO orders (id, order_number, access_token, event_id, organization_id, buyer_name, buyer_email, currency,
                    subtotal_cents, total_cents, status, payment_provider, paid_at, created_at)
SELECT o.id, 'ORD-20250101-' || lpad(upper(to_hex(o.g)), 8, '0'), md5('order' || o.g) || md5('token' || o.g),
       o.event_id, o.organization_id, 'Buyer ' || o.g, 'buyer' || o.g || '@example.com', o.currency,
       o.price_cents * o.quantity, o.price_cents * o.quantity, 'paid', 'offline', o.paid_at, o.paid_at
  FROM bench_orders o;

INSERT INTO order_items (order_id, tier_id, tier_name, unit_price_cents, quantity)
SELECT o.id, o.tier_id, o.tier_name, o.price_cents, o.quantity FROM bench_orders o;

CREATE TEMP TABLE bench_attendees ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, o.id AS order_id, o.event_id, o.tier_id, o.price_cents, o.g * 2 + k AS n, k + 1 AS position
  FROM bench_orders o, generate_series(0, 1) k
 WHERE k < o.quantity;

INSERT INTO attendees (id, order_id, event_id, full_name, email, position)
SELECT a.id, a.order_id, a.event_id, 'Guest ' || a.n, 'guest' || a.n || '@example.com', a.position
  FROM bench_attendees a;

INSERT INTO tickets (event_id, tier_id, status, order_id, attendee_id, ticket_number, qr_secret, price_cents, access_token)
SELECT a.event_id, a.tier_id, 'active', a.order_id, a.id, 'TKT-' || lpad(upper(to_hex(a.n)), 8, '0') || '-250101',
       md5('qr' || a.n) || md5('secret' || a.n), a.price_cents, md5('ticket' || a.n) || md5('link' || a.n)
  FROM bench_attendees a;

-- Every fourth event has happened: half its orders' tickets were admitted at its default
-- list, each with its scan.
CREATE TEMP TABLE bench_admitted ON COMMIT DROP AS
SELECT a.id AS attendee_id, a.event_id, a.tier_id, l.id AS list_id, o.paid_at + interval '1 day' AS at
  FROM bench_attendees a
  JOIN bench_orders o ON o.id = a.order_id AND o.g % 2 = 0
  JOIN bench_events b ON b.event_id = a.event_id AND b.n % 4 = 0
  JOIN checkin_lists l ON l.event_id = a.event_id AND l.is_default;

UPDATE tickets k SET status = 'used', checked_in_at = a.at FROM bench_admitted a WHERE k.attendee_id = a.attendee_id;
INSERT INTO checkins (list_id, event_id, ticket_id, tier_id, device, admitted_at)
SELECT a.list_id, a.event_id, k.id, a.tier_id, 'Door 1', a.at
  FROM bench_admitted a JOIN tickets k ON k.attendee_id = a.attendee_id;
INSERT INTO checkin_scans (event_id, list_id, ticket_id, device, outcome, client_nonce, server_time)
SELECT a.event_id, a.list_id, k.id, 'Door 1', 'admitted', gen_random_uuid(), a.at
  FROM bench_admitted a JOIN tickets k ON k.attendee_id = a.attendee_id;

UPDATE ticket_tiers t SET taken = t.taken + c.tickets
  FROM (SELECT tier_id, count(*) AS tickets FROM bench_attendees GROUP BY tier_id) c
 WHERE t.id = c.tier_id;
UPDATE event_inventory i SET taken = i.taken + c.tickets
  FROM (SELECT event_id, count(*) AS tickets FROM bench_attendees GROUP BY event_id) c
 WHERE i.event_id = c.event_id;

-- 2,500 hours of each event, three hours apart over the last year, two views each.
INSERT INTO page_views (event_id, hour, views, checkouts)
SELECT b.event_id, date_trunc('hour', now()) - make_interval(hours => (h * 3 + b.n % 3)::int), 2, (h % 5 = 0)::int
  FROM bench_events b, generate_series(0, 2499) h;
COMMIT;
ANALYZE;
