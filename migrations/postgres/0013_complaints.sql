-- Complaints and disputes (SPEC C4): cases with their legal deadlines, their dated
-- steps, the alerts sent to their owners, and each workspace's rules and letters.

-- Case numbers per workspace ("R-2026-0042"), taken by an atomic increment.
ALTER TABLE workspaces ADD COLUMN complaint_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE complaints (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL,
    number BIGINT NOT NULL,
    account_id UUID NOT NULL,
    -- The person and the exchange may be deleted; the case stays, without them.
    contact_id UUID REFERENCES contacts(id) ON DELETE SET NULL,
    interaction_id UUID REFERENCES interactions(id) ON DELETE SET NULL,
    received_on DATE NOT NULL,
    channel TEXT NOT NULL,
    client_kind TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    concerns TEXT,
    summary TEXT NOT NULL,
    owner_id UUID NOT NULL REFERENCES users(id),
    state TEXT NOT NULL,
    acknowledge_by DATE NOT NULL,
    answer_by DATE NOT NULL,
    mediation_request_by DATE,
    mediation_notified_on DATE,
    mediation_concludes_by DATE,
    -- The next deadline still due (none once answered, resolved, refused or closed):
    -- the list's order and its "overdue" filter read it from an index.
    next_due_on DATE,
    -- next_due_on, or 9999-12-31 when nothing is due: the list's keyset order.
    sort_due DATE NOT NULL,
    acknowledged_on DATE,
    answered_on DATE,
    resolved_on DATE,
    closed_on DATE,
    gesture_kind TEXT,
    gesture_minor BIGINT,
    gesture_currency TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX complaints_number ON complaints (workspace_id, number);
-- The figures cache's fingerprint (count, sum of versions, last number), from the index alone.
CREATE INDEX complaints_fingerprint ON complaints (workspace_id, number, version);
CREATE INDEX complaints_by_due ON complaints (workspace_id, sort_due, id);
CREATE INDEX complaints_by_account ON complaints (workspace_id, account_id, received_on);
CREATE INDEX complaints_by_received ON complaints (workspace_id, received_on, id);
CREATE INDEX complaints_by_owner ON complaints (workspace_id, owner_id, sort_due);
CREATE INDEX complaints_by_interaction ON complaints (interaction_id) WHERE interaction_id IS NOT NULL;
CREATE INDEX complaints_by_contact ON complaints (contact_id) WHERE contact_id IS NOT NULL;

CREATE TABLE complaint_steps (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    complaint_id UUID NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
    from_state TEXT,
    to_state TEXT NOT NULL,
    happened_on DATE NOT NULL,
    user_id UUID REFERENCES users(id),
    reason TEXT,
    gesture_kind TEXT,
    gesture_minor BIGINT,
    gesture_currency TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX complaint_steps_by_case ON complaint_steps (complaint_id, happened_on, id);
CREATE INDEX complaint_steps_by_workspace ON complaint_steps (workspace_id, id);

-- One alert per case, deadline and stage (the eve, overdue): the daily job may run
-- twice or on several workers, the owner hears once.
CREATE TABLE complaint_alerts (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    complaint_id UUID NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
    deadline TEXT NOT NULL,
    stage TEXT NOT NULL,
    due_on DATE NOT NULL,
    owner_id UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX complaint_alerts_once ON complaint_alerts (complaint_id, deadline, stage);
CREATE INDEX complaint_alerts_by_owner ON complaint_alerts (workspace_id, owner_id, due_on);

CREATE TABLE complaint_settings (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    acknowledge_working_days INTEGER NOT NULL,
    answer_months INTEGER NOT NULL,
    alert_by_email BOOLEAN NOT NULL,
    -- The consumer mediator's name and address, named in answers to consumers.
    mediator TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX complaint_settings_of_workspace ON complaint_settings (workspace_id);

CREATE TABLE complaint_letters (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX complaint_letters_of_workspace ON complaint_letters (workspace_id, kind, lang);

-- A case's page lists the exchanges about it (its letters).
CREATE INDEX interactions_by_related ON interactions (related_id) WHERE related_id IS NOT NULL;
