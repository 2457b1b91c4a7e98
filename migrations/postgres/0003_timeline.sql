-- Shared history: interactions on an account's timeline, the contacts involved, follow-ups
-- and first responses.

-- Target of interaction_contacts' composite foreign key to contacts.
CREATE UNIQUE INDEX contacts_by_workspace_id ON contacts (workspace_id, id);

-- No direct workspaces reference: the composite key to accounts already pins the workspace.
CREATE TABLE interactions (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL,
    account_id UUID NOT NULL,
    channel TEXT NOT NULL,
    direction TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    subject TEXT,
    summary TEXT,
    tags TEXT NOT NULL DEFAULT '',
    beyond_contract BOOLEAN NOT NULL DEFAULT FALSE,
    related_kind TEXT,
    related_id UUID,
    external_ref TEXT,
    -- The outbound that answered this inbound; kept by the application (bilan_db::timeline),
    -- not by a foreign key: a deleted answer must be replaced by the next outbound, which
    -- ON DELETE SET NULL cannot do.
    answered_by UUID,
    response_seconds BIGINT,
    answer_linked BOOLEAN NOT NULL DEFAULT FALSE,
    follow_up_what TEXT,
    follow_up_user_id UUID REFERENCES users(id),
    follow_up_due DATE,
    follow_up_done_at TIMESTAMPTZ,
    search_text TEXT NOT NULL,
    search_vector TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
-- Target of interaction_contacts' composite foreign key.
CREATE UNIQUE INDEX interactions_by_workspace_id ON interactions (workspace_id, id);
-- The timeline, newest first, walked in index order (also the account-delete cascade).
CREATE INDEX interactions_timeline ON interactions (workspace_id, account_id, occurred_at, id);
-- Previous/next outbound of an instant (first responses) and timelines filtered by direction.
CREATE INDEX interactions_by_direction ON interactions (workspace_id, account_id, direction, occurred_at, id);
CREATE INDEX interactions_by_user ON interactions (workspace_id, user_id, occurred_at, id);
CREATE UNIQUE INDEX interactions_by_external_ref ON interactions (workspace_id, external_ref)
    WHERE external_ref IS NOT NULL;
CREATE INDEX interactions_follow_ups ON interactions (workspace_id, follow_up_user_id, follow_up_due)
    WHERE follow_up_user_id IS NOT NULL AND follow_up_done_at IS NULL;
-- Which inbounds an outbound answers (deleting or moving it).
CREATE INDEX interactions_by_answer ON interactions (workspace_id, answered_by)
    WHERE answered_by IS NOT NULL;
-- Response-time statistics over a period.
CREATE INDEX interactions_responses ON interactions (workspace_id, occurred_at)
    WHERE response_seconds IS NOT NULL;
CREATE INDEX interactions_search ON interactions USING GIN (search_vector);

CREATE TABLE interaction_contacts (
    workspace_id UUID NOT NULL,
    interaction_id UUID NOT NULL,
    contact_id UUID NOT NULL,
    PRIMARY KEY (workspace_id, interaction_id, contact_id),
    FOREIGN KEY (workspace_id, interaction_id) REFERENCES interactions (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);
-- A contact's interactions (timeline filter, contact-delete cascade).
CREATE INDEX interaction_contacts_by_contact ON interaction_contacts (workspace_id, contact_id, interaction_id);
