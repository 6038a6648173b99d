-- The headache diary: one row per client per day, typed in from a paper diary or imported
-- from a CSV file (src/domain/diary.rs holds the rules). A day is replaced when it is
-- saved again and may be removed; every change is in the audit log.

CREATE TABLE diary_days (
    client_id      TEXT NOT NULL REFERENCES clients (id),
    day            TEXT NOT NULL,                       -- YYYY-MM-DD
    headache       INTEGER NOT NULL CHECK (headache IN (0, 1)),
    peak_intensity INTEGER CHECK (peak_intensity BETWEEN 0 AND 10),
    duration_hours REAL CHECK (duration_hours > 0 AND duration_hours <= 72),
    acute_meds     TEXT NOT NULL DEFAULT '[]',          -- JSON arrays of vocabulary ids
    triggers       TEXT NOT NULL DEFAULT '[]',
    sleep_hours    REAL CHECK (sleep_hours BETWEEN 0 AND 24),
    sleep_quality  INTEGER CHECK (sleep_quality BETWEEN 0 AND 10),
    stress         INTEGER CHECK (stress BETWEEN 0 AND 10),
    menstruation   INTEGER CHECK (menstruation IN (0, 1)),
    note           TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (client_id, day)
) STRICT, WITHOUT ROWID;
