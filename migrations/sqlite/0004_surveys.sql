-- Hot satisfaction: surveys, their sending rules, the events that trigger them, the
-- single-use invitations, the answers, and the outbox every feature that sends e-mail
-- shares. UUIDs are 16-byte BLOBs, instants RFC 3339 text in UTC, dates ISO text.

-- However many rules match, a contact is not surveyed more often than this.
ALTER TABLE workspaces ADD COLUMN survey_interval_days INTEGER NOT NULL DEFAULT 30;

CREATE TABLE surveys (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    question_fr TEXT,
    question_en TEXT,
    comment_question_fr TEXT,
    comment_question_en TEXT,
    expiry_days INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_by BLOB REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX surveys_by_workspace_id ON surveys (workspace_id, id);
CREATE UNIQUE INDEX surveys_by_name ON surveys (workspace_id, name);

CREATE TABLE survey_rules (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    survey_id BLOB NOT NULL,
    event_kind TEXT NOT NULL,
    delay_hours INTEGER NOT NULL DEFAULT 0,
    -- Buying-centre role codes, comma-separated; empty means every contact of the event.
    roles TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, survey_id) REFERENCES surveys (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX survey_rules_by_event ON survey_rules (workspace_id, event_kind);
CREATE INDEX survey_rules_by_survey ON survey_rules (workspace_id, survey_id);

-- Something that happened to an account, raised in the transaction of the change that
-- caused it (an interaction logged, later an invoice sent or a complaint resolved).
CREATE TABLE events (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    account_id BLOB NOT NULL,
    -- Contacts concerned, as a comma-separated list of UUIDs.
    contact_ids TEXT NOT NULL DEFAULT '',
    source_kind TEXT NOT NULL,
    source_id BLOB NOT NULL,
    occurred_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX events_by_workspace_id ON events (workspace_id, id);
CREATE INDEX events_by_account ON events (workspace_id, account_id, occurred_at);
CREATE INDEX events_by_source ON events (workspace_id, source_kind, source_id);

CREATE TABLE survey_invitations (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    survey_id BLOB NOT NULL,
    event_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    contact_id BLOB NOT NULL,
    -- SHA-256 of the link's secret: the secret itself is only in the e-mail.
    token_hash TEXT NOT NULL,
    language TEXT NOT NULL,
    send_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    answered_at TEXT,
    created_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, survey_id) REFERENCES surveys (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX survey_invitations_by_workspace_id ON survey_invitations (workspace_id, id);
-- The public page finds a link by its hash before any workspace is known.
CREATE UNIQUE INDEX survey_invitations_by_token ON survey_invitations (token_hash);
-- One invitation per survey, contact and event, however often the event is replayed.
CREATE UNIQUE INDEX survey_invitations_once ON survey_invitations (workspace_id, survey_id, event_id, contact_id);
-- The last time a contact was surveyed (over-surveying rule).
CREATE INDEX survey_invitations_by_contact ON survey_invitations (workspace_id, contact_id, send_at);
-- Invitations sent over a period (response rates).
CREATE INDEX survey_invitations_by_send_at ON survey_invitations (workspace_id, send_at);
CREATE INDEX survey_invitations_by_account ON survey_invitations (workspace_id, account_id, send_at);

CREATE TABLE survey_answers (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    -- Unique: a link is answered once, even by two clicks racing.
    invitation_id BLOB NOT NULL,
    survey_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    contact_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    score INTEGER NOT NULL,
    comment TEXT,
    answered_at TEXT NOT NULL,
    -- The local calendar day of answered_at: periods are made of days.
    answered_on TEXT NOT NULL,
    -- Breakdown keys as they stood when the answer was given: the contact's site or
    -- business unit and buying-centre roles, the account's segment and owner.
    site_id BLOB,
    roles TEXT NOT NULL DEFAULT '',
    segment TEXT,
    owner_id BLOB,
    -- The entry on the account's timeline that shows this answer.
    interaction_id BLOB,
    FOREIGN KEY (workspace_id, invitation_id) REFERENCES survey_invitations (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX survey_answers_by_invitation ON survey_answers (workspace_id, invitation_id);
-- Every satisfaction figure is over a period of answers.
CREATE INDEX survey_answers_by_day ON survey_answers (workspace_id, answered_on, kind, score);
-- Lists of answers and verbatims, newest first.
CREATE INDEX survey_answers_by_time ON survey_answers (workspace_id, answered_at, id);
CREATE INDEX survey_answers_by_account ON survey_answers (workspace_id, account_id, answered_at);
CREATE INDEX survey_answers_by_contact ON survey_answers (workspace_id, contact_id);

-- E-mail to send, written in the transaction that decided to send it; workers claim
-- due rows, hand them to SMTP and record the outcome.
CREATE TABLE outbox (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    -- What the message is for (survey_invitation, later reminder, review_invitation…).
    purpose TEXT NOT NULL,
    subject_id BLOB,
    to_address TEXT NOT NULL,
    to_name TEXT,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    -- Kept across retries so that a receiving server can drop a duplicate.
    message_id TEXT NOT NULL,
    status TEXT NOT NULL,
    not_before TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until TEXT,
    last_error TEXT,
    sent_at TEXT,
    created_at TEXT NOT NULL
);
-- Workers serve every workspace: the due rows are found without one.
CREATE INDEX outbox_due ON outbox (status, not_before);
CREATE INDEX outbox_by_workspace ON outbox (workspace_id, created_at);
CREATE INDEX outbox_by_subject ON outbox (workspace_id, subject_id);
