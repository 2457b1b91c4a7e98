-- Audit trail: every create, update and delete, written in the same transaction as the change.
CREATE TABLE audit_log (
    id BLOB PRIMARY KEY NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    at TEXT NOT NULL,
    user_id BLOB,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BLOB NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_by_record ON audit_log (workspace_id, entity_id, id);
CREATE INDEX audit_by_user ON audit_log (workspace_id, user_id, id);
CREATE INDEX audit_by_time ON audit_log (workspace_id, at);
