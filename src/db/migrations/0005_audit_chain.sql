-- 0005: the audit log becomes a hash chain. Each entry's hash covers the previous entry's
-- hash and its own content, so an edited or removed entry breaks the chain from there on.
-- Existing entries are hashed in order by the migration's Rust hook, which then puts the
-- append-only trigger back.

ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';

DROP TRIGGER audit_log_no_update;
