-- 0001: client records and the append-only audit log.
-- Migrations are append-only: never edit this file once released; add 0002_… instead.

CREATE TABLE clients (
    id                      TEXT PRIMARY KEY NOT NULL,
    first_name              TEXT NOT NULL,
    last_name               TEXT NOT NULL,
    preferred_name          TEXT NOT NULL DEFAULT '',
    date_of_birth           TEXT,            -- YYYY-MM-DD
    phone                   TEXT NOT NULL DEFAULT '',
    email                   TEXT NOT NULL DEFAULT '',
    address                 TEXT NOT NULL DEFAULT '',
    emergency_contact_name  TEXT NOT NULL DEFAULT '',
    emergency_contact_phone TEXT NOT NULL DEFAULT '',
    physician_name          TEXT NOT NULL DEFAULT '',
    physician_contact       TEXT NOT NULL DEFAULT '',
    occupation              TEXT NOT NULL DEFAULT '',
    posture_notes           TEXT NOT NULL DEFAULT '',
    medical_history         TEXT NOT NULL DEFAULT '',
    medications_preventive  TEXT NOT NULL DEFAULT '',
    medications_acute       TEXT NOT NULL DEFAULT '',
    allergies               TEXT NOT NULL DEFAULT '',
    contraindications       TEXT NOT NULL DEFAULT '',
    preferred_pressure      TEXT CHECK (preferred_pressure IN ('light', 'moderate', 'firm')),
    areas_to_avoid          TEXT NOT NULL DEFAULT '',
    positioning             TEXT NOT NULL DEFAULT '',
    consent_version         TEXT NOT NULL DEFAULT '',
    consent_date            TEXT,            -- YYYY-MM-DD
    notes                   TEXT NOT NULL DEFAULT '',
    -- Derived by the core from the names: folded to ASCII lower case for search and order.
    search_key              TEXT NOT NULL,
    sort_key                TEXT NOT NULL,
    version                 INTEGER NOT NULL DEFAULT 1,
    created_at              TEXT NOT NULL,   -- RFC 3339 UTC
    updated_at              TEXT NOT NULL,
    archived_at             TEXT
) STRICT;

CREATE INDEX clients_by_sort ON clients (archived_at IS NOT NULL, sort_key, id);

-- Clients are archived, never deleted.
CREATE TRIGGER clients_never_deleted BEFORE DELETE ON clients
BEGIN
    SELECT RAISE(ABORT, 'clients are archived, never deleted');
END;

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,   -- RFC 3339 UTC
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,   -- e.g. client.create
    entity    TEXT NOT NULL,   -- e.g. client
    entity_id TEXT NOT NULL,
    summary   TEXT NOT NULL
) STRICT;

CREATE INDEX audit_by_entity ON audit_log (entity, entity_id, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
