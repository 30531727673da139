-- The organizer dashboard's data: sales rollups per event, tier and local day kept by the
-- transaction that changes what they summarise, page views counted per event per hour, an
-- audit trail of who changed what, and in-app notifications.

-- A paid order counts on its event's local day, fixed when it is paid (and recomputed when
-- the event's time zone changes). Its tickets carry the same day, so each rollup below is
-- kept from the changes of one table alone.
ALTER TABLE orders ADD COLUMN sale_day date;
ALTER TABLE tickets ADD COLUMN sale_day date;
-- Paid tickets (active or used) of the event: the milestones read it.
ALTER TABLE event_inventory ADD COLUMN sold integer NOT NULL DEFAULT 0;

CREATE FUNCTION event_timezone(p_event uuid) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT s.timezone FROM event_settings s WHERE s.event_id = p_event), 'America/Toronto')
$$;

UPDATE orders SET sale_day = (paid_at AT TIME ZONE event_timezone(event_id))::date WHERE paid_at IS NOT NULL;
UPDATE tickets k SET sale_day = o.sale_day FROM orders o WHERE o.id = k.order_id AND o.sale_day IS NOT NULL;

CREATE FUNCTION order_sale_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.paid_at IS NULL THEN
        NEW.sale_day := NULL;
    ELSIF TG_OP = 'INSERT' OR NEW.sale_day IS NULL OR NEW.paid_at IS DISTINCT FROM OLD.paid_at THEN
        NEW.sale_day := (NEW.paid_at AT TIME ZONE event_timezone(NEW.event_id))::date;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER orders_sale_day BEFORE INSERT OR UPDATE OF paid_at, sale_day ON orders
    FOR EACH ROW EXECUTE FUNCTION order_sale_day();

CREATE FUNCTION ticket_sale_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.sale_day := (SELECT sale_day FROM orders WHERE id = NEW.order_id);
    RETURN NEW;
END
$$;
CREATE TRIGGER tickets_sale_day BEFORE INSERT ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticket_sale_day();

-- An order's change reaches its tickets: phones refetch them (door_xid), and they take the
-- order's sale day.
CREATE OR REPLACE FUNCTION touch_order_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets SET door_xid = pg_current_xact_id(), sale_day = NEW.sale_day WHERE order_id = NEW.id;
    RETURN NULL;
END
$$;
DROP TRIGGER orders_touch_door ON orders;
-- paid_at too: the day a BEFORE trigger derives from it is not in the statement's SET list.
CREATE TRIGGER orders_touch_door AFTER UPDATE OF status, refunded_cents, total_cents, paid_at, sale_day ON orders
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR OLD.refunded_cents IS DISTINCT FROM NEW.refunded_cents
          OR OLD.total_cents IS DISTINCT FROM NEW.total_cents
          OR OLD.sale_day IS DISTINCT FROM NEW.sale_day)
    EXECUTE FUNCTION touch_order_tickets();

-- Paid tickets per event, tier and sale day: count and the prices paid.
CREATE TABLE tier_sales_daily (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    tier_id         uuid NOT NULL REFERENCES ticket_tiers (id) ON DELETE CASCADE,
    day             date NOT NULL,
    tickets         integer NOT NULL DEFAULT 0,
    ticket_cents    bigint NOT NULL DEFAULT 0,
    CONSTRAINT tier_sales_daily_pkey PRIMARY KEY (event_id, tier_id, day)
);
CREATE INDEX tier_sales_daily_organization_day_idx ON tier_sales_daily (organization_id, day);

-- Paid orders per event, sale day and currency: how many, what they came to and what has
-- been refunded of them since.
CREATE TABLE order_sales_daily (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    day             date NOT NULL,
    currency        text NOT NULL,
    orders          integer NOT NULL DEFAULT 0,
    gross_cents     bigint NOT NULL DEFAULT 0,
    refunded_cents  bigint NOT NULL DEFAULT 0,
    CONSTRAINT order_sales_daily_pkey PRIMARY KEY (event_id, day, currency)
);
CREATE INDEX order_sales_daily_organization_day_idx ON order_sales_daily (organization_id, day);

