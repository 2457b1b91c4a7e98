-- Foundation: workspaces, users, sessions, API tokens, accounts, sites, contacts.
-- UUIDs are 16-byte BLOBs, instants RFC 3339 text in UTC, dates ISO text.

CREATE TABLE workspaces (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    timezone TEXT NOT NULL DEFAULT 'Europe/Paris',
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    language TEXT,
    disabled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Login looks a person up by e-mail before any workspace is known: the one global index.
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_workspace ON users (workspace_id, display_name);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    user_agent TEXT,
    ip TEXT
);
CREATE INDEX sessions_user ON sessions (workspace_id, user_id);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (workspace_id, user_id);

CREATE TABLE login_failures (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (scope, key, at);

CREATE TABLE accounts (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    legal_name TEXT,
    siren TEXT,
    siret TEXT,
    vat_number TEXT,
    sector TEXT,
    size TEXT,
    country TEXT NOT NULL,
    address TEXT,
    postal_code TEXT,
    city TEXT,
    status TEXT NOT NULL,
    lost_on TEXT,
    lost_reason TEXT,
    owner_id BLOB REFERENCES users(id),
    sponsor_id BLOB REFERENCES users(id),
    contract_start TEXT,
    renewal_date TEXT,
    annual_value_minor INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'EUR',
    tags TEXT NOT NULL DEFAULT '',
    external_ref TEXT,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
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

CREATE TABLE account_tags (
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (workspace_id, tag, account_id),
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX account_tags_account ON account_tags (workspace_id, account_id);

CREATE VIRTUAL TABLE accounts_fts USING fts5 (
    search_text, content='accounts', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
-- No insert trigger: rows are indexed in batches by bilan_db::dialect::index_new_rows
-- (one set-based insert per batch is 2.5x faster than a trigger per row).
CREATE TRIGGER accounts_fts_delete AFTER DELETE ON accounts BEGIN
    INSERT INTO accounts_fts (accounts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER accounts_fts_update AFTER UPDATE OF search_text ON accounts BEGIN
    INSERT INTO accounts_fts (accounts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO accounts_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TABLE sites (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    account_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    city TEXT,
    country TEXT,
    created_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX sites_account ON sites (workspace_id, account_id, name);

CREATE TABLE contacts (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    account_id BLOB NOT NULL,
    first_name TEXT,
    last_name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    job_title TEXT,
    roles TEXT NOT NULL DEFAULT '',
    site_id BLOB REFERENCES sites(id) ON DELETE SET NULL,
    language TEXT NOT NULL DEFAULT 'fr',
    survey_consent INTEGER NOT NULL DEFAULT 0,
    left_on TEXT,
    external_ref TEXT,
    search_text TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX contacts_by_account ON contacts (workspace_id, account_id, sort_name, id);
CREATE INDEX contacts_by_name ON contacts (workspace_id, sort_name, id);
CREATE INDEX contacts_by_email ON contacts (workspace_id, email);
-- Deleting a site looks its contacts up by site_id alone.
CREATE INDEX contacts_by_site ON contacts (site_id);
CREATE UNIQUE INDEX contacts_by_external_ref ON contacts (workspace_id, external_ref);

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    search_text, content='contacts', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
-- No insert trigger: rows are indexed in batches by bilan_db::dialect::index_new_rows
-- (one set-based insert per batch is 2.5x faster than a trigger per row).
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF search_text ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO contacts_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
