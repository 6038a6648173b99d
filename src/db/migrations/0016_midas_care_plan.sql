-- MIDAS questionnaires (repeated like an intake) and one current care plan per client.
-- Written to run again on a file whose user_version was set back (an upgrade test replays
-- from schema 8 over the tables already there): every statement is IF NOT EXISTS.

CREATE TABLE IF NOT EXISTS midas_assessments (
    id                TEXT PRIMARY KEY NOT NULL,
    client_id         TEXT NOT NULL REFERENCES clients (id),
    answered_on       TEXT NOT NULL,                -- YYYY-MM-DD
    missed_work       INTEGER NOT NULL CHECK (missed_work BETWEEN 0 AND 92),
    reduced_work      INTEGER NOT NULL CHECK (reduced_work BETWEEN 0 AND 92),
    missed_household  INTEGER NOT NULL CHECK (missed_household BETWEEN 0 AND 92),
    reduced_household INTEGER NOT NULL CHECK (reduced_household BETWEEN 0 AND 92),
    missed_leisure    INTEGER NOT NULL CHECK (missed_leisure BETWEEN 0 AND 92),
    headache_days     INTEGER CHECK (headache_days BETWEEN 0 AND 92),
    average_pain      INTEGER CHECK (average_pain BETWEEN 0 AND 10),
    recorded_by       TEXT NOT NULL,
    recorded_at       TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS midas_by_client ON midas_assessments (client_id, answered_on);
CREATE INDEX IF NOT EXISTS midas_by_recorder ON midas_assessments (recorded_by, client_id);

CREATE TRIGGER IF NOT EXISTS midas_no_delete BEFORE DELETE ON midas_assessments
BEGIN
    SELECT RAISE(ABORT, 'MIDAS assessments are kept');
END;

CREATE TRIGGER IF NOT EXISTS midas_no_update BEFORE UPDATE ON midas_assessments
BEGIN
    SELECT RAISE(ABORT, 'MIDAS assessments are kept as answered');
END;

-- The client's current plan; each change is in the audit log.
CREATE TABLE IF NOT EXISTS care_plans (
    client_id            TEXT PRIMARY KEY NOT NULL REFERENCES clients (id),
    goals                TEXT NOT NULL DEFAULT '',
    phases               TEXT NOT NULL DEFAULT '[]',  -- JSON array of {every, unit, for_weeks}
    starts_on            TEXT NOT NULL,               -- YYYY-MM-DD
    next_reassessment_on TEXT,                        -- YYYY-MM-DD
    shared_with_physician INTEGER NOT NULL DEFAULT 0 CHECK (shared_with_physician IN (0, 1)),
    updated_by           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS care_plans_by_reassessment ON care_plans (next_reassessment_on);

CREATE TRIGGER IF NOT EXISTS care_plans_no_delete BEFORE DELETE ON care_plans
BEGIN
    SELECT RAISE(ABORT, 'care plans are kept');
END;
