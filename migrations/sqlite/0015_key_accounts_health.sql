-- Key accounts and health (SPEC C6, C7): accounts scored on the workspace's
-- criteria, the key-account programme, living account plans (objectives,
-- stakeholder map, roadmap and milestones, risks, financial hypotheses), usage
-- figures per period, and each account's health: today's explained score, one
-- row per day of history, the accounts whose inputs changed since, and the
-- follow-ups raised when one crosses into risk.

-- Scoring rules and health settings, as JSON (weights per criterion/component).
CREATE TABLE programme_settings (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    scoring_json TEXT NOT NULL,
    health_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX programme_settings_ws ON programme_settings (workspace_id);

-- An account's ratings, 1 to 5 per criterion.
CREATE TABLE account_ratings (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    potential INTEGER NOT NULL,
    probability INTEGER NOT NULL,
    profitability INTEGER NOT NULL,
    strategic_impact INTEGER NOT NULL,
    fit INTEGER NOT NULL,
    risk INTEGER NOT NULL,
    rated_by BLOB REFERENCES users(id),
    rated_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX account_ratings_account ON account_ratings (workspace_id, account_id);

-- Accounts admitted to the programme.
CREATE TABLE key_accounts (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    tier TEXT NOT NULL,
    manager_id BLOB NOT NULL REFERENCES users(id),
    executive_sponsor_id BLOB REFERENCES users(id),
    admitted_on TEXT NOT NULL,
    -- The score when admitted, for the record.
    score_at_admission INTEGER NOT NULL,
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX key_accounts_account ON key_accounts (workspace_id, account_id);
CREATE INDEX key_accounts_by_manager ON key_accounts (workspace_id, manager_id);

CREATE TABLE objectives (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    title TEXT NOT NULL,
    metric TEXT NOT NULL,
    -- Exact decimals as text.
    baseline TEXT,
    target TEXT NOT NULL,
    current_value TEXT,
    due_on TEXT NOT NULL,
    owner_id BLOB REFERENCES users(id),
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX objectives_by_account ON objectives (workspace_id, account_id, due_on);

-- A contact's place on the stakeholder map of their account.
CREATE TABLE stakeholders (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    contact_id BLOB NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    influence TEXT NOT NULL,
    attitude TEXT NOT NULL,
    notes TEXT,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX stakeholders_contact ON stakeholders (workspace_id, contact_id);
CREATE INDEX stakeholders_by_account ON stakeholders (workspace_id, account_id);

CREATE TABLE plan_risks (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    title TEXT NOT NULL,
    probability INTEGER NOT NULL,
    impact INTEGER NOT NULL,
    mitigation TEXT,
    owner_id BLOB REFERENCES users(id),
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX plan_risks_by_account ON plan_risks (workspace_id, account_id);

-- Roadmap projects and value milestones.
CREATE TABLE plan_items (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_on TEXT,
    due_on TEXT NOT NULL,
    value TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX plan_items_by_account ON plan_items (workspace_id, account_id, due_on);

CREATE TABLE plan_financials (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    nrr_target TEXT,
    margin_target TEXT,
    margin_actual TEXT,
    cac_payback_target TEXT,
    cac_payback_actual TEXT,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX plan_financials_account ON plan_financials (workspace_id, account_id);

-- Usage figures: one value per account, metric and period (its first day).
CREATE TABLE usage_figures (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    metric TEXT NOT NULL,
    period_start TEXT NOT NULL,
    value TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX usage_figures_key ON usage_figures (workspace_id, account_id, metric, period_start);

-- Today's health of each account, explained (components as JSON).
CREATE TABLE health_scores (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    score INTEGER NOT NULL,
    band TEXT NOT NULL,
    components_json TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX health_scores_account ON health_scores (workspace_id, account_id);
-- The at-risk page: the lowest scores first.
CREATE INDEX health_scores_by_score ON health_scores (workspace_id, score, account_id);

-- One row per account and day: the score that day (the last computed).
CREATE TABLE health_history (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    day TEXT NOT NULL,
    score INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX health_history_day ON health_history (workspace_id, account_id, day);

-- Accounts whose inputs changed since their health was computed.
CREATE TABLE health_dirty (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    marked_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX health_dirty_account ON health_dirty (workspace_id, account_id);

-- A follow-up for the owner when an account crosses into risk.
CREATE TABLE health_alerts (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    owner_id BLOB REFERENCES users(id),
    crossed_on TEXT NOT NULL,
    score INTEGER NOT NULL,
    previous_score INTEGER,
    reasons_json TEXT NOT NULL,
    done_at TEXT,
    done_by BLOB REFERENCES users(id),
    created_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX health_alerts_open ON health_alerts (workspace_id, owner_id, crossed_on) WHERE done_at IS NULL;
CREATE INDEX health_alerts_by_account ON health_alerts (workspace_id, account_id);

-- The notice period of a contract: the last day to give notice is this many days
-- before its renewal date.
ALTER TABLE accounts ADD COLUMN notice_days INTEGER;
