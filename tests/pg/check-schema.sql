-- Checks of the PostgreSQL baseline (src/db/postgres/0001_baseline.sql), run on a database
-- where it has just been applied:
--
--   psql -X -v ON_ERROR_STOP=1 -d DB -f tests/pg/check-schema.sql
--
-- Every check raises when it fails, so psql exits non-zero (3). Everything runs in one
-- transaction that is rolled back: the database is left as it was.

\set ON_ERROR_STOP 1
\set QUIET 1
-- The results are empty rows; what each check found is in its NOTICE (on stderr).
\o /dev/null
SET client_min_messages = notice;

BEGIN;

-- Runs `stmt` and fails unless it is refused with SQLSTATE P0001 and exactly `message`
-- (SQLite's RAISE(ABORT, message) text). The refused statement is undone (a subtransaction),
-- the checks go on.
CREATE FUNCTION pg_temp.expect_refusal(stmt text, message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        EXECUTE stmt;
    EXCEPTION WHEN OTHERS THEN
        IF SQLSTATE <> 'P0001' OR SQLERRM <> message THEN
            RAISE EXCEPTION 'FAILED: % was refused with [%] %, expected [P0001] %',
                stmt, SQLSTATE, SQLERRM, message;
        END IF;
        RAISE NOTICE 'ok: refused: % -> %', stmt, SQLERRM;
        RETURN;
    END;
    RAISE EXCEPTION 'FAILED: % was not refused (expected: %)', stmt, message;
END;
$$;

-- Runs `stmt` and fails if it is refused.
CREATE FUNCTION pg_temp.expect_allowed(stmt text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RAISE NOTICE 'ok: allowed: %', stmt;
EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION 'FAILED: % was refused: [%] %', stmt, SQLSTATE, SQLERRM;
END;
$$;

-- ---- fixtures --------------------------------------------------------------------------

INSERT INTO clients (id, first_name, last_name, search_key, sort_key, created_at, updated_at)
VALUES ('c1', 'Zoë', 'Tester', 'zoe tester', 'tester zoe', '2026-01-01T00:00:00.000Z',
        '2026-01-01T00:00:00.000Z');
INSERT INTO users (username, display_name, role, created_at)
VALUES ('ann', 'Ann', 'therapist', '2026-01-01T00:00:00.000Z');
INSERT INTO intakes (id, client_id, assessed_on, headache_days, usual_intensity, recorded_by,
                     recorded_at)
VALUES ('i1', 'c1', '2026-01-01', 12, 6, 'ann', '2026-01-01T00:00:00.000Z');
INSERT INTO red_flag_acks (intake_id, acknowledged_by, acknowledged_at, referral_note)
VALUES ('i1', 'ann', '2026-01-01T00:00:00.000Z', 'referred');
INSERT INTO sessions (id, client_id, therapist, started_at, created_at, updated_at) VALUES
    ('draft', 'c1', 'ann', '2026-01-02T10:00', '2026-01-02T10:00:00.000Z', '2026-01-02T10:00:00.000Z'),
    ('signed', 'c1', 'ann', '2026-01-03T10:00', '2026-01-03T10:00:00.000Z', '2026-01-03T10:00:00.000Z');
INSERT INTO session_techniques (session_id, position, technique_id) VALUES
    ('draft', 1, '01900000-0000-7000-8000-000000000001'),
    ('signed', 1, '01900000-0000-7000-8000-000000000001');
INSERT INTO session_marks (session_id, region, kind) VALUES
    ('draft', 'neck', 'tension'),
    ('signed', 'neck', 'tension');
INSERT INTO amendments (id, session_id, author, created_at, reason, body)
VALUES ('a1', 'signed', 'ann', '2026-01-04T00:00:00.000Z', 'typo', 'more');
INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, summary, hash)
VALUES (1, '2026-01-01T00:00:00.000Z', 'ann', 'client.create', 'client', 'c1', 'created', 'h1');

-- ---- a draft may change; signing is the one UPDATE of a note that is allowed -------------

SELECT pg_temp.expect_allowed($$UPDATE sessions SET plan = 'rest' WHERE id = 'signed'$$);
SELECT pg_temp.expect_allowed($$UPDATE session_techniques SET minutes = 10 WHERE session_id = 'signed'$$);
SELECT pg_temp.expect_allowed(
    $$UPDATE sessions SET status = 'signed', signed_by = 'ann', signed_at = '2026-01-03T11:00:00.000Z' WHERE id = 'signed'$$);
SELECT pg_temp.expect_allowed($$UPDATE sessions SET plan = 'stretch' WHERE id = 'draft'$$);
SELECT pg_temp.expect_allowed($$DELETE FROM session_techniques WHERE session_id = 'draft'$$);
SELECT pg_temp.expect_allowed(
    $$INSERT INTO session_techniques (session_id, position, technique_id) VALUES ('draft', 1, '01900000-0000-7000-8000-000000000002')$$);
SELECT pg_temp.expect_allowed($$DELETE FROM session_marks WHERE session_id = 'draft'$$);
SELECT pg_temp.expect_allowed($$DELETE FROM sessions WHERE id = 'draft' AND false$$);
SELECT pg_temp.expect_allowed($$UPDATE clients SET archived_at = '2026-02-01T00:00:00.000Z' WHERE id = 'c1'$$);

-- ---- a signed note is locked -------------------------------------------------------------

SELECT pg_temp.expect_refusal($$UPDATE sessions SET plan = 'changed' WHERE id = 'signed'$$,
    'a signed session note is locked; add an amendment instead');
SELECT pg_temp.expect_refusal($$UPDATE sessions SET status = 'draft' WHERE id = 'signed'$$,
    'a signed session note is locked; add an amendment instead');
SELECT pg_temp.expect_refusal($$DELETE FROM sessions WHERE id = 'signed'$$,
    'a signed session note is locked; add an amendment instead');
SELECT pg_temp.expect_refusal(
    $$INSERT INTO session_techniques (session_id, position, technique_id) VALUES ('signed', 2, '01900000-0000-7000-8000-000000000003')$$,
    'a signed session note is locked; add an amendment instead');
SELECT pg_temp.expect_refusal($$UPDATE session_techniques SET minutes = 20 WHERE session_id = 'signed'$$,
    'a signed session note is locked; add an amendment instead');
-- Moving a draft's technique onto the signed note is refused too (the NEW row's note).
SELECT pg_temp.expect_refusal($$UPDATE session_techniques SET session_id = 'signed', position = 9 WHERE session_id = 'draft'$$,
    'a signed session note is locked; add an amendment instead');
SELECT pg_temp.expect_refusal($$DELETE FROM session_techniques WHERE session_id = 'signed'$$,
    'a signed session note is locked; add an amendment instead');
SELECT pg_temp.expect_refusal($$INSERT INTO session_marks (session_id, region, kind) VALUES ('signed', 'jaw', 'pain')$$,
    'a signed session note is locked; add an amendment instead');
SELECT pg_temp.expect_refusal($$UPDATE session_marks SET kind = 'treated' WHERE session_id = 'signed'$$,
    'a signed session note is locked; add an amendment instead');
SELECT pg_temp.expect_refusal($$DELETE FROM session_marks WHERE session_id = 'signed'$$,
    'a signed session note is locked; add an amendment instead');
SELECT pg_temp.expect_refusal($$TRUNCATE sessions CASCADE$$,
    'a signed session note is locked; add an amendment instead');
SELECT pg_temp.expect_refusal($$TRUNCATE session_techniques$$,
    'a signed session note is locked; add an amendment instead');
SELECT pg_temp.expect_refusal($$TRUNCATE session_marks$$,
    'a signed session note is locked; add an amendment instead');

-- ---- the audit log is append-only --------------------------------------------------------

SELECT pg_temp.expect_refusal($$DELETE FROM audit_log$$, 'the audit log is append-only');
SELECT pg_temp.expect_refusal($$UPDATE audit_log SET summary = 'edited' WHERE seq = 1$$,
    'the audit log is append-only');
SELECT pg_temp.expect_refusal($$TRUNCATE audit_log$$, 'the audit log is append-only');
SELECT pg_temp.expect_allowed(
    $$INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, summary, hash) VALUES (2, '2026-01-01T00:00:01.000Z', 'ann', 'client.update', 'client', 'c1', 'updated', 'h2')$$);
