-- 0006: the people who log in, their roles; who registered each client (a therapist reads
-- the clients they registered or charted for); the idle-lock setting.

CREATE TABLE users (
    username     TEXT PRIMARY KEY NOT NULL,   -- lowercase a-z 0-9 . _ -
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('therapist', 'manager', 'administrator')),
    created_at   TEXT NOT NULL,
    disabled_at  TEXT
) STRICT;

CREATE TRIGGER users_no_delete BEFORE DELETE ON users
BEGIN
    SELECT RAISE(ABORT, 'users are disabled, never deleted: their records name them');
END;

ALTER TABLE clients ADD COLUMN created_by TEXT NOT NULL DEFAULT '';

UPDATE clients SET created_by = COALESCE(
    (SELECT a.actor FROM audit_log a
      WHERE a.entity = 'client' AND a.entity_id = clients.id AND a.action = 'client.create'
      ORDER BY a.seq LIMIT 1), '');

CREATE INDEX clients_by_creator ON clients (created_by);
CREATE INDEX sessions_by_therapist ON sessions (therapist, client_id);
CREATE INDEX intakes_by_recorder ON intakes (recorded_by, client_id);

ALTER TABLE clinic_settings ADD COLUMN idle_lock_minutes INTEGER NOT NULL DEFAULT 10
    CHECK (idle_lock_minutes BETWEEN 1 AND 240);
