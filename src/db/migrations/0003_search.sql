-- 0003: full-text search over client names and every word of the notes (FTS5).
-- search_docs maps each indexed record to its FTS row, so a record's entry is replaced
-- by rowid (no scan) inside the same transaction that changes the record.

CREATE TABLE search_docs (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('client', 'session', 'amendment', 'intake')),
    record_id TEXT NOT NULL UNIQUE,
    open_id   TEXT NOT NULL,         -- what a hit opens: the record, or an amendment's session
    client_id TEXT NOT NULL REFERENCES clients (id),
    at        TEXT NOT NULL          -- when the record happened, for "newest first"
) STRICT;

CREATE INDEX search_docs_by_client ON search_docs (client_id, at);
CREATE INDEX search_docs_by_at ON search_docs (at);

-- Diacritics-insensitive: "Zoe" finds "Zoë", "cafe" finds "café".
CREATE VIRTUAL TABLE search_fts USING fts5 (
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
