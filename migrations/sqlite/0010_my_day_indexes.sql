-- "My day" reads an owner's renewals by date, and the answers given about their
-- accounts over two quarters, each from one index range; an account page counts
-- its people still there and gone without reading their rows.
CREATE INDEX accounts_by_owner_renewal ON accounts (workspace_id, owner_id, renewal_date);
CREATE INDEX survey_answers_by_owner_day ON survey_answers (workspace_id, owner_id, answered_on, account_id, kind, score);
CREATE INDEX contacts_by_account_left ON contacts (workspace_id, account_id, left_on);
