-- Outcomes by technique as running totals (see src/rollup.rs): signing a note and recording
-- an intake move them in the same transaction; the migration's hook counts what is there.
CREATE TABLE technique_outcome_totals (
    technique_id       TEXT PRIMARY KEY NOT NULL REFERENCES techniques (id),
    sessions           INTEGER NOT NULL DEFAULT 0,
    sessions_with_pain INTEGER NOT NULL DEFAULT 0,
    pain_change_sum    INTEGER NOT NULL DEFAULT 0,
    clients            INTEGER NOT NULL DEFAULT 0,
    clients_measurable INTEGER NOT NULL DEFAULT 0,
    responders         INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