-- seq comes from the app (max + 1 under a lock), never from a sequence.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'audit_log'
                 AND column_name = 'seq'
                 AND (column_default IS NOT NULL OR is_identity = 'YES')) THEN
        RAISE EXCEPTION 'FAILED: audit_log.seq has a default or is an identity column';
    END IF;
    BEGIN
        INSERT INTO audit_log (at, actor, action, entity, entity_id, summary)
        VALUES ('2026-01-01T00:00:02.000Z', 'ann', 'x', 'client', 'c1', 'no seq');
        RAISE EXCEPTION 'FAILED: audit_log accepted a row without seq';
    EXCEPTION WHEN not_null_violation THEN
        RAISE NOTICE 'ok: audit_log.seq has no default (a row without it is refused)';
    END;
END;
$$;

-- ---- records that are kept ---------------------------------------------------------------

SELECT pg_temp.expect_refusal($$UPDATE amendments SET body = 'changed'$$, 'amendments are kept unchanged');
SELECT pg_temp.expect_refusal($$DELETE FROM amendments$$, 'amendments are kept unchanged');
SELECT pg_temp.expect_refusal($$TRUNCATE amendments$$, 'amendments are kept unchanged');
SELECT pg_temp.expect_refusal($$UPDATE red_flag_acks SET referral_note = 'x'$$, 'acknowledgements are kept unchanged');
SELECT pg_temp.expect_refusal($$DELETE FROM red_flag_acks$$, 'acknowledgements are kept unchanged');
SELECT pg_temp.expect_refusal($$TRUNCATE red_flag_acks$$, 'acknowledgements are kept unchanged');
SELECT pg_temp.expect_refusal($$DELETE FROM clients WHERE id = 'c1'$$, 'clients are archived, never deleted');
SELECT pg_temp.expect_refusal($$TRUNCATE clients CASCADE$$, 'clients are archived, never deleted');
SELECT pg_temp.expect_refusal($$DELETE FROM techniques$$, 'techniques are retired, never deleted');
SELECT pg_temp.expect_refusal($$TRUNCATE techniques CASCADE$$, 'techniques are retired, never deleted');
SELECT pg_temp.expect_refusal($$DELETE FROM intakes$$, 'intakes are kept');
SELECT pg_temp.expect_refusal($$TRUNCATE intakes CASCADE$$, 'intakes are kept');
SELECT pg_temp.expect_refusal($$DELETE FROM users$$, 'users are disabled, never deleted: their records name them');
SELECT pg_temp.expect_refusal($$TRUNCATE users$$, 'users are disabled, never deleted: their records name them');

