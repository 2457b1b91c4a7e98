-- A colleague joins by a single-use link sent by e-mail and sets their own
-- password: nobody types a password for someone else. The team page shows when
-- each person last signed in.
ALTER TABLE users ADD COLUMN last_login_at TEXT;

CREATE TABLE user_invitations (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- SHA-256 of the link's secret: the secret itself is only in the e-mail.
    token_hash TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_by BLOB,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX user_invitations_token ON user_invitations (token_hash);
CREATE INDEX user_invitations_by_user ON user_invitations (workspace_id, user_id);
