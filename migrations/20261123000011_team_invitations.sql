-- Invitations to the team are e-mailed through the outbox like every other message.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_known;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_known CHECK (kind IN (
    'order_confirmation', 'attendee_ticket', 'order_cancelled', 'ticket_cancelled', 'order_expired',
    'password_reset', 'signup_attempt', 'confirm_email', 'event_cancelled', 'invitation'));
-- At most one open invitation per address and scope (the organization, or one event's door):
-- inviting again replaces the earlier link.
CREATE UNIQUE INDEX invitations_one_open ON invitations (organization_id, lower(email), coalesce(event_id, '00000000-0000-0000-0000-000000000000'))
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