-- ---- constraints as on SQLite ------------------------------------------------------------

DO $$
BEGIN
    BEGIN
        UPDATE sessions SET headache_at_start = 2 WHERE id = 'draft';
        RAISE EXCEPTION 'FAILED: headache_at_start accepted 2';
    EXCEPTION WHEN check_violation THEN
        RAISE NOTICE 'ok: boolean CHECK (x IN (0, 1)) holds';
    END;
    BEGIN
        INSERT INTO clinic_settings (id) VALUES (2);
        RAISE EXCEPTION 'FAILED: a second clinic_settings row was accepted';
    EXCEPTION WHEN check_violation THEN
        RAISE NOTICE 'ok: clinic_settings keeps one row';
    END;
    BEGIN
        INSERT INTO session_marks (session_id, region, kind) VALUES ('nope', 'neck', 'pain');
        RAISE EXCEPTION 'FAILED: a mark of a missing session was accepted';
    EXCEPTION WHEN foreign_key_violation THEN
        RAISE NOTICE 'ok: foreign keys are enforced';
    END;
    IF (SELECT count(*) FROM techniques) <> 5 OR (SELECT count(*) FROM technique_warnings) <> 7
       OR (SELECT count(*) FROM clinic_settings) <> 1 THEN
        RAISE EXCEPTION 'FAILED: the seeded rows are not those of SQLite schema 10';
    END IF;
    RAISE NOTICE 'ok: seeded catalogue (5 techniques, 7 warnings) and the settings row';
