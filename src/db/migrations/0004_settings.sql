-- 0004: clinic settings, used on the letterhead of every PDF. One row.

CREATE TABLE clinic_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    name       TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    updated_at TEXT
) STRICT;

INSERT INTO clinic_settings (id) VALUES (1);
