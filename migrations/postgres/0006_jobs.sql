-- Jobs: everything deferred or periodic (purges, reminders, recomputes, documents),
-- written in the transaction that decided it and run by any worker. UUIDs are UUID,
-- instants TIMESTAMPTZ.

CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    -- NULL: a job of the whole installation (expired sessions), not of one workspace.
    workspace_id UUID REFERENCES workspaces(id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- A recurring schedule's slot ("purge_sessions:*:1796360400"): one job per slot
    -- however many workers race for it. NULLs do not collide.
    unique_key TEXT,
    claimed_by TEXT,
    claimed_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key);
-- Workers serve every workspace: the due rows are found without one.
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_by_workspace ON jobs (workspace_id, status, created_at);
