-- Foundation: workspaces, users, sessions, API tokens, accounts, sites, contacts.

CREATE TABLE workspaces (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    timezone TEXT NOT NULL DEFAULT 'Europe/Paris',
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    language TEXT,
    disabled_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- Login looks a person up by e-mail before any workspace is known: the one global index.
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_workspace ON users (workspace_id, display_name);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    user_id UUID NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    user_agent TEXT,
    ip TEXT
);
CREATE INDEX sessions_user ON sessions (workspace_id, user_id);

CREATE TABLE api_tokens (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    user_id UUID NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens (workspace_id, user_id);

CREATE TABLE login_failures (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (scope, key, at);

CREATE TABLE accounts (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    sort_name TEXT COLLATE "C" NOT NULL,
    legal_name TEXT,
    siren TEXT,
    siret TEXT,
    vat_number TEXT,
    sector TEXT COLLATE "C",
    size TEXT,
    country TEXT NOT NULL,
    address TEXT,
    postal_code TEXT,
    city TEXT,
    status TEXT NOT NULL,
    lost_on DATE,
    lost_reason TEXT,
    owner_id UUID REFERENCES users(id),
    sponsor_id UUID REFERENCES users(id),
    contract_start DATE,
    renewal_date DATE,
    annual_value_minor BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'EUR',
    tags TEXT NOT NULL DEFAULT '',
    external_ref TEXT,
    search_text TEXT NOT NULL,
    search_vector TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- Target of the children's composite foreign keys: cascades then use their (workspace_id, account_id) indexes.
CREATE UNIQUE INDEX accounts_by_workspace_id ON accounts (workspace_id, id);
CREATE INDEX accounts_by_name ON accounts (workspace_id, sort_name, id);
CREATE INDEX accounts_by_value ON accounts (workspace_id, annual_value_minor, id);
CREATE INDEX accounts_by_updated ON accounts (workspace_id, updated_at, id);
CREATE INDEX accounts_by_owner ON accounts (workspace_id, owner_id, sort_name, id);
CREATE INDEX accounts_by_status ON accounts (workspace_id, status, sort_name, id);
CREATE INDEX accounts_by_country ON accounts (workspace_id, country, sort_name, id);
CREATE INDEX accounts_by_sector ON accounts (workspace_id, sector, sort_name, id);
CREATE INDEX accounts_by_siren ON accounts (workspace_id, siren);
CREATE UNIQUE INDEX accounts_by_external_ref ON accounts (workspace_id, external_ref);
CREATE INDEX accounts_search ON accounts USING GIN (search_vector);

CREATE TABLE account_tags (
    workspace_id UUID NOT NULL,
    account_id UUID NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (workspace_id, tag, account_id),
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX account_tags_account ON account_tags (workspace_id, account_id);

CREATE TABLE sites (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    account_id UUID NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    city TEXT,
    country TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX sites_account ON sites (workspace_id, account_id, name);

CREATE TABLE contacts (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    account_id UUID NOT NULL,
    first_name TEXT,
    last_name TEXT NOT NULL,
    sort_name TEXT COLLATE "C" NOT NULL,
    email TEXT,
    phone TEXT,
    job_title TEXT,
    roles TEXT NOT NULL DEFAULT '',
    site_id UUID REFERENCES sites(id) ON DELETE SET NULL,
    language TEXT NOT NULL DEFAULT 'fr',
    survey_consent BOOLEAN NOT NULL DEFAULT FALSE,
    left_on DATE,
    external_ref TEXT,
    search_text TEXT NOT NULL,
    search_vector TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX contacts_by_account ON contacts (workspace_id, account_id, sort_name, id);
CREATE INDEX contacts_by_name ON contacts (workspace_id, sort_name, id);
CREATE INDEX contacts_by_email ON contacts (workspace_id, email);
-- Deleting a site looks its contacts up by site_id alone.
CREATE INDEX contacts_by_site ON contacts (site_id);
CREATE UNIQUE INDEX contacts_by_external_ref ON contacts (workspace_id, external_ref);
CREATE INDEX contacts_search ON contacts USING GIN (search_vector);
