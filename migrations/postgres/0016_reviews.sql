-- The annual client review (SPEC C8): reviews with their attendees, agenda, the
-- data pack frozen when prepared, what was said and decided when held, the
-- minutes produced and sent, and the action plan followed until done (with the
-- reminders already sent, once each). Outgoing e-mail gains attachments (the
-- calendar invitation, the minutes).

CREATE TABLE reviews (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL,
    account_id UUID NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    planned_on DATE NOT NULL,
    -- Local start time, HH:MM, in the workspace's zone.
    starts_at TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    location TEXT,
    -- Language of the minutes (the client's).
    lang TEXT NOT NULL,
    agenda_json TEXT NOT NULL,
    -- The calendar invitation's SEQUENCE: raised each time it is sent again.
    ics_sequence INTEGER NOT NULL DEFAULT 0,
    invitation_sent_at TIMESTAMPTZ,
    pack_json TEXT,
    prepared_at TIMESTAMPTZ,
    -- What was typed during the meeting, autosaved, before it is held.
    draft_json TEXT,
    held_on DATE,
    held_at TIMESTAMPTZ,
    round_table_json TEXT,
    decisions_json TEXT,
    notes TEXT,
    minutes_sent_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    -- The review this one was scheduled from (a checkpoint after an annual review).
    follows_id UUID,
    created_by UUID REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX reviews_ws_id ON reviews (workspace_id, id);
CREATE INDEX reviews_by_account ON reviews (workspace_id, account_id, planned_on);
CREATE INDEX reviews_by_day ON reviews (workspace_id, planned_on);

CREATE TABLE review_attendees (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL,
    review_id UUID NOT NULL,
    side TEXT NOT NULL,
    role TEXT NOT NULL,
    contact_id UUID,
    user_id UUID REFERENCES users(id),
    name TEXT NOT NULL,
    email TEXT,
    position INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, review_id) REFERENCES reviews (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX review_attendees_by_review ON review_attendees (workspace_id, review_id, position);

CREATE TABLE review_actions (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL,
    review_id UUID NOT NULL,
    account_id UUID NOT NULL,
    what TEXT NOT NULL,
    side TEXT NOT NULL,
    owner_user_id UUID REFERENCES users(id),
    owner_contact_id UUID,
    owner_name TEXT NOT NULL,
    due_on DATE NOT NULL,
    status TEXT NOT NULL,
    done_on DATE,
    note TEXT,
    position INTEGER NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (workspace_id, review_id) REFERENCES reviews (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX review_actions_by_review ON review_actions (workspace_id, review_id, position);
CREATE INDEX review_actions_by_account ON review_actions (workspace_id, account_id, status, due_on);
CREATE INDEX review_actions_by_owner ON review_actions (workspace_id, owner_user_id, status, due_on);
-- The daily reminder run reads open items by date across the workspace.
CREATE INDEX review_actions_open ON review_actions (workspace_id, status, due_on);

-- A reminder sent about an action item: one per item and step, whatever runs twice.
CREATE TABLE review_action_reminders (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL,
    action_id UUID NOT NULL REFERENCES review_actions(id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX review_action_reminders_once ON review_action_reminders (workspace_id, action_id, step);

-- The minutes as produced (PDF and editable), kept on the account.
CREATE TABLE review_documents (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL,
    review_id UUID NOT NULL,
    format TEXT NOT NULL,
    lang TEXT NOT NULL,
    filename TEXT NOT NULL,
    content BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (workspace_id, review_id) REFERENCES reviews (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX review_documents_one ON review_documents (workspace_id, review_id, format);

-- The workspace's minutes template: its colour, logo text and which sections show.
CREATE TABLE review_settings (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    settings_json TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX review_settings_ws ON review_settings (workspace_id);

-- Files sent with a queued e-mail (an invitation's .ics, the minutes).
CREATE TABLE outbox_attachments (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL,
    outbox_id UUID NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content BYTEA NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX outbox_attachments_by_message ON outbox_attachments (outbox_id, position);

-- Objectives set at a review name it.
ALTER TABLE objectives ADD COLUMN review_id UUID;

-- The pack lists the interventions beyond the contract of one account and period.
CREATE INDEX interactions_beyond_contract ON interactions (workspace_id, account_id, occurred_at) WHERE beyond_contract;
