-- A new account is confirmed through a link sent to its address before anyone can log in
-- with it: the sign-up form then answers the same "check your inbox" for every address,
-- so it tells nobody which addresses have accounts. Accounts made before this are taken as
-- confirmed.
ALTER TABLE users ADD COLUMN email_confirmed_at timestamptz;
UPDATE users SET email_confirmed_at = created_at;

CREATE TABLE email_confirmations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT email_confirmations_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX email_confirmations_user_idx ON email_confirmations (user_id);
CREATE TRIGGER email_confirmations_set_updated_at BEFORE UPDATE ON email_confirmations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE outbox DROP CONSTRAINT outbox_kind_known;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_known CHECK (kind IN (
    'order_confirmation', 'attendee_ticket', 'order_cancelled', 'ticket_cancelled', 'order_expired',
    'password_reset', 'signup_attempt', 'confirm_email'));
