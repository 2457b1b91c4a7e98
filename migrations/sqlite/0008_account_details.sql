-- What CRM exports carry about a client company beyond its contract: its web
-- domain (which also ties incoming e-mail to it), its switchboard, its own
-- revenue (not what it buys from us) and its head count.
ALTER TABLE accounts ADD COLUMN website TEXT;
ALTER TABLE accounts ADD COLUMN phone TEXT;
ALTER TABLE accounts ADD COLUMN revenue_minor BIGINT;
ALTER TABLE accounts ADD COLUMN headcount BIGINT;
CREATE INDEX accounts_by_website ON accounts (workspace_id, website);