-- Each sales figure is reached once per event: the notification goes out the first time.
CREATE TABLE event_milestones (
    event_id   uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    reached_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_milestones_pkey PRIMARY KEY (event_id, kind)
);

CREATE TABLE notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    event_id        uuid REFERENCES events (id) ON DELETE CASCADE,
    order_id        uuid REFERENCES orders (id) ON DELETE CASCADE,
    -- Who or what, in words, when the kind needs it (the person who joined).
    detail          text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    read_at         timestamptz,
    CONSTRAINT notifications_kind_known CHECK (kind IN ('first_sale', 'half_sold', 'ninety_sold', 'sold_out',
                                                        'order_flagged', 'invitation_accepted'))
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- Tells the organization's owners and admins (but not the person who caused it).
CREATE FUNCTION notify_organizers(p_organization uuid, p_kind text, p_event uuid, p_order uuid, p_detail text,
                                  p_except uuid) RETURNS void LANGUAGE sql AS $$
    INSERT INTO notifications (user_id, organization_id, kind, event_id, order_id, detail)
    SELECT m.user_id, p_organization, p_kind, p_event, p_order, p_detail
      FROM organization_members m
     WHERE m.organization_id = p_organization AND m.role IN ('owner', 'admin')
       AND m.user_id IS DISTINCT FROM p_except
$$;

CREATE FUNCTION reach_milestone(p_event uuid, p_kind text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_milestones (event_id, kind) VALUES (p_event, p_kind) ON CONFLICT DO NOTHING;
    IF FOUND THEN
        PERFORM notify_organizers((SELECT e.organization_id FROM events e WHERE e.id = p_event), p_kind, p_event,
                                  NULL, '', NULL);
    END IF;
END
$$;

-- Adds paid tickets to the rollups. The event's inventory row is locked first, as every
-- sale does, so two transactions never take rollup rows in opposite orders.
CREATE FUNCTION add_ticket_sales(p_organization uuid, p_event uuid, p_tier uuid, p_day date,
                                 p_tickets integer, p_cents bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    now_sold integer;
    was_sold integer;
    can_sell integer;
BEGIN
    UPDATE event_inventory i SET sold = i.sold + p_tickets WHERE i.event_id = p_event
    RETURNING i.sold, i.capacity INTO now_sold, can_sell;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO tier_sales_daily AS t (organization_id, event_id, tier_id, day, tickets, ticket_cents)
    VALUES (p_organization, p_event, p_tier, p_day, p_tickets, p_cents)
    ON CONFLICT ON CONSTRAINT tier_sales_daily_pkey
    DO UPDATE SET tickets = t.tickets + EXCLUDED.tickets, ticket_cents = t.ticket_cents + EXCLUDED.ticket_cents;
    IF p_tickets <= 0 THEN
        RETURN;
    END IF;
    was_sold := now_sold - p_tickets;
    -- What can be sold: the event's cap, or less when its tiers offer less.
    can_sell := least(can_sell, (SELECT coalesce(sum(r.capacity), 0) FROM ticket_tiers r
                                  WHERE r.event_id = p_event AND r.is_active));
    IF was_sold < 1 AND now_sold >= 1 THEN
        PERFORM reach_milestone(p_event, 'first_sale');
    END IF;
    IF can_sell > 0 THEN
        IF was_sold * 2 < can_sell AND now_sold * 2 >= can_sell THEN
            PERFORM reach_milestone(p_event, 'half_sold');
        END IF;
        IF was_sold * 10 < can_sell * 9 AND now_sold * 10 >= can_sell * 9 THEN
            PERFORM reach_milestone(p_event, 'ninety_sold');
        END IF;
        IF was_sold < can_sell AND now_sold >= can_sell THEN
            PERFORM reach_milestone(p_event, 'sold_out');
        END IF;
    END IF;
END
$$;

CREATE FUNCTION roll_up_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    organization uuid := (SELECT e.organization_id FROM events e WHERE e.id = NEW.event_id);
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.sale_day IS NOT NULL AND OLD.status IN ('active', 'used') THEN
            PERFORM add_ticket_sales(organization, OLD.event_id, OLD.tier_id, OLD.sale_day, -1, -OLD.price_cents);
        END IF;
    END IF;
    IF NEW.sale_day IS NOT NULL AND NEW.status IN ('active', 'used') THEN
        PERFORM add_ticket_sales(organization, NEW.event_id, NEW.tier_id, NEW.sale_day, 1, NEW.price_cents);
    END IF;
    RETURN NULL;
END
$$;
-- Deferred to the commit, after every other lock the transaction takes. A door scan (active
-- to used) changes nothing here and does not fire it.
CREATE CONSTRAINT TRIGGER tickets_roll_up_insert AFTER INSERT ON tickets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.sale_day IS NOT NULL AND NEW.status IN ('active', 'used'))
    EXECUTE FUNCTION roll_up_ticket();
CREATE CONSTRAINT TRIGGER tickets_roll_up_update AFTER UPDATE ON tickets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD.sale_day IS NOT NULL AND OLD.status IN ('active', 'used'))
              IS DISTINCT FROM (NEW.sale_day IS NOT NULL AND NEW.status IN ('active', 'used'))
          OR (NEW.sale_day IS NOT NULL AND NEW.status IN ('active', 'used')
              AND (OLD.sale_day IS DISTINCT FROM NEW.sale_day OR OLD.tier_id <> NEW.tier_id
                   OR OLD.price_cents <> NEW.price_cents OR OLD.event_id <> NEW.event_id)))
    EXECUTE FUNCTION roll_up_ticket();

