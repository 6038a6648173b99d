-- Corrections that count: an amendment of a signed note may correct a value it recorded
-- (pain before, pain after, duration), and a MIDAS answer may be corrected with its reason.
-- The original row is never changed (signed notes and MIDAS are locked); each correction is
-- a row here, kept unchanged, and the figures read the latest one for a record's field.
-- Written to run again on a file whose user_version was set back: IF NOT EXISTS throughout.

CREATE TABLE IF NOT EXISTS corrections (
    id           TEXT PRIMARY KEY NOT NULL,
    client_id    TEXT NOT NULL REFERENCES clients (id),
    record_kind  TEXT NOT NULL CHECK (record_kind IN ('session', 'midas')),
    record_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    original     INTEGER,
    corrected    INTEGER NOT NULL CHECK (corrected BETWEEN 0 AND 100000),
    reason       TEXT NOT NULL,
    amendment_id TEXT REFERENCES amendments (id),
    author       TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS corrections_by_record ON corrections (record_id, field, created_at);
CREATE INDEX IF NOT EXISTS corrections_by_client ON corrections (client_id);

CREATE TRIGGER IF NOT EXISTS corrections_no_update BEFORE UPDATE ON corrections
BEGIN
    SELECT RAISE(ABORT, 'corrections are kept unchanged');
END;

CREATE TRIGGER IF NOT EXISTS corrections_no_delete BEFORE DELETE ON corrections
BEGIN
    SELECT RAISE(ABORT, 'corrections are kept unchanged');
END;
