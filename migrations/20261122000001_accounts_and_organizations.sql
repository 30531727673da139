-- Accounts, organizations (the tenants) and who belongs to which, with what role.

-- Every table keeps updated_at current through this one trigger function.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Stored trimmed and lower-cased by the application, so uniqueness is case-insensitive.
    email         text NOT NULL,
    password_hash text NOT NULL,
    full_name     text NOT NULL,
    company       text,
    phone         text,
    avatar_url    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_normalized CHECK (email = lower(btrim(email)) AND email LIKE '_%@_%'),
    CONSTRAINT users_full_name_length CHECK (char_length(btrim(full_name)) BETWEEN 1 AND 120),
    CONSTRAINT users_company_length CHECK (company IS NULL OR char_length(company) <= 120),
    CONSTRAINT users_phone_length CHECK (phone IS NULL OR char_length(phone) <= 32),
    CONSTRAINT users_avatar_url_http CHECK (avatar_url IS NULL OR avatar_url ~ '^https?://')
);
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE organizations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL,
    slug       text NOT NULL,
    currency   text NOT NULL DEFAULT 'CAD',
    timezone   text NOT NULL DEFAULT 'America/Toronto',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_slug_key UNIQUE (slug),
    CONSTRAINT organizations_name_length CHECK (char_length(btrim(name)) BETWEEN 1 AND 120),
    CONSTRAINT organizations_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT organizations_currency_iso CHECK (currency ~ '^[A-Z]{3}$')
);
CREATE TRIGGER organizations_set_updated_at BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE organization_members (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organization_members_pkey PRIMARY KEY (organization_id, user_id),
    CONSTRAINT organization_members_role_known CHECK (role IN ('owner', 'admin', 'staff'))
);
-- The primary key covers lookups by organization; this one serves "which organizations am I in".
CREATE INDEX organization_members_user_id_idx ON organization_members (user_id);
CREATE TRIGGER organization_members_set_updated_at BEFORE UPDATE ON organization_members
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
