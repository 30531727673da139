-- Money owed back, event cancellations, and what Stripe changes on its side.

-- ----- Refunds -----
-- A refund is decided in the transaction that closes an order or ticket (the order's
-- `refunded_cents` grows there, its tickets stop admitting), and recorded here as owed.
-- The card refund itself is asked of Stripe afterwards, with no transaction open, using
-- this row's id as the idempotency key; the answer is recorded in a second short
-- transaction. A crash in between leaves the row pending, and the refund worker asks again
-- with the same key, so Stripe never refunds twice. Refunds made at Stripe (dashboard,
-- `charge.refunded`) are recorded as `succeeded` with origin `provider`.
CREATE TABLE refunds (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id           uuid NOT NULL REFERENCES orders (id),
    amount_cents       bigint NOT NULL CHECK (amount_cents > 0),
    origin             text NOT NULL CHECK (origin IN ('order', 'ticket', 'event_cancelled', 'provider')),
    status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    provider_refund_id text,
    attempts           integer NOT NULL DEFAULT 0,
    last_error         text,
    -- While pending: when the worker may next ask Stripe (a claim pushes it out as a lease).
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    created_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz
);
CREATE INDEX refunds_due ON refunds (next_attempt_at) WHERE status = 'pending';
CREATE INDEX refunds_of_order ON refunds (order_id);

-- ----- Event cancellations -----
-- Cancelling an event records what it will do, then a background runner closes its orders
-- one short transaction each; after a crash it simply carries on with the orders still
-- open. The totals are the summary the organizer confirmed.
CREATE TABLE event_cancellations (
    event_id           uuid PRIMARY KEY REFERENCES events (id),
    requested_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    orders_total       integer NOT NULL,
    refund_total_cents bigint NOT NULL,
    started_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz
);
CREATE INDEX event_cancellations_running ON event_cancellations (started_at) WHERE finished_at IS NULL;

-- Every order takes seats from its event's counter row, so closing sales there orders each
-- checkout strictly before or after a cancellation: a checkout that took seats first is
-- committed before the cancellation can close the row (and its order is closed by the
-- runner); one that comes after finds the row closed. No checkout locks the events row.
ALTER TABLE event_inventory ADD COLUMN on_sale boolean NOT NULL DEFAULT true;

-- A payment's Stripe charge, for `charge.refunded` and disputes that name the charge.
CREATE INDEX orders_payment_intent_idx ON orders (payment_intent) WHERE payment_intent IS NOT NULL;

ALTER TABLE outbox DROP CONSTRAINT outbox_kind_known;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_known CHECK (kind IN (
    'order_confirmation', 'attendee_ticket', 'order_cancelled', 'ticket_cancelled', 'order_expired',
    'password_reset', 'signup_attempt', 'confirm_email', 'event_cancelled'));