END;
$$;

-- ---- full-text search: accents fold, prefixes match --------------------------------------

DO $$
DECLARE
    id1 BIGINT;
    hits BIGINT;
BEGIN
    IF NOT (SELECT to_tsvector('stillpoint_search', 'Zoë had headaches at the café')
                   @@ to_tsquery('stillpoint_search', 'zoe & head:* & cafe')) THEN
        RAISE EXCEPTION 'FAILED: ''zoe & head:* & cafe'' does not match ''Zoë had headaches at the café''';
    END IF;
    RAISE NOTICE 'ok: to_tsvector(''Zoë had headaches at the café'') @@ to_tsquery(''zoe & head:* & cafe'')';
    IF NOT (SELECT to_tsvector('stillpoint_search', 'Zoe drank coffee at the cafe')
                   @@ to_tsquery('stillpoint_search', 'ZOË & CAFÉ')) THEN
        RAISE EXCEPTION 'FAILED: ''ZOË & CAFÉ'' does not match ''Zoe ... cafe''';
    END IF;
    RAISE NOTICE 'ok: accents and case fold in the query too';

    -- Through the tables, as the app searches: the generated tsvector and its GIN index.
    INSERT INTO search_docs (kind, record_id, open_id, client_id, at)
    VALUES ('session', 'signed', 'signed', 'c1', '2026-01-03T10:00')
    RETURNING id INTO id1;
    INSERT INTO search_fts (rowid, body) VALUES (id1, 'Zoë had headaches at the café');
    SELECT count(*) INTO hits
      FROM search_fts f JOIN search_docs d ON d.id = f.rowid
     WHERE f.tsv @@ to_tsquery('stillpoint_search', 'zoe & head:*') AND d.client_id = 'c1';
    IF hits <> 1 THEN
        RAISE EXCEPTION 'FAILED: search_fts found % rows for ''zoe & head:*'', expected 1', hits;
    END IF;
    RAISE NOTICE 'ok: search_docs id % from its identity; search_fts.tsv finds it', id1;
    BEGIN
        INSERT INTO search_fts (rowid, body) VALUES (id1 + 1000, 'orphan');
        RAISE EXCEPTION 'FAILED: search_fts accepted a rowid with no search_docs row';
    EXCEPTION WHEN foreign_key_violation THEN
        RAISE NOTICE 'ok: search_fts.rowid references search_docs';
    END;
END;
$$;

-- ---- text compares bytewise, as on SQLite ------------------------------------------------

DO $$
DECLARE
    got TEXT;
    bad TEXT;
BEGIN
    INSERT INTO search_terms (term) VALUES ('a'), ('é'), ('B'), ('z'), ('Z'), ('ab');
    SELECT string_agg(term, ' ' ORDER BY term) INTO got FROM search_terms;
    IF got <> 'B Z a ab z é' THEN
        RAISE EXCEPTION 'FAILED: search_terms in order: %, expected bytewise: B Z a ab z é', got;
    END IF;
    RAISE NOTICE 'ok: ORDER BY term: % (bytewise: ''B'' < ''a'', ''é'' after ''z'')', got;
    -- The "next prefix" range scan of name search: every term from 'a' up to 'b'.
    SELECT string_agg(term, ' ' ORDER BY term) INTO got
      FROM search_terms WHERE term >= 'a' AND term < 'b';
    IF got <> 'a ab' THEN
        RAISE EXCEPTION 'FAILED: terms in [a, b): %, expected: a ab', got;
    END IF;
    RAISE NOTICE 'ok: range [a, b): %', got;
    -- Every text column of the schema is COLLATE "C".
    SELECT string_agg(c.table_name || '.' || c.column_name, ', ') INTO bad
      FROM information_schema.columns c
     WHERE c.table_schema = current_schema() AND c.data_type = 'text'
       AND c.collation_name IS DISTINCT FROM 'C';
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'FAILED: text columns not COLLATE "C": %', bad;
    END IF;
    RAISE NOTICE 'ok: every text column is COLLATE "C"';
END;
$$;

ROLLBACK;

\o
\echo 'check-schema: all checks passed'
