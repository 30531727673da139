-- Checkout: capacity counters, promo codes, orders, attendees, tickets, the e-mail outbox,
-- payment webhook receipts and rate limits.

-- ----- Capacity -----
-- `taken` counts tickets that are held or sold (reserved, active, used). It moves only
-- through a conditional UPDATE in the order's transaction, and the CHECK makes overselling
-- impossible even for code that forgets the rule. Statistics shown to people are still
-- computed from ticket rows (tier_stats below).
ALTER TABLE ticket_tiers ADD COLUMN taken integer NOT NULL DEFAULT 0;
ALTER TABLE ticket_tiers ADD CONSTRAINT ticket_tiers_taken_within_capacity CHECK (taken >= 0 AND taken <= capacity);
-- A sale is not an edit of the tier.
DROP TRIGGER ticket_tiers_set_updated_at ON ticket_tiers;
CREATE TRIGGER ticket_tiers_set_updated_at BEFORE UPDATE ON ticket_tiers
    FOR EACH ROW WHEN (OLD.taken IS NOT DISTINCT FROM NEW.taken) EXECUTE FUNCTION set_updated_at();

-- The event-wide counter lives beside the event, not in it: the events row is wide and
-- recomputes its search vector on every update, which a hot counter must not pay for.
-- Its capacity mirrors events.capacity through the trigger below, so lowering an event's
-- capacity under what is taken fails on the CHECK.
CREATE TABLE event_inventory (
    event_id uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    capacity integer NOT NULL,
    taken    integer NOT NULL DEFAULT 0,
    CONSTRAINT event_inventory_taken_within_capacity CHECK (taken >= 0 AND taken <= capacity)
);
INSERT INTO event_inventory (event_id, capacity) SELECT id, capacity FROM events;

CREATE FUNCTION mirror_event_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO event_inventory (event_id, capacity) VALUES (NEW.id, NEW.capacity);
    ELSIF NEW.capacity IS DISTINCT FROM OLD.capacity THEN
        UPDATE event_inventory SET capacity = NEW.capacity WHERE event_id = NEW.id;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER events_mirror_capacity AFTER INSERT OR UPDATE OF capacity ON events
    FOR EACH ROW EXECUTE FUNCTION mirror_event_capacity();

-- ----- Promo codes -----
CREATE TABLE promo_codes (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id       uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    -- When set, the discount applies to this tier's tickets only.
    tier_id        uuid REFERENCES ticket_tiers (id) ON DELETE CASCADE,
    code           text NOT NULL,
    discount_kind  text NOT NULL,
    -- Percent (1-100) or cents off the order.
    discount_value bigint NOT NULL,
    max_uses       integer,
    used           integer NOT NULL DEFAULT 0,
    valid_from     timestamptz,
    valid_until    timestamptz,
    is_active      boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT promo_codes_code_format CHECK (code ~ '^[A-Z0-9_-]{3,32}$'),
    CONSTRAINT promo_codes_kind_known CHECK (discount_kind IN ('percent', 'fixed')),
    CONSTRAINT promo_codes_value_range CHECK (
        discount_value > 0 AND (discount_kind <> 'percent' OR discount_value <= 100) AND discount_value <= 100000000),
    CONSTRAINT promo_codes_used_within_limit CHECK (used >= 0 AND (max_uses IS NULL OR used <= max_uses)),
    CONSTRAINT promo_codes_max_uses_positive CHECK (max_uses IS NULL OR max_uses > 0),
    CONSTRAINT promo_codes_window CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_until > valid_from)
);
CREATE UNIQUE INDEX promo_codes_event_code_key ON promo_codes (event_id, code);
CREATE TRIGGER promo_codes_set_updated_at BEFORE UPDATE ON promo_codes
    FOR EACH ROW WHEN (OLD.used IS NOT DISTINCT FROM NEW.used) EXECUTE FUNCTION set_updated_at();