CREATE FUNCTION add_order_sales(p_organization uuid, p_event uuid, p_day date, p_currency text, p_orders integer,
                                p_gross bigint, p_refunded bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM event_inventory i WHERE i.event_id = p_event FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO order_sales_daily AS d (organization_id, event_id, day, currency, orders, gross_cents, refunded_cents)
    VALUES (p_organization, p_event, p_day, p_currency, p_orders, p_gross, p_refunded)
    ON CONFLICT ON CONSTRAINT order_sales_daily_pkey
    DO UPDATE SET orders = d.orders + EXCLUDED.orders, gross_cents = d.gross_cents + EXCLUDED.gross_cents,
                  refunded_cents = d.refunded_cents + EXCLUDED.refunded_cents;
END
$$;

CREATE FUNCTION roll_up_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.sale_day IS NOT NULL THEN
            PERFORM add_order_sales(OLD.organization_id, OLD.event_id, OLD.sale_day, OLD.currency, -1,
                                    -OLD.total_cents, -OLD.refunded_cents);
        END IF;
    END IF;
    IF NEW.sale_day IS NOT NULL THEN
        PERFORM add_order_sales(NEW.organization_id, NEW.event_id, NEW.sale_day, NEW.currency, 1,
                                NEW.total_cents, NEW.refunded_cents);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER orders_roll_up_insert AFTER INSERT ON orders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.sale_day IS NOT NULL)
    EXECUTE FUNCTION roll_up_order();
CREATE CONSTRAINT TRIGGER orders_roll_up_update AFTER UPDATE ON orders
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.sale_day IS DISTINCT FROM NEW.sale_day OR OLD.total_cents <> NEW.total_cents
          OR OLD.refunded_cents <> NEW.refunded_cents OR OLD.currency <> NEW.currency)
    EXECUTE FUNCTION roll_up_order();

INSERT INTO tier_sales_daily (organization_id, event_id, tier_id, day, tickets, ticket_cents)
SELECT e.organization_id, k.event_id, k.tier_id, k.sale_day, count(*), sum(k.price_cents)
  FROM tickets k JOIN events e ON e.id = k.event_id
 WHERE k.sale_day IS NOT NULL AND k.status IN ('active', 'used')
 GROUP BY e.organization_id, k.event_id, k.tier_id, k.sale_day;
INSERT INTO order_sales_daily (organization_id, event_id, day, currency, orders, gross_cents, refunded_cents)
SELECT organization_id, event_id, sale_day, currency, count(*), sum(total_cents), sum(refunded_cents)
  FROM orders WHERE sale_day IS NOT NULL
 GROUP BY organization_id, event_id, sale_day, currency;
UPDATE event_inventory i
   SET sold = (SELECT count(*) FROM tickets k
                WHERE k.event_id = i.event_id AND k.sale_day IS NOT NULL AND k.status IN ('active', 'used'));
