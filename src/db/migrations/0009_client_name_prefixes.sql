-- Clients found by the start of any word of their names (see src/names.rs): every start of
-- every word, once per client. The archived flag and sort key are part of the key, so the
-- entries for one prefix are already in list order.
CREATE TABLE client_name_prefixes (
    prefix    TEXT NOT NULL,
    archived  INTEGER NOT NULL CHECK (archived IN (0, 1)),
    sort_key  TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients (id),
    PRIMARY KEY (prefix, archived, sort_key, client_id)
) WITHOUT ROWID;

CREATE INDEX client_name_prefixes_by_client ON client_name_prefixes (client_id, prefix);
