-- Closing the abuse paths: pay-at-the-door only where the organizer allows it and only
-- until a deadline, a link per ticket for its attendee, password resets, and throttles.

-- "Pay at the door or by invoice" is the organizer's choice per event, with a deadline.
-- Existing events keep selling that way, as they did before it was a choice.
ALTER TABLE event_settings
    ADD COLUMN offline_payments boolean NOT NULL DEFAULT false,
    ADD COLUMN offline_payment_days integer NOT NULL DEFAULT 3,
    ADD CONSTRAINT event_settings_offline_payment_days_range CHECK (offline_payment_days BETWEEN 1 AND 60);
UPDATE event_settings SET offline_payments = true;

-- Unpaid offline orders placed before deadlines existed get one now, so they cannot hold
-- seats forever: three days from now, or the event's start if that is sooner.
UPDATE orders o SET expires_at = LEAST(now() + interval '3 days', e.start_at)
  FROM events e
 WHERE e.id = o.event_id AND o.status = 'pending' AND o.payment_provider = 'offline' AND o.expires_at IS NULL;

-- Each ticket has its own secret link, so an attendee's e-mail opens their ticket only.
ALTER TABLE tickets ADD COLUMN access_token text;
UPDATE tickets SET access_token = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
ALTER TABLE tickets
    ALTER COLUMN access_token SET NOT NULL,
    ADD CONSTRAINT tickets_access_token_key UNIQUE (access_token),
    ADD CONSTRAINT tickets_access_token_length CHECK (char_length(access_token) >= 32);

-- New messages: an unpaid order that expired, a password reset link, and the note to an
-- account's owner that someone tried to sign up with their address.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_known;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_known CHECK (kind IN (
    'order_confirmation', 'attendee_ticket', 'order_cancelled', 'ticket_cancelled', 'order_expired',
    'password_reset', 'signup_attempt'));

-- Single-use links e-mailed for an account (password resets; address confirmations come in
-- the next migration): only the hash of the token is kept here; each works once, in time.
CREATE TABLE account_links (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL,
    token_hash text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT account_links_token_hash_key UNIQUE (token_hash),
    CONSTRAINT account_links_purpose_known CHECK (purpose IN ('password_reset', 'email_confirmation'))
);
CREATE INDEX account_links_user_idx ON account_links (user_id, purpose);
CREATE TRIGGER account_links_set_updated_at BEFORE UPDATE ON account_links
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Failures that earn a block (wrong passwords), per account and per network address.
CREATE TABLE throttles (
    key           text PRIMARY KEY,
    window_start  timestamptz NOT NULL,
    failures      integer NOT NULL,
    blocked_until timestamptz
);
CREATE INDEX throttles_window_idx ON throttles (window_start);
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);
