-- Corrections of diary days. A day is typed in (and may be changed on the day it was
-- entered, as part of typing it in); a day recorded before today is changed only with a
-- reason, and each such change is a row here, kept unchanged: the day as it was, the day as
-- corrected (NULL: removed), what changed in words, the reason and who. The diary row holds
-- the values in force, which the outcomes count.
-- Written to run again on a file whose user_version was set back: IF NOT EXISTS throughout.

CREATE TABLE IF NOT EXISTS diary_corrections (
    id         TEXT PRIMARY KEY NOT NULL,
    client_id  TEXT NOT NULL REFERENCES clients (id),
    day        TEXT NOT NULL,                -- YYYY-MM-DD
    original   TEXT NOT NULL,                -- the day as it was, JSON
    corrected  TEXT,                         -- the day as corrected, JSON; NULL: removed
    changes    TEXT NOT NULL,                -- "peak intensity 7 → 5; hours 4.0 → 2.0"
    reason     TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS diary_corrections_by_day ON diary_corrections (client_id, day, created_at);

CREATE TRIGGER IF NOT EXISTS diary_corrections_no_update BEFORE UPDATE ON diary_corrections
BEGIN
    SELECT RAISE(ABORT, 'diary corrections are kept unchanged');
END;

CREATE TRIGGER IF NOT EXISTS diary_corrections_no_delete BEFORE DELETE ON diary_corrections
BEGIN
    SELECT RAISE(ABORT, 'diary corrections are kept unchanged');
END;
