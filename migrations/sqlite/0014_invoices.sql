-- Invoices, payments and humane reminders (SPEC C5): invoices with their legal
-- terms, credit notes, payments allocated to invoices, factoring, the reference
-- rates of late-payment interest, the reminder plans per segment and what they
-- sent, and the client's private portal links.

CREATE TABLE factors (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    -- What the client must know: where to pay now (the factor's notice).
    details TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX factors_name ON factors (workspace_id, name);

CREATE TABLE invoices (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL,
    account_id BLOB NOT NULL,
    number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    delivered_on TEXT,
    -- The terms as agreed: days, eom45 (with its method), due_on, not_agreed.
    terms_kind TEXT NOT NULL,
    terms_days INTEGER,
    terms_method TEXT,
    due_on TEXT NOT NULL,
    terms_beyond_legal_max INTEGER NOT NULL DEFAULT 0,
    amount_excl_minor INTEGER NOT NULL,
    amount_incl_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    -- VAT per rate, as JSON [{"rate":"20","base":"1000.00","tax":"200.00"}], when known.
    vat_lines TEXT,
    paid_minor INTEGER NOT NULL DEFAULT 0,
    credited_minor INTEGER NOT NULL DEFAULT 0,
    -- Still owed (amount - paid - credited, never below 0): aging and reminders
    -- read open invoices from a partial index on it.
    open_minor INTEGER NOT NULL,
    -- The day it was paid in full or credited (payment behaviour reads it).
    settled_on TEXT,
    sent_on TEXT,
    factor_id BLOB REFERENCES factors(id),
    factored_on TEXT,
    source TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX invoices_number ON invoices (workspace_id, number);
CREATE INDEX invoices_by_account ON invoices (workspace_id, account_id, issued_on);
-- Revenue per period (DSO) and the newest-first list read this one alone.
CREATE INDEX invoices_by_issued ON invoices (workspace_id, issued_on, amount_incl_minor, currency, account_id);
-- Aging sums, the overdue list (keyset on due date and id) and the morning run read
-- open invoices from this one alone.
CREATE INDEX invoices_open ON invoices (workspace_id, due_on, id, account_id, currency, open_minor) WHERE open_minor > 0;
CREATE INDEX invoices_settled ON invoices (workspace_id, settled_on, due_on, account_id) WHERE settled_on IS NOT NULL;

CREATE TABLE credit_notes (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    account_id BLOB NOT NULL,
    invoice_id BLOB REFERENCES invoices(id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    amount_excl_minor INTEGER NOT NULL,
    amount_incl_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX credit_notes_number ON credit_notes (workspace_id, number);
CREATE INDEX credit_notes_by_invoice ON credit_notes (invoice_id);
CREATE INDEX credit_notes_by_account ON credit_notes (workspace_id, account_id, issued_on);

CREATE TABLE payments (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    account_id BLOB NOT NULL,
    paid_on TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    -- The bank or accounting reference; an import skips a payment already stored
    -- under the same key (its reference, or invoice, day and amount).
    reference TEXT,
    dedup_key TEXT NOT NULL,
    -- Received but matched to no invoice (an advance, an overpayment).
    unallocated_minor INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX payments_dedup ON payments (workspace_id, dedup_key);
CREATE INDEX payments_by_account ON payments (workspace_id, account_id, paid_on);

CREATE TABLE payment_allocations (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    payment_id BLOB NOT NULL REFERENCES payments(id) ON DELETE CASCADE,
    invoice_id BLOB NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    amount_minor INTEGER NOT NULL
);
CREATE INDEX payment_allocations_by_invoice ON payment_allocations (invoice_id);
CREATE INDEX payment_allocations_by_payment ON payment_allocations (payment_id);

-- The ECB rate in force on the half-year's first day, in percent (a decimal string).
CREATE TABLE reference_rates (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    year INTEGER NOT NULL,
    half INTEGER NOT NULL,
    rate TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX reference_rates_key ON reference_rates (workspace_id, year, half);

CREATE TABLE invoice_settings (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    -- An annual rate in percent agreed in the general terms, instead of ECB + 10 points.
    contractual_rate TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX invoice_settings_of_workspace ON invoice_settings (workspace_id);

-- A reminder plan per segment (company size, or "default"): its steps as JSON
-- [{"days_after_due":3,"channel":"email","tone":"helping"}, ...].
CREATE TABLE reminder_plans (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    segment TEXT NOT NULL,
    steps TEXT NOT NULL,
    -- Tell the account's owner this many days before a firm step (none: never).
    owner_notice_days INTEGER,
    -- Add the late-payment interest and indemnity to firm and final reminders.
    add_late_charges INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX reminder_plans_segment ON reminder_plans (workspace_id, segment);

-- Each step sent once per invoice: the morning job may run twice or on two workers.
CREATE TABLE invoice_reminders (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    invoice_id BLOB NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    step_index INTEGER NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    tone TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    contact_id BLOB REFERENCES contacts(id) ON DELETE SET NULL,
    interaction_id BLOB REFERENCES interactions(id) ON DELETE SET NULL,
    with_late_charges INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX invoice_reminders_once ON invoice_reminders (invoice_id, kind, step_index);

CREATE TABLE portal_links (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    account_id BLOB NOT NULL,
    -- SHA-256 of the link's secret: the secret itself is shown once, never stored.
    token_hash TEXT NOT NULL,
    lang TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    created_by BLOB REFERENCES users(id),
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX portal_links_token ON portal_links (token_hash);
CREATE INDEX portal_links_by_account ON portal_links (workspace_id, account_id);

-- A complaint may be about one invoice: its reminders wait while it is open.
ALTER TABLE complaints ADD COLUMN invoice_id BLOB REFERENCES invoices(id) ON DELETE SET NULL;
CREATE INDEX complaints_by_invoice ON complaints (invoice_id) WHERE invoice_id IS NOT NULL;

-- Bumped by every write to a workspace's invoices, payments and credit notes, in
-- the writer's transaction: cached aging and payment figures are checked against it.
ALTER TABLE workspaces ADD COLUMN invoice_generation INTEGER NOT NULL DEFAULT 0;