-- Events that sold before notifications existed do not announce it now.
INSERT INTO event_milestones (event_id, kind) SELECT event_id, 'first_sale' FROM event_inventory WHERE sold > 0;

-- An order that needs the organizer, and a person who joined the team.
CREATE FUNCTION notify_flagged_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_organizers(NEW.organization_id, 'order_flagged', NEW.event_id, NEW.id, NEW.order_number, NULL);
    RETURN NULL;
END
$$;
CREATE TRIGGER orders_notify_flagged_insert AFTER INSERT ON orders
    FOR EACH ROW WHEN (NEW.attention IS NOT NULL) EXECUTE FUNCTION notify_flagged_order();
CREATE TRIGGER orders_notify_flagged_update AFTER UPDATE OF attention ON orders
    FOR EACH ROW WHEN (OLD.attention IS NULL AND NEW.attention IS NOT NULL) EXECUTE FUNCTION notify_flagged_order();

CREATE FUNCTION notify_invitation_accepted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_organizers(NEW.organization_id, 'invitation_accepted', NEW.event_id, NULL,
                              coalesce((SELECT full_name FROM users WHERE id = NEW.accepted_by), NEW.email),
                              NEW.accepted_by);
    RETURN NULL;
END
$$;
CREATE TRIGGER invitations_notify_accepted AFTER UPDATE OF accepted_at ON invitations
    FOR EACH ROW WHEN (OLD.accepted_at IS NULL AND NEW.accepted_at IS NOT NULL)
    EXECUTE FUNCTION notify_invitation_accepted();

-- Event page views and checkout page openings per event per hour, written in batches by the
-- server (never one write per view).
CREATE TABLE page_views (
    event_id  uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    hour      timestamptz NOT NULL,
    views     integer NOT NULL DEFAULT 0,
    checkouts integer NOT NULL DEFAULT 0,
    CONSTRAINT page_views_pkey PRIMARY KEY (event_id, hour),
    CONSTRAINT page_views_on_the_hour CHECK (date_trunc('hour', hour) = hour),
    CONSTRAINT page_views_counts CHECK (views >= 0 AND checkouts >= 0)
);

-- Who changed what. Written by triggers in the transaction of each change; the person is the
-- one the application names with `SET LOCAL eventos.actor` (none: EventOS itself, e.g. a
-- payment provider's webhook or an expired hold).
CREATE TABLE audit_logs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- Kept when a draft event is deleted: the entry still says who deleted it.
    event_id        uuid REFERENCES events (id) ON DELETE SET NULL,
    actor_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    subject         text NOT NULL,
    subject_id      text NOT NULL,
    -- The subject's name when it was changed (a tier's name, an order's number).
    label           text NOT NULL DEFAULT '',
    action          text NOT NULL,
    before          jsonb NOT NULL DEFAULT '{}',
    after           jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_logs_action_known CHECK (action IN ('insert', 'update', 'delete'))
);
CREATE INDEX audit_logs_event_idx ON audit_logs (event_id, id DESC);
CREATE INDEX audit_logs_organization_idx ON audit_logs (organization_id, id DESC);

-- Arguments: the subject's name, its id column, its label column, then the audited columns.
-- An update that changes none of them writes nothing.
CREATE FUNCTION audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    subject_row jsonb := coalesce(to_jsonb(NEW), to_jsonb(OLD));
    before jsonb := '{}';
    after jsonb := '{}';
    column_name text;
    event uuid;
    organization uuid;
