-- A new account is confirmed through a link sent to its address before anyone can log in
-- with it: the sign-up form then answers the same "check your inbox" for every address,
-- so it tells nobody which addresses have accounts. Accounts made before this are taken as
-- confirmed.
ALTER TABLE users ADD COLUMN email_confirmed_at timestamptz;
UPDATE users SET email_confirmed_at = created_at;
-- The links themselves are `account_links` with purpose 'email_confirmation'.

ALTER TABLE outbox DROP CONSTRAINT outbox_kind_known;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_known CHECK (kind IN (
    'order_confirmation', 'attendee_ticket', 'order_cancelled', 'ticket_cancelled', 'order_expired',
    'password_reset', 'signup_attempt', 'confirm_email'));