-- ----- Orders -----
-- A foreign key share-locks the row it points to, and the event and its tiers are the
-- hottest rows of an on-sale moment: with 64 buyers at once, those locks turn into
-- multixacts that cost more than the orders themselves (measured: 290 vs 530 orders/s).
-- So the rows an order writes point at the order (a new, uncontended row) where that keeps
-- the same guarantee, and the links to the event and tier are checked by the triggers at
-- the end of this file: on insert (the tier belongs to the order's event, the event to the
-- order's organization) and on delete (an event or tier with orders cannot be deleted). The
-- order's own transaction also updates the tier and event counters, which exist exactly as
-- long as the tier and event do.

CREATE TABLE orders (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_number      text NOT NULL,
    -- The secret in the order's URL; whoever holds it may view the order.
    access_token      text NOT NULL,
    -- Orders are financial records: an event with orders cannot be deleted.
    event_id          uuid NOT NULL,
    organization_id   uuid NOT NULL,
    user_id           uuid REFERENCES users (id) ON DELETE SET NULL,
    buyer_name        text NOT NULL,
    buyer_email       text NOT NULL,
    buyer_phone       text,
    currency          text NOT NULL,
    subtotal_cents    bigint NOT NULL,
    discount_cents    bigint NOT NULL DEFAULT 0,
    total_cents       bigint NOT NULL,
    refunded_cents    bigint NOT NULL DEFAULT 0,
    promo_code_id     uuid REFERENCES promo_codes (id) ON DELETE SET NULL,
    status            text NOT NULL,
    payment_provider  text NOT NULL,
    -- The provider's id for this order's payment (Stripe: the Checkout Session).
    payment_reference text,
    -- What a refund is issued against (Stripe: the PaymentIntent), once paid.
    payment_intent    text,
    -- When a pending order's hold ends; NULL holds until the organizer acts (offline payment).
    expires_at        timestamptz,
    paid_at           timestamptz,
    cancelled_at      timestamptz,
    -- Set when something needs the organizer, e.g. a payment that arrived after its hold
    -- expired and found the event sold out.
    attention         text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_id_event_key UNIQUE (id, event_id),
    CONSTRAINT orders_order_number_key UNIQUE (order_number),
    CONSTRAINT orders_access_token_key UNIQUE (access_token),
    CONSTRAINT orders_order_number_format CHECK (order_number ~ '^ORD-[0-9]{8}-[A-Z0-9]{8}$'),
    CONSTRAINT orders_access_token_length CHECK (char_length(access_token) >= 32),
    CONSTRAINT orders_status_known CHECK (status IN ('pending', 'paid', 'cancelled', 'refunded', 'expired')),
    CONSTRAINT orders_provider_known CHECK (payment_provider IN ('free', 'offline', 'stripe')),
    CONSTRAINT orders_payment_reference_key UNIQUE (payment_provider, payment_reference),
    CONSTRAINT orders_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT orders_totals_consistent CHECK (
        subtotal_cents >= 0 AND discount_cents >= 0 AND discount_cents <= subtotal_cents
        AND total_cents = subtotal_cents - discount_cents),
    CONSTRAINT orders_refund_within_total CHECK (refunded_cents >= 0 AND refunded_cents <= total_cents),
    CONSTRAINT orders_paid_has_time CHECK (status <> 'paid' OR paid_at IS NOT NULL),
    CONSTRAINT orders_buyer_name_length CHECK (char_length(btrim(buyer_name)) BETWEEN 1 AND 120),
    CONSTRAINT orders_buyer_email_length CHECK (char_length(buyer_email) BETWEEN 3 AND 254)
);
CREATE INDEX orders_event_id_idx ON orders (event_id, created_at DESC);
CREATE INDEX orders_user_id_idx ON orders (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX orders_buyer_email_idx ON orders (lower(buyer_email));
CREATE INDEX orders_expiring_idx ON orders (event_id, expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;
CREATE INDEX orders_promo_code_id_idx ON orders (promo_code_id) WHERE promo_code_id IS NOT NULL;
CREATE TRIGGER orders_set_updated_at BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE order_items (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id         uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    -- Checked by order_items_check_tier below.
    tier_id          uuid NOT NULL,
    -- The tier's name and price when bought; later edits do not rewrite history.
    tier_name        text NOT NULL,
    unit_price_cents bigint NOT NULL,
    quantity         integer NOT NULL,
    discount_cents   bigint NOT NULL DEFAULT 0,
    CONSTRAINT order_items_quantity_positive CHECK (quantity > 0 AND quantity <= 100),
    CONSTRAINT order_items_amounts CHECK (
        unit_price_cents >= 0 AND discount_cents >= 0 AND discount_cents <= unit_price_cents * quantity),
    CONSTRAINT order_items_one_line_per_tier UNIQUE (order_id, tier_id)
);
CREATE INDEX order_items_tier_id_idx ON order_items (tier_id);

CREATE TABLE attendees (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id   uuid NOT NULL,
    event_id   uuid NOT NULL,
    full_name  text NOT NULL,
    email      text NOT NULL,
    -- Where the attendee was entered at checkout, so tickets list in that order.
    position   integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attendees_order_fkey FOREIGN KEY (order_id, event_id) REFERENCES orders (id, event_id) ON DELETE CASCADE,
    CONSTRAINT attendees_full_name_length CHECK (char_length(btrim(full_name)) BETWEEN 1 AND 120),
    CONSTRAINT attendees_email_length CHECK (char_length(email) BETWEEN 3 AND 254)
);
CREATE INDEX attendees_order_id_idx ON attendees (order_id);
CREATE INDEX attendees_event_id_idx ON attendees (event_id);
CREATE TRIGGER attendees_set_updated_at BEFORE UPDATE ON attendees
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Tickets gain their order, attendee, number, secret and price. `reserved` tickets belong to
-- an order whose card payment is still under way; they are not valid at the door.
ALTER TABLE tickets
    DROP CONSTRAINT tickets_event_id_fkey,
    DROP CONSTRAINT tickets_tier_id_fkey,
    ADD COLUMN order_id      uuid NOT NULL,
    ADD COLUMN attendee_id   uuid NOT NULL REFERENCES attendees (id) ON DELETE CASCADE,
    ADD COLUMN ticket_number text NOT NULL,
    -- At least 128 random bits, never derived from ids; what the QR code carries.
    ADD COLUMN qr_secret     text NOT NULL,
    -- What the buyer paid for this ticket after discounts, in cents.
    ADD COLUMN price_cents   bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT tickets_order_fkey FOREIGN KEY (order_id, event_id) REFERENCES orders (id, event_id) ON DELETE CASCADE,
    ADD CONSTRAINT tickets_order_item_fkey FOREIGN KEY (order_id, tier_id)
        REFERENCES order_items (order_id, tier_id) ON DELETE CASCADE,
    ADD CONSTRAINT tickets_ticket_number_key UNIQUE (ticket_number),
    ADD CONSTRAINT tickets_qr_secret_key UNIQUE (qr_secret),
    ADD CONSTRAINT tickets_ticket_number_format CHECK (ticket_number ~ '^TKT-[A-Z0-9]{8}-[0-9]{6}$'),
    ADD CONSTRAINT tickets_qr_secret_length CHECK (char_length(qr_secret) >= 22),
    ADD CONSTRAINT tickets_price_not_negative CHECK (price_cents >= 0);
ALTER TABLE tickets DROP CONSTRAINT tickets_status_known;
ALTER TABLE tickets ADD CONSTRAINT tickets_status_known
    CHECK (status IN ('reserved', 'active', 'used', 'cancelled', 'refunded'));
CREATE INDEX tickets_order_id_idx ON tickets (order_id);

-- Held counts reserved tickets whose order's hold has not run out.
CREATE OR REPLACE VIEW tier_stats AS
SELECT t.id AS tier_id,
       t.event_id,
       t.capacity,
       count(k.id) FILTER (WHERE k.status IN ('active', 'used'))            AS sold,
       greatest(t.capacity
                - count(k.id) FILTER (WHERE k.status IN ('active', 'used'))
                - count(k.id) FILTER (WHERE k.status = 'reserved' AND (o.expires_at IS NULL OR o.expires_at > now())),
                0)                                                           AS available,
       count(k.id) FILTER (WHERE k.checked_in_at IS NOT NULL)                 AS checked_in,
       count(k.id) FILTER (WHERE k.status IN ('cancelled', 'refunded'))       AS cancelled,
       count(k.id) FILTER (WHERE k.status = 'reserved' AND (o.expires_at IS NULL OR o.expires_at > now())) AS held
  FROM ticket_tiers t
  LEFT JOIN tickets k ON k.tier_id = t.id
  LEFT JOIN orders o ON o.id = k.order_id
 GROUP BY t.id;

CREATE OR REPLACE VIEW event_stats AS
SELECT e.id AS event_id,
       e.capacity,
       coalesce(sum(s.sold), 0)::bigint       AS sold,
       least(greatest(e.capacity - coalesce(sum(s.sold), 0) - coalesce(sum(s.held), 0), 0),
             coalesce(sum(s.available) FILTER (WHERE t.is_active), 0))::bigint AS available,
       coalesce(sum(s.checked_in), 0)::bigint AS checked_in,
       coalesce(sum(s.cancelled), 0)::bigint  AS cancelled,
       coalesce(sum(s.held), 0)::bigint       AS held
  FROM events e
  LEFT JOIN tier_stats s ON s.event_id = e.id
  LEFT JOIN ticket_tiers t ON t.id = s.tier_id
 GROUP BY e.id;

-- ----- E-mail outbox -----
-- Written in the same transaction as the change it reports; a worker sends and marks it.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    recipient       text NOT NULL,
    payload         jsonb NOT NULL DEFAULT '{}',
    status          text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    -- Filled when sent, for the "sent mail" page.
    subject         text,
    body_text       text,
    attachments     jsonb NOT NULL DEFAULT '[]',
    transport       text,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT outbox_status_known CHECK (status IN ('pending', 'sent', 'failed')),
    CONSTRAINT outbox_kind_known CHECK (kind IN ('order_confirmation', 'attendee_ticket', 'order_cancelled', 'ticket_cancelled'))
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_organization_idx ON outbox (organization_id, created_at DESC);

-- ----- Payment webhooks -----
-- One row per provider event handled, so a replayed webhook changes nothing.
CREATE TABLE payment_events (
    provider    text NOT NULL,
    event_id    text NOT NULL,
    event_type  text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);

-- ----- Rate limits -----
-- Fixed windows shared by every app instance.
CREATE TABLE rate_limits (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL
);

-- ----- Links to the hot rows, checked without locking them (see "Orders" above) -----
CREATE FUNCTION orders_check_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM events WHERE id = NEW.event_id AND organization_id = NEW.organization_id) THEN
        RAISE EXCEPTION 'event % of organization % does not exist', NEW.event_id, NEW.organization_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'orders_event_fkey';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER orders_check_event BEFORE INSERT OR UPDATE OF event_id, organization_id ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_check_event();

CREATE FUNCTION order_items_check_tier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ticket_tiers t JOIN orders o ON o.event_id = t.event_id
                    WHERE t.id = NEW.tier_id AND o.id = NEW.order_id) THEN
        RAISE EXCEPTION 'tier % is not a tier of the order''s event', NEW.tier_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'order_items_tier_id_fkey';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER order_items_check_tier BEFORE INSERT OR UPDATE OF tier_id, order_id ON order_items
    FOR EACH ROW EXECUTE FUNCTION order_items_check_tier();

CREATE FUNCTION refuse_delete_with_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'events' AND EXISTS (SELECT 1 FROM orders WHERE event_id = OLD.id) THEN
        RAISE EXCEPTION 'event % has orders', OLD.id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'orders_event_fkey';
    END IF;
    IF TG_TABLE_NAME = 'ticket_tiers' AND EXISTS (SELECT 1 FROM order_items WHERE tier_id = OLD.id) THEN
        RAISE EXCEPTION 'tier % has orders', OLD.id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'order_items_tier_id_fkey';
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER events_refuse_delete_with_orders BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_delete_with_orders();
CREATE TRIGGER ticket_tiers_refuse_delete_with_orders BEFORE DELETE ON ticket_tiers
    FOR EACH ROW EXECUTE FUNCTION refuse_delete_with_orders();
