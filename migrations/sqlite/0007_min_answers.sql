-- The fewest answers a score needs before it is shown (trends, breakdowns, "my
-- day"): below it, one unhappy client would read as a collapse.
ALTER TABLE workspaces ADD COLUMN min_answers INTEGER NOT NULL DEFAULT 5;
