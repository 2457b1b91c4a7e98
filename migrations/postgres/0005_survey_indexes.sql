-- Satisfaction figures read only indexes: every grouping of the page has its covering
-- index over the period's days, and an account's page finds its own answers and
-- invitations without walking the workspace's (measured on the medium demo).

DROP INDEX survey_invitations_by_send_at;
CREATE INDEX survey_invitations_by_send_at ON survey_invitations (workspace_id, send_at, survey_id, answered_at);
DROP INDEX survey_invitations_by_account;
CREATE INDEX survey_invitations_by_account ON survey_invitations (workspace_id, account_id, send_at, survey_id, answered_at);

CREATE INDEX survey_answers_by_site ON survey_answers (workspace_id, answered_on, site_id, kind, score);
CREATE INDEX survey_answers_by_roles ON survey_answers (workspace_id, answered_on, roles, kind, score);
CREATE INDEX survey_answers_by_segment ON survey_answers (workspace_id, answered_on, segment, kind, score);
CREATE INDEX survey_answers_by_owner ON survey_answers (workspace_id, answered_on, owner_id, kind, score);
DROP INDEX survey_answers_by_account;
CREATE INDEX survey_answers_by_account_day ON survey_answers (workspace_id, account_id, answered_on, kind, score);
CREATE INDEX survey_answers_by_account_time ON survey_answers (workspace_id, account_id, answered_at, id);
