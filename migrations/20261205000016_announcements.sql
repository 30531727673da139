-- Messages an organizer sends to an event's attendees (all of them, or one tier's), each
-- recipient once, through the outbox like every other message.
CREATE TABLE announcements (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    tier_id         uuid REFERENCES ticket_tiers (id) ON DELETE SET NULL,
    -- Who it went to, in words, as it was when sent ("VIP ticket holders").
    audience        text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    recipients      integer NOT NULL,
    sent_by         uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT announcements_subject_length CHECK (char_length(subject) BETWEEN 1 AND 150
                                                   AND subject !~ '[\r\n]'),
    CONSTRAINT announcements_body_length CHECK (char_length(body) BETWEEN 1 AND 5000),
    CONSTRAINT announcements_recipients_counted CHECK (recipients > 0)
);
CREATE INDEX announcements_event_idx ON announcements (event_id, created_at DESC);

CREATE TRIGGER announcements_audit AFTER INSERT ON announcements
    FOR EACH ROW EXECUTE FUNCTION audit_change('announcement', 'id', 'subject', 'audience', 'recipients');

ALTER TABLE outbox DROP CONSTRAINT outbox_kind_known;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_known CHECK (kind IN (
    'order_confirmation', 'attendee_ticket', 'order_cancelled', 'ticket_cancelled', 'order_expired',
    'password_reset', 'signup_attempt', 'confirm_email', 'event_cancelled', 'invitation', 'announcement'));