BEGIN
    FOR i IN 3 .. TG_NARGS - 1 LOOP
        column_name := TG_ARGV[i];
        IF TG_OP <> 'UPDATE' OR old_row -> column_name IS DISTINCT FROM new_row -> column_name THEN
            IF old_row IS NOT NULL THEN
                before := before || jsonb_build_object(column_name, old_row -> column_name);
            END IF;
            IF new_row IS NOT NULL THEN
                after := after || jsonb_build_object(column_name, new_row -> column_name);
            END IF;
        END IF;
    END LOOP;
    IF TG_OP = 'UPDATE' AND before = '{}' THEN
        RETURN NULL;
    END IF;
    event := CASE WHEN TG_TABLE_NAME = 'events' THEN (subject_row ->> 'id')::uuid
                  ELSE (subject_row ->> 'event_id')::uuid END;
    organization := coalesce((subject_row ->> 'organization_id')::uuid,
                             (SELECT e.organization_id FROM events e WHERE e.id = event));
    -- A deleted event's tiers and lists go with it; the event's own entry says so.
    IF organization IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'events' AND TG_OP = 'DELETE' THEN
        event := NULL;
    END IF;
    INSERT INTO audit_logs (organization_id, event_id, actor_id, subject, subject_id, label, action, before, after)
    VALUES (organization, event, nullif(current_setting('eventos.actor', true), '')::uuid, TG_ARGV[0],
            subject_row ->> TG_ARGV[1], coalesce(subject_row ->> TG_ARGV[2], ''), lower(TG_OP), before, after);
    RETURN NULL;
END
$$;

CREATE TRIGGER events_audit AFTER INSERT OR UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION audit_change('event', 'id', 'name', 'name', 'status', 'start_at', 'end_at',
                                               'capacity', 'venue_id', 'visibility', 'slug', 'event_type');
CREATE TRIGGER event_settings_audit AFTER UPDATE ON event_settings
    FOR EACH ROW EXECUTE FUNCTION audit_change('event_settings', 'event_id', 'none', 'currency', 'timezone',
                                               'allow_registrations', 'offline_payments', 'offline_payment_days');
CREATE TRIGGER ticket_tiers_audit AFTER INSERT OR UPDATE OR DELETE ON ticket_tiers
    FOR EACH ROW EXECUTE FUNCTION audit_change('tier', 'id', 'name', 'name', 'price_cents', 'capacity',
                                               'is_active', 'sales_start_at', 'sales_end_at',
                                               'min_per_order', 'max_per_order');
CREATE TRIGGER promo_codes_audit AFTER INSERT OR UPDATE OR DELETE ON promo_codes
    FOR EACH ROW EXECUTE FUNCTION audit_change('promo_code', 'id', 'code', 'code', 'discount_kind',
                                               'discount_value', 'max_uses', 'is_active', 'valid_from',
                                               'valid_until');
CREATE TRIGGER checkin_lists_audit AFTER INSERT OR UPDATE OR DELETE ON checkin_lists
    FOR EACH ROW EXECUTE FUNCTION audit_change('checkin_list', 'id', 'name', 'name', 'opens_at', 'closes_at',
                                               'all_tiers');
CREATE TRIGGER event_staff_audit AFTER INSERT OR DELETE ON event_staff
    FOR EACH ROW EXECUTE FUNCTION audit_change('event_staff', 'user_id', 'user_id', 'user_id');
CREATE TRIGGER organization_members_audit AFTER INSERT OR UPDATE OR DELETE ON organization_members
    FOR EACH ROW EXECUTE FUNCTION audit_change('member', 'user_id', 'user_id', 'role');
CREATE TRIGGER invitations_audit AFTER INSERT OR UPDATE ON invitations
    FOR EACH ROW EXECUTE FUNCTION audit_change('invitation', 'id', 'email', 'email', 'role', 'accepted_at',
                                               'revoked_at');
-- Orders: refunds, cancellations and payments a person recorded; not every sale.
CREATE TRIGGER orders_audit AFTER UPDATE OF status, refunded_cents ON orders
    FOR EACH ROW
    WHEN (OLD.refunded_cents <> NEW.refunded_cents
          OR (OLD.status <> NEW.status AND NEW.status IN ('cancelled', 'refunded'))
          OR (OLD.status <> NEW.status AND coalesce(current_setting('eventos.actor', true), '') <> ''))
    EXECUTE FUNCTION audit_change('order', 'id', 'order_number', 'status', 'refunded_cents');

-- What the overview asks of orders: the unpaid ones by deadline and the flagged ones.
CREATE INDEX orders_pending_deadline_idx ON orders (organization_id, expires_at) WHERE status = 'pending';
CREATE INDEX orders_attention_idx ON orders (organization_id, updated_at DESC) WHERE attention IS NOT NULL;
