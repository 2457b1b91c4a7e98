-- Satisfaction figures read only indexes: the answers' facts (day, kind, score and the
-- breakdown keys) in one covering index over the period's days, response rates from the
-- invitations' own; an account's page finds its answers and invitations without walking
-- the workspace's (measured on the medium demo).

DROP INDEX survey_invitations_by_send_at;
CREATE INDEX survey_invitations_by_send_at ON survey_invitations (workspace_id, send_at, survey_id, answered_at);
DROP INDEX survey_invitations_by_account;
CREATE INDEX survey_invitations_by_account ON survey_invitations (workspace_id, account_id, send_at, survey_id, answered_at);

DROP INDEX survey_answers_by_day;
CREATE INDEX survey_answers_facts ON survey_answers
    (workspace_id, answered_on, kind, score, site_id, roles, segment, owner_id);
DROP INDEX survey_answers_by_account;
CREATE INDEX survey_answers_by_account_day ON survey_answers (workspace_id, account_id, answered_on, kind, score);
CREATE INDEX survey_answers_by_account_time ON survey_answers (workspace_id, account_id, answered_at, id);
