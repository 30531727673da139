-- Venues, events, their settings, ticket tiers, media, and the statistics view.

CREATE TABLE venues (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            text NOT NULL,
    address         text NOT NULL,
    city            text NOT NULL DEFAULT 'Toronto',
    province        text NOT NULL DEFAULT 'ON',
    postal_code     text,
    country         text NOT NULL DEFAULT 'Canada',
    capacity        integer,
    contact_name    text,
    contact_email   text,
    contact_phone   text,
    -- Known keys are booleans, e.g. {"wifi": true, "parking": true}.
    amenities       jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT venues_name_length CHECK (char_length(btrim(name)) BETWEEN 1 AND 160),
    CONSTRAINT venues_address_length CHECK (char_length(btrim(address)) BETWEEN 1 AND 240),
    CONSTRAINT venues_city_length CHECK (char_length(btrim(city)) BETWEEN 1 AND 120),
    CONSTRAINT venues_capacity_positive CHECK (capacity IS NULL OR capacity > 0),
    CONSTRAINT venues_amenities_object CHECK (jsonb_typeof(amenities) = 'object')
);
CREATE INDEX venues_organization_id_idx ON venues (organization_id);
CREATE TRIGGER venues_set_updated_at BEFORE UPDATE ON venues
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE events (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    organizer_id     uuid NOT NULL REFERENCES users (id),
    venue_id         uuid REFERENCES venues (id) ON DELETE SET NULL,
    name             text NOT NULL,
    slug             text NOT NULL,
    event_type       text NOT NULL,
    description      text NOT NULL DEFAULT '',
    start_at         timestamptz NOT NULL,
    end_at           timestamptz NOT NULL,
    capacity         integer NOT NULL,
    status           text NOT NULL DEFAULT 'draft',
    visibility       text NOT NULL DEFAULT 'public',
    cover_image_path text,
    published_at     timestamptz,
    search           tsvector GENERATED ALWAYS AS (
                         to_tsvector('english', name || ' ' || description)
                     ) STORED,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_slug_key UNIQUE (slug),
    CONSTRAINT events_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT events_name_length CHECK (char_length(btrim(name)) BETWEEN 1 AND 160),
    CONSTRAINT events_description_length CHECK (char_length(description) <= 20000),
    CONSTRAINT events_type_known CHECK (event_type IN ('conference', 'seminar', 'workshop', 'networking', 'other')),
    CONSTRAINT events_status_known CHECK (status IN ('draft', 'published', 'live', 'completed', 'cancelled')),
    CONSTRAINT events_visibility_known CHECK (visibility IN ('public', 'private', 'unlisted')),
    CONSTRAINT events_end_after_start CHECK (end_at > start_at),
    CONSTRAINT events_capacity_positive CHECK (capacity > 0)
);
CREATE INDEX events_organization_id_idx ON events (organization_id);
CREATE INDEX events_organizer_id_idx ON events (organizer_id);
CREATE INDEX events_venue_id_idx ON events (venue_id);
-- The public listing: listed events by start time.
CREATE INDEX events_listing_idx ON events (start_at) WHERE visibility = 'public' AND status IN ('published', 'live');
CREATE INDEX events_search_idx ON events USING gin (search);
CREATE TRIGGER events_set_updated_at BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE event_settings (
    event_id            uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
    currency            text NOT NULL DEFAULT 'CAD',
    timezone            text NOT NULL DEFAULT 'America/Toronto',
    allow_registrations boolean NOT NULL DEFAULT true,
    theme               jsonb NOT NULL DEFAULT '{}',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_settings_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT event_settings_theme_object CHECK (jsonb_typeof(theme) = 'object')
);
CREATE TRIGGER event_settings_set_updated_at BEFORE UPDATE ON event_settings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE ticket_tiers (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id       uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name           text NOT NULL,
    description    text NOT NULL DEFAULT '',
    price_cents    bigint NOT NULL,
    capacity       integer NOT NULL,
    sales_start_at timestamptz,
    sales_end_at   timestamptz,
    min_per_order  integer NOT NULL DEFAULT 1,
    max_per_order  integer NOT NULL DEFAULT 10,
    is_active      boolean NOT NULL DEFAULT true,
    sort_order     integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ticket_tiers_name_length CHECK (char_length(btrim(name)) BETWEEN 1 AND 120),
    CONSTRAINT ticket_tiers_price_not_negative CHECK (price_cents >= 0 AND price_cents <= 100000000),
    CONSTRAINT ticket_tiers_capacity_positive CHECK (capacity > 0),
    CONSTRAINT ticket_tiers_sales_window CHECK (sales_start_at IS NULL OR sales_end_at IS NULL OR sales_end_at > sales_start_at),
    CONSTRAINT ticket_tiers_per_order CHECK (min_per_order >= 1 AND max_per_order >= min_per_order AND max_per_order <= 100)
);
CREATE INDEX ticket_tiers_event_id_idx ON ticket_tiers (event_id, sort_order);
CREATE TRIGGER ticket_tiers_set_updated_at BEFORE UPDATE ON ticket_tiers
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE event_media (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id      uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind          text NOT NULL,
    storage_path  text NOT NULL,
    content_type  text NOT NULL,
    byte_size     bigint NOT NULL,
    caption       text,
    display_order integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_media_kind_known CHECK (kind IN ('image', 'video', 'document')),
    CONSTRAINT event_media_size_positive CHECK (byte_size > 0),
    CONSTRAINT event_media_storage_path_key UNIQUE (storage_path)
);
CREATE INDEX event_media_event_id_idx ON event_media (event_id, display_order);
CREATE TRIGGER event_media_set_updated_at BEFORE UPDATE ON event_media
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Issued tickets. Checkout adds the order, attendee, number and secret columns; the
-- statistics below are computed from these rows, never from counters kept by hand.
CREATE TABLE tickets (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id      uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    tier_id       uuid NOT NULL REFERENCES ticket_tiers (id),
    status        text NOT NULL DEFAULT 'active',
    checked_in_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tickets_status_known CHECK (status IN ('active', 'used', 'cancelled', 'refunded'))
);
CREATE INDEX tickets_event_id_idx ON tickets (event_id);
CREATE INDEX tickets_tier_id_idx ON tickets (tier_id);
CREATE TRIGGER tickets_set_updated_at BEFORE UPDATE ON tickets
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Per tier: sold counts active and used tickets; available never goes below zero.
CREATE VIEW tier_stats AS
SELECT t.id AS tier_id,
       t.event_id,
       t.capacity,
       count(k.id) FILTER (WHERE k.status IN ('active', 'used'))            AS sold,
       greatest(t.capacity - count(k.id) FILTER (WHERE k.status IN ('active', 'used')), 0) AS available,
       count(k.id) FILTER (WHERE k.checked_in_at IS NOT NULL)                 AS checked_in,
       count(k.id) FILTER (WHERE k.status IN ('cancelled', 'refunded'))       AS cancelled
  FROM ticket_tiers t
  LEFT JOIN tickets k ON k.tier_id = t.id
 GROUP BY t.id;

-- Per event: what tiers sold, bounded by the event-wide cap and by what active tiers offer.
CREATE VIEW event_stats AS
SELECT e.id AS event_id,
       e.capacity,
       coalesce(sum(s.sold), 0)::bigint       AS sold,
       least(greatest(e.capacity - coalesce(sum(s.sold), 0), 0),
             coalesce(sum(s.available) FILTER (WHERE t.is_active), 0))::bigint AS available,
       coalesce(sum(s.checked_in), 0)::bigint AS checked_in,
       coalesce(sum(s.cancelled), 0)::bigint  AS cancelled
  FROM events e
  LEFT JOIN tier_stats s ON s.event_id = e.id
  LEFT JOIN ticket_tiers t ON t.id = s.tier_id
 GROUP BY e.id;
