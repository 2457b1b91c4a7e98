-- Invoices, payments and humane reminders (SPEC C5): invoices with their legal
-- terms, credit notes, payments allocated to invoices, factoring, the reference
-- rates of late-payment interest, the reminder plans per segment and what they
-- sent, and the client's private portal links.

CREATE TABLE factors (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    -- What the client must know: where to pay now (the factor's notice).
    details TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX factors_name ON factors (workspace_id, name);

CREATE TABLE invoices (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL,
    account_id UUID NOT NULL,
    number TEXT NOT NULL,
    issued_on DATE NOT NULL,
    delivered_on DATE,
    -- The terms as agreed: days, eom45 (with its method), due_on, not_agreed.
    terms_kind TEXT NOT NULL,
    terms_days BIGINT,
    terms_method TEXT,
    due_on DATE NOT NULL,
    terms_beyond_legal_max BOOLEAN NOT NULL DEFAULT FALSE,
    amount_excl_minor BIGINT NOT NULL,
    amount_incl_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    -- VAT per rate, as JSON [{"rate":"20","base":"1000.00","tax":"200.00"}], when known.
    vat_lines TEXT,
    paid_minor BIGINT NOT NULL DEFAULT 0,
    credited_minor BIGINT NOT NULL DEFAULT 0,
    -- Still owed (amount - paid - credited, never below 0): aging and reminders
    -- read open invoices from a partial index on it.
    open_minor BIGINT NOT NULL,
    -- The day it was paid in full or credited (payment behaviour reads it).
    settled_on DATE,
    sent_on DATE,
    factor_id UUID REFERENCES factors(id),
    factored_on DATE,
    source TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
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
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    account_id UUID NOT NULL,
    invoice_id UUID REFERENCES invoices(id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    issued_on DATE NOT NULL,
    amount_excl_minor BIGINT NOT NULL,
    amount_incl_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX credit_notes_number ON credit_notes (workspace_id, number);
CREATE INDEX credit_notes_by_invoice ON credit_notes (invoice_id);
CREATE INDEX credit_notes_by_account ON credit_notes (workspace_id, account_id, issued_on);

CREATE TABLE payments (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    account_id UUID NOT NULL,
    paid_on DATE NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    -- The bank or accounting reference; an import skips a payment already stored
    -- under the same key (its reference, or invoice, day and amount).
    reference TEXT,
    dedup_key TEXT NOT NULL,
    -- Received but matched to no invoice (an advance, an overpayment).
    unallocated_minor BIGINT NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX payments_dedup ON payments (workspace_id, dedup_key);
CREATE INDEX payments_by_account ON payments (workspace_id, account_id, paid_on);

CREATE TABLE payment_allocations (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    payment_id UUID NOT NULL REFERENCES payments(id) ON DELETE CASCADE,
    invoice_id UUID NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    amount_minor BIGINT NOT NULL
);
CREATE INDEX payment_allocations_by_invoice ON payment_allocations (invoice_id);
CREATE INDEX payment_allocations_by_payment ON payment_allocations (payment_id);

-- The ECB rate in force on the half-year's first day, in percent (a decimal string).
CREATE TABLE reference_rates (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    year BIGINT NOT NULL,
    half BIGINT NOT NULL,
    rate TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX reference_rates_key ON reference_rates (workspace_id, year, half);

CREATE TABLE invoice_settings (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    -- An annual rate in percent agreed in the general terms, instead of ECB + 10 points.
    contractual_rate TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX invoice_settings_of_workspace ON invoice_settings (workspace_id);

-- A reminder plan per segment (company size, or "default"): its steps as JSON
-- [{"days_after_due":3,"channel":"email","tone":"helping"}, ...].
CREATE TABLE reminder_plans (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    segment TEXT NOT NULL,
    steps TEXT NOT NULL,
    -- Tell the account's owner this many days before a firm step (none: never).
    owner_notice_days BIGINT,
    -- Add the late-payment interest and indemnity to firm and final reminders.
    add_late_charges BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX reminder_plans_segment ON reminder_plans (workspace_id, segment);

-- Each step sent once per invoice: the morning job may run twice or on two workers.
CREATE TABLE invoice_reminders (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    invoice_id UUID NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    step_index BIGINT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    tone TEXT NOT NULL,
    sent_on DATE NOT NULL,
    contact_id UUID REFERENCES contacts(id) ON DELETE SET NULL,
    interaction_id UUID REFERENCES interactions(id) ON DELETE SET NULL,
    with_late_charges BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX invoice_reminders_once ON invoice_reminders (invoice_id, kind, step_index);

CREATE TABLE portal_links (
    id UUID PRIMARY KEY,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    account_id UUID NOT NULL,
    -- SHA-256 of the link's secret: the secret itself is shown once, never stored.
    token_hash TEXT NOT NULL,
    lang TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    created_by UUID REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX portal_links_token ON portal_links (token_hash);
CREATE INDEX portal_links_by_account ON portal_links (workspace_id, account_id);

-- A complaint may be about one invoice: its reminders wait while it is open.
ALTER TABLE complaints ADD COLUMN invoice_id UUID REFERENCES invoices(id) ON DELETE SET NULL;
CREATE INDEX complaints_by_invoice ON complaints (invoice_id) WHERE invoice_id IS NOT NULL;

-- Bumped by every write to a workspace's invoices, payments and credit notes, in
-- the writer's transaction: cached aging and payment figures are checked against it.
ALTER TABLE workspaces ADD COLUMN invoice_generation BIGINT NOT NULL DEFAULT 0;
