-- Bumped with every answer, invitation and satisfaction setting written, in the same
-- transaction: each server's cached dashboards compare it, so an answer given through
-- one server is seen by all of them at once (several servers behind a proxy).
ALTER TABLE workspaces ADD COLUMN satisfaction_generation INTEGER NOT NULL DEFAULT 0;
