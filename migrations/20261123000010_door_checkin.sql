-- The door: who may work it, where tickets are admitted, and every scan.

-- ----- The team -----

-- An invitation to join an organization with a role, or (event_id set) to work the door of
-- one event only. The link carries a token; only its SHA-256 is stored.
CREATE TABLE invitations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    event_id        uuid REFERENCES events (id) ON DELETE CASCADE,
    email           text NOT NULL,
    role            text NOT NULL,
    token_hash      text NOT NULL,
    invited_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at      timestamptz NOT NULL,
    accepted_at     timestamptz,
    accepted_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT invitations_token_hash_key UNIQUE (token_hash),
    CONSTRAINT invitations_role_known CHECK (role IN ('admin', 'staff')),
    CONSTRAINT invitations_event_staff_only CHECK (event_id IS NULL OR role = 'staff'),
    CONSTRAINT invitations_email_length CHECK (char_length(email) BETWEEN 3 AND 254),
    CONSTRAINT invitations_accepted_by_someone CHECK ((accepted_at IS NULL) = (accepted_by IS NULL))
);
CREATE INDEX invitations_organization_id_idx ON invitations (organization_id, created_at DESC);

-- Door staff for one event only: no membership of the organization, so nothing else of it.
CREATE TABLE event_staff (
    event_id   uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_staff_pkey PRIMARY KEY (event_id, user_id)
);
CREATE INDEX event_staff_user_id_idx ON event_staff (user_id);

-- ----- Check-in lists -----

-- Where tickets are admitted. Every event has one default list taking all tiers; more lists
-- may take some tiers only ("VIP entrance") and only within a time window.
CREATE TABLE checkin_lists (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id   uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name       text NOT NULL,
    is_default boolean NOT NULL DEFAULT false,
    all_tiers  boolean NOT NULL DEFAULT true,
    opens_at   timestamptz,
    closes_at  timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT checkin_lists_id_event_key UNIQUE (id, event_id),
    CONSTRAINT checkin_lists_name_length CHECK (char_length(btrim(name)) BETWEEN 1 AND 80),
    CONSTRAINT checkin_lists_window_ordered CHECK (opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at),
    CONSTRAINT checkin_lists_default_takes_all CHECK (NOT is_default OR all_tiers)
);
CREATE UNIQUE INDEX checkin_lists_one_default ON checkin_lists (event_id) WHERE is_default;

CREATE TABLE checkin_list_tiers (
    list_id uuid NOT NULL REFERENCES checkin_lists (id) ON DELETE CASCADE,
    tier_id uuid NOT NULL REFERENCES ticket_tiers (id) ON DELETE CASCADE,
    CONSTRAINT checkin_list_tiers_pkey PRIMARY KEY (list_id, tier_id)
);

CREATE FUNCTION create_default_checkin_list() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO checkin_lists (event_id, name, is_default) VALUES (NEW.id, 'Main entrance', true);
    RETURN NEW;
END;
$$;
CREATE TRIGGER events_default_checkin_list AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION create_default_checkin_list();
INSERT INTO checkin_lists (event_id, name, is_default) SELECT id, 'Main entrance', true FROM events;

-- ----- Admissions and scans -----

-- One row per admission. The partial unique index is what makes a ticket enter a list at
-- most once, whatever the number of phones scanning it at the same instant; an undone
-- admission stays as history and frees the ticket again.
CREATE TABLE checkins (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    list_id     uuid NOT NULL,
    event_id    uuid NOT NULL,
    ticket_id   uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    -- Copied from the ticket so the door counter groups admissions without a join.
    tier_id     uuid NOT NULL,
    admitted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    device      text NOT NULL DEFAULT '',
    admitted_at timestamptz NOT NULL DEFAULT now(),
    undone_at   timestamptz,
    undone_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT checkins_list_fkey FOREIGN KEY (list_id, event_id) REFERENCES checkin_lists (id, event_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX checkins_once_per_list ON checkins (list_id, ticket_id) WHERE undone_at IS NULL;
CREATE INDEX checkins_event_idx ON checkins (event_id, list_id, tier_id) WHERE undone_at IS NULL;
CREATE INDEX checkins_ticket_id_idx ON checkins (ticket_id);

-- Every attempt at the door, failures included. `client_nonce` is chosen by the phone per
-- attempt, so a retried request is recognised and answered as the first one was.
CREATE TABLE checkin_scans (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id      uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    list_id       uuid NOT NULL REFERENCES checkin_lists (id) ON DELETE CASCADE,
    ticket_id     uuid REFERENCES tickets (id) ON DELETE SET NULL,
    staff_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    device        text NOT NULL DEFAULT '',
    outcome       text NOT NULL,
    reason        text NOT NULL DEFAULT '',
    client_nonce  uuid NOT NULL,
    client_time   timestamptz,
    server_time   timestamptz NOT NULL DEFAULT now(),
    -- Judged on the phone without the network, and uploaded later.
    offline       boolean NOT NULL DEFAULT false,
    -- An offline phone let someone in whom the server had already admitted elsewhere.
    conflict      boolean NOT NULL DEFAULT false,
    CONSTRAINT checkin_scans_client_nonce_key UNIQUE (client_nonce),
    CONSTRAINT checkin_scans_outcome_known CHECK (outcome IN (
        'admitted', 'already_admitted', 'cancelled', 'refunded', 'unpaid', 'payment_incomplete',
        'wrong_list', 'outside_window', 'wrong_event', 'unknown', 'undone')),
    CONSTRAINT checkin_scans_device_length CHECK (char_length(device) <= 60),
    CONSTRAINT checkin_scans_reason_length CHECK (char_length(reason) <= 300)
);
CREATE INDEX checkin_scans_event_idx ON checkin_scans (event_id, server_time DESC);
CREATE INDEX checkin_scans_conflict_idx ON checkin_scans (event_id) WHERE conflict;
