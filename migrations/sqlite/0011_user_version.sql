-- A user's version, so two admins changing the same colleague do not overwrite
-- each other (PATCH /api/v1/users/{id} with If-Match, the users page's form).
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
