-- PostgreSQL baseline: equal to SQLite schema 10 (src/db/migrations/0001..0010 applied in
-- order, with the hooks of 0005 and 0007..0010), as one file rather than a replay of that
-- history. Same tables, columns (in the same order), CHECKs, foreign keys, UNIQUEs, index
-- names, trigger names and trigger messages, and the same seeded rows.
--
-- One Rust row mapping serves both engines, so the types follow SQLite's storage classes:
--   INTEGER -> BIGINT (booleans stay 0/1 BIGINT with their CHECK), REAL -> DOUBLE PRECISION,
--   TEXT -> TEXT COLLATE "C" (SQLite compares text bytewise; sort keys, name prefixes, search
--   terms and "next prefix" range scans depend on it, whatever the database's collation).
-- STRICT and WITHOUT ROWID have no PostgreSQL meaning and are left out.
-- Trigger refusals raise SQLSTATE P0001 with SQLite's RAISE(ABORT, ...) text, character for
-- character. Unlike SQLite's ABORT (which undoes only the statement), a PostgreSQL error
-- aborts the whole transaction unless the caller took a savepoint.
-- TRUNCATE bypasses row triggers, so every table whose rows may never be deleted also
-- refuses TRUNCATE (SQLite has no TRUNCATE: its DELETE without WHERE fires the triggers).
--
-- No BEGIN/COMMIT here: the migration runner applies this file inside its own transaction
-- (and records it in stillpoint_migrations, which it creates itself); by hand use psql -1.
-- Needs PostgreSQL 13+ (unaccent is a trusted extension there: the database owner may
-- create it) and the contrib unaccent files (Debian: part of postgresql-15).

-- ---- functions used by the triggers ----------------------------------------------------

-- Refuses the row change: TG_ARGV[0] is the message, as in SQLite's RAISE(ABORT, ...).
CREATE FUNCTION stillpoint_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'P0001';
END;
$$;

-- For rows of a session note (techniques, marks): refuses the change when the note it
-- belongs to (before or after the change) is signed. SQLite's WHEN has a subquery, which a
-- PostgreSQL trigger WHEN may not, so the condition is here. FOR SHARE holds the note's row
-- until commit: a note cannot be signed between this check and the commit (SQLite gets
-- that from its single writer), and a write that waited for a signing sees it signed.
CREATE FUNCTION stillpoint_refuse_if_session_signed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    note_status TEXT;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO note_status FROM sessions WHERE id = OLD.session_id FOR SHARE;
        IF note_status = 'signed' THEN
            RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'P0001';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO note_status FROM sessions WHERE id = NEW.session_id FOR SHARE;
        IF note_status = 'signed' THEN
            RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'P0001';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;

-- ---- clients (0001, 0006) ----------------------------------------------------------------

CREATE TABLE clients (
    id                      TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    first_name              TEXT COLLATE "C" NOT NULL,
    last_name               TEXT COLLATE "C" NOT NULL,
    preferred_name          TEXT COLLATE "C" NOT NULL DEFAULT '',
    date_of_birth           TEXT COLLATE "C",            -- YYYY-MM-DD
    phone                   TEXT COLLATE "C" NOT NULL DEFAULT '',
    email                   TEXT COLLATE "C" NOT NULL DEFAULT '',
    address                 TEXT COLLATE "C" NOT NULL DEFAULT '',
    emergency_contact_name  TEXT COLLATE "C" NOT NULL DEFAULT '',
    emergency_contact_phone TEXT COLLATE "C" NOT NULL DEFAULT '',
    physician_name          TEXT COLLATE "C" NOT NULL DEFAULT '',
    physician_contact       TEXT COLLATE "C" NOT NULL DEFAULT '',
    occupation              TEXT COLLATE "C" NOT NULL DEFAULT '',
    posture_notes           TEXT COLLATE "C" NOT NULL DEFAULT '',
    medical_history         TEXT COLLATE "C" NOT NULL DEFAULT '',
    medications_preventive  TEXT COLLATE "C" NOT NULL DEFAULT '',
    medications_acute       TEXT COLLATE "C" NOT NULL DEFAULT '',
    allergies               TEXT COLLATE "C" NOT NULL DEFAULT '',
    contraindications       TEXT COLLATE "C" NOT NULL DEFAULT '',
    preferred_pressure      TEXT COLLATE "C" CHECK (preferred_pressure IN ('light', 'moderate', 'firm')),
    areas_to_avoid          TEXT COLLATE "C" NOT NULL DEFAULT '',
    positioning             TEXT COLLATE "C" NOT NULL DEFAULT '',
    consent_version         TEXT COLLATE "C" NOT NULL DEFAULT '',
    consent_date            TEXT COLLATE "C",            -- YYYY-MM-DD
    notes                   TEXT COLLATE "C" NOT NULL DEFAULT '',
    -- Derived by the core from the names: folded to ASCII lower case for search and order.
    search_key              TEXT COLLATE "C" NOT NULL,
    sort_key                TEXT COLLATE "C" NOT NULL,
    version                 BIGINT NOT NULL DEFAULT 1,
    created_at              TEXT COLLATE "C" NOT NULL,   -- RFC 3339 UTC
    updated_at              TEXT COLLATE "C" NOT NULL,
    archived_at             TEXT COLLATE "C",
    created_by              TEXT COLLATE "C" NOT NULL DEFAULT ''   -- added by 0006
);

-- The archived flag is an expression key, as on SQLite.
CREATE INDEX clients_by_sort ON clients ((archived_at IS NOT NULL), sort_key, id);
CREATE INDEX clients_by_creator ON clients (created_by);
CREATE INDEX clients_archived ON clients (archived_at) WHERE archived_at IS NOT NULL;

-- Clients are archived, never deleted.
CREATE TRIGGER clients_never_deleted BEFORE DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('clients are archived, never deleted');
-- PostgreSQL only: TRUNCATE would bypass the DELETE trigger.
CREATE TRIGGER clients_never_truncated BEFORE TRUNCATE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('clients are archived, never deleted');

-- ---- audit log (0001, 0005 and its hook) -------------------------------------------------

-- Differs: seq is a plain BIGINT key, no sequence (SQLite: INTEGER PRIMARY KEY
-- AUTOINCREMENT). The app issues the next number from audit_issued under the write lock: a
-- rolled-back insert would leave a sequence gap, which the chain verifier reads as a removed
-- entry.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        TEXT COLLATE "C" NOT NULL,   -- RFC 3339 UTC
    actor     TEXT COLLATE "C" NOT NULL,
    action    TEXT COLLATE "C" NOT NULL,   -- e.g. client.create
    entity    TEXT COLLATE "C" NOT NULL,   -- e.g. client
    entity_id TEXT COLLATE "C" NOT NULL,
    summary   TEXT COLLATE "C" NOT NULL,
    hash      TEXT COLLATE "C" NOT NULL DEFAULT ''   -- added by 0005
);

CREATE INDEX audit_by_entity ON audit_log (entity, entity_id, seq);

-- 0005 dropped audit_log_no_update and its hook created it again after hashing the
-- existing entries: the final state refuses UPDATE and DELETE.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('the audit log is append-only');
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('the audit log is append-only');
-- PostgreSQL only: TRUNCATE would bypass the DELETE trigger.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('the audit log is append-only');

-- PostgreSQL only: the highest audit number ever issued, as SQLite's sqlite_sequence keeps
-- it for an AUTOINCREMENT key, so entries removed from the end of the log are found. One
-- row; it only ever goes up.
CREATE TABLE audit_issued (
    id  BIGINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    seq BIGINT NOT NULL CHECK (seq >= 0)
);
INSERT INTO audit_issued (id, seq) VALUES (1, 0);

CREATE FUNCTION stillpoint_audit_issued_only_up() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq < OLD.seq THEN
        RAISE EXCEPTION '%', 'the audit log is append-only' USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_issued_only_up BEFORE UPDATE ON audit_issued
    FOR EACH ROW EXECUTE FUNCTION stillpoint_audit_issued_only_up();
CREATE TRIGGER audit_issued_no_delete BEFORE DELETE ON audit_issued
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('the audit log is append-only');
CREATE TRIGGER audit_issued_no_truncate BEFORE TRUNCATE ON audit_issued
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('the audit log is append-only');

-- ---- charting (0002, 0006, 0008) ---------------------------------------------------------

CREATE TABLE intakes (
    id                   TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    client_id            TEXT COLLATE "C" NOT NULL REFERENCES clients (id),
    assessed_on          TEXT COLLATE "C" NOT NULL,                -- YYYY-MM-DD
    headache_type        TEXT COLLATE "C",
    physician_diagnosed  BIGINT NOT NULL DEFAULT 0 CHECK (physician_diagnosed IN (0, 1)),
    headache_days        BIGINT NOT NULL CHECK (headache_days BETWEEN 0 AND 30),
    migraine_days        BIGINT CHECK (migraine_days BETWEEN 0 AND 30 AND migraine_days <= headache_days),
    usual_intensity      BIGINT NOT NULL CHECK (usual_intensity BETWEEN 0 AND 10),
    worst_intensity      BIGINT CHECK (worst_intensity BETWEEN 0 AND 10),
    usual_duration_hours DOUBLE PRECISION CHECK (usual_duration_hours > 0),
    acute_med_days       BIGINT CHECK (acute_med_days BETWEEN 0 AND 30),
    acute_med_kinds      TEXT COLLATE "C" NOT NULL DEFAULT '[]',   -- JSON arrays of vocabulary ids
    triggers             TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    trigger_notes        TEXT COLLATE "C" NOT NULL DEFAULT '',
    pain_sites           TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    symptoms             TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    sleep_quality        BIGINT CHECK (sleep_quality BETWEEN 0 AND 10),
    sleep_hours          DOUBLE PRECISION CHECK (sleep_hours BETWEEN 0 AND 24),
    stress               BIGINT CHECK (stress BETWEEN 0 AND 10),
    red_flags            TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    goals                TEXT COLLATE "C" NOT NULL DEFAULT '',
    notes                TEXT COLLATE "C" NOT NULL DEFAULT '',
    recorded_by          TEXT COLLATE "C" NOT NULL,
    recorded_at          TEXT COLLATE "C" NOT NULL
);

CREATE INDEX intakes_by_client ON intakes (client_id, assessed_on);
CREATE INDEX intakes_by_recorder ON intakes (recorded_by, client_id);
CREATE INDEX intakes_with_red_flags ON intakes (assessed_on) WHERE red_flags <> '[]';

CREATE TRIGGER intakes_no_delete BEFORE DELETE ON intakes
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('intakes are kept');
-- PostgreSQL only: TRUNCATE would bypass the DELETE trigger.
CREATE TRIGGER intakes_no_truncate BEFORE TRUNCATE ON intakes
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('intakes are kept');

CREATE TABLE red_flag_acks (
    intake_id       TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES intakes (id),
    acknowledged_by TEXT COLLATE "C" NOT NULL,
    acknowledged_at TEXT COLLATE "C" NOT NULL,
    referral_note   TEXT COLLATE "C" NOT NULL
);

CREATE INDEX red_flag_acks_by_time ON red_flag_acks (acknowledged_at);

-- Acknowledgements are written once and kept.
CREATE TRIGGER acks_no_update BEFORE UPDATE ON red_flag_acks
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('acknowledgements are kept unchanged');
CREATE TRIGGER acks_no_delete BEFORE DELETE ON red_flag_acks
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('acknowledgements are kept unchanged');
-- PostgreSQL only: TRUNCATE would bypass the DELETE trigger.
CREATE TRIGGER acks_no_truncate BEFORE TRUNCATE ON red_flag_acks
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('acknowledgements are kept unchanged');

-- Structured contraindications on a client (vocabulary ids), which warn against techniques.
CREATE TABLE client_contraindications (
    client_id TEXT COLLATE "C" NOT NULL REFERENCES clients (id),
    flag      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (client_id, flag)
);

CREATE TABLE techniques (
    id          TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    name_key    TEXT COLLATE "C" NOT NULL UNIQUE,     -- folded name: no two techniques look alike
    description TEXT COLLATE "C" NOT NULL DEFAULT '',
    retired_at  TEXT COLLATE "C",
    created_at  TEXT COLLATE "C" NOT NULL
);

CREATE TRIGGER techniques_never_deleted BEFORE DELETE ON techniques
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('techniques are retired, never deleted');
-- PostgreSQL only: TRUNCATE would bypass the DELETE trigger.
CREATE TRIGGER techniques_never_truncated BEFORE TRUNCATE ON techniques
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('techniques are retired, never deleted');

-- Which client contraindications warn against which technique.
CREATE TABLE technique_warnings (
    technique_id TEXT COLLATE "C" NOT NULL REFERENCES techniques (id),
    flag         TEXT COLLATE "C" NOT NULL,
    message      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (technique_id, flag)
);

CREATE TABLE sessions (
    id                  TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    client_id           TEXT COLLATE "C" NOT NULL REFERENCES clients (id),
    therapist           TEXT COLLATE "C" NOT NULL,
    started_at          TEXT COLLATE "C" NOT NULL,           -- local date and time, YYYY-MM-DDTHH:MM
    duration_minutes    BIGINT CHECK (duration_minutes BETWEEN 1 AND 480),
    subjective          TEXT COLLATE "C" NOT NULL DEFAULT '',
    headache_since_last TEXT COLLATE "C" NOT NULL DEFAULT '',
    objective           TEXT COLLATE "C" NOT NULL DEFAULT '',
    assessment          TEXT COLLATE "C" NOT NULL DEFAULT '',
    plan                TEXT COLLATE "C" NOT NULL DEFAULT '',
    pain_before         BIGINT CHECK (pain_before BETWEEN 0 AND 10),
    pain_after          BIGINT CHECK (pain_after BETWEEN 0 AND 10),
    headache_at_start   BIGINT NOT NULL DEFAULT 0 CHECK (headache_at_start IN (0, 1)),
    status              TEXT COLLATE "C" NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'signed')),
    signed_by           TEXT COLLATE "C",
    signed_at           TEXT COLLATE "C",
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TEXT COLLATE "C" NOT NULL,
    updated_at          TEXT COLLATE "C" NOT NULL
);

-- (0002's sessions_by_status was dropped by 0008.)
CREATE INDEX sessions_by_client ON sessions (client_id, started_at);
CREATE INDEX sessions_by_therapist ON sessions (therapist, client_id);
CREATE INDEX sessions_by_start ON sessions (started_at, therapist, status, client_id);
CREATE INDEX sessions_drafts_by_created ON sessions (created_at) WHERE status = 'draft';

-- A signed note is locked, whatever the path: no UPDATE or DELETE of it, its techniques
-- or its marks. Signing itself is the one UPDATE allowed, from draft to signed.
CREATE TRIGGER signed_session_no_update BEFORE UPDATE ON sessions
    FOR EACH ROW WHEN (OLD.status = 'signed')
    EXECUTE FUNCTION stillpoint_refuse('a signed session note is locked; add an amendment instead');
CREATE TRIGGER session_no_delete BEFORE DELETE ON sessions
    FOR EACH ROW WHEN (OLD.status = 'signed')
    EXECUTE FUNCTION stillpoint_refuse('a signed session note is locked; add an amendment instead');
-- PostgreSQL only: TRUNCATE would bypass the DELETE trigger.
CREATE TRIGGER sessions_no_truncate BEFORE TRUNCATE ON sessions
    FOR EACH STATEMENT
    EXECUTE FUNCTION stillpoint_refuse('a signed session note is locked; add an amendment instead');

CREATE TABLE session_techniques (
    session_id   TEXT COLLATE "C" NOT NULL REFERENCES sessions (id),
    position     BIGINT NOT NULL,
    technique_id TEXT COLLATE "C" NOT NULL REFERENCES techniques (id),
    regions      TEXT COLLATE "C" NOT NULL DEFAULT '[]',      -- JSON array of region ids
    pressure     TEXT COLLATE "C" CHECK (pressure IN ('light', 'moderate', 'firm')),
    minutes      BIGINT CHECK (minutes BETWEEN 1 AND 480),
    reason       TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, position)
);

CREATE INDEX session_techniques_by_technique ON session_techniques (technique_id);

-- Differs: SQLite's WHEN (SELECT status FROM sessions ...) = 'signed' is inside the
-- function (no subqueries in a PostgreSQL trigger WHEN), same condition, plus FOR SHARE.
CREATE TRIGGER signed_techniques_no_insert BEFORE INSERT ON session_techniques
    FOR EACH ROW EXECUTE FUNCTION
    stillpoint_refuse_if_session_signed('a signed session note is locked; add an amendment instead');
CREATE TRIGGER signed_techniques_no_update BEFORE UPDATE ON session_techniques
    FOR EACH ROW EXECUTE FUNCTION
    stillpoint_refuse_if_session_signed('a signed session note is locked; add an amendment instead');
CREATE TRIGGER signed_techniques_no_delete BEFORE DELETE ON session_techniques
    FOR EACH ROW EXECUTE FUNCTION
    stillpoint_refuse_if_session_signed('a signed session note is locked; add an amendment instead');
-- PostgreSQL only: TRUNCATE would bypass the DELETE trigger (and the signed rows' check).
CREATE TRIGGER session_techniques_no_truncate BEFORE TRUNCATE ON session_techniques
    FOR EACH STATEMENT
    EXECUTE FUNCTION stillpoint_refuse('a signed session note is locked; add an amendment instead');

CREATE TABLE session_marks (
    session_id TEXT COLLATE "C" NOT NULL REFERENCES sessions (id),
    region     TEXT COLLATE "C" NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL CHECK (kind IN ('tension', 'trigger_point', 'pain', 'treated')),
    PRIMARY KEY (session_id, region)
);

-- Differs: as for session_techniques, the WHEN subquery is inside the function.
CREATE TRIGGER signed_marks_no_insert BEFORE INSERT ON session_marks
    FOR EACH ROW EXECUTE FUNCTION
    stillpoint_refuse_if_session_signed('a signed session note is locked; add an amendment instead');
CREATE TRIGGER signed_marks_no_update BEFORE UPDATE ON session_marks
    FOR EACH ROW EXECUTE FUNCTION
    stillpoint_refuse_if_session_signed('a signed session note is locked; add an amendment instead');
CREATE TRIGGER signed_marks_no_delete BEFORE DELETE ON session_marks
    FOR EACH ROW EXECUTE FUNCTION
    stillpoint_refuse_if_session_signed('a signed session note is locked; add an amendment instead');
-- PostgreSQL only: TRUNCATE would bypass the DELETE trigger (and the signed rows' check).
CREATE TRIGGER session_marks_no_truncate BEFORE TRUNCATE ON session_marks
    FOR EACH STATEMENT
    EXECUTE FUNCTION stillpoint_refuse('a signed session note is locked; add an amendment instead');

CREATE TABLE amendments (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    session_id TEXT COLLATE "C" NOT NULL REFERENCES sessions (id),
    author     TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    reason     TEXT COLLATE "C" NOT NULL,
    body       TEXT COLLATE "C" NOT NULL
);

CREATE INDEX amendments_by_session ON amendments (session_id, created_at);

-- Amendments are written once and kept.
CREATE TRIGGER amendments_no_update BEFORE UPDATE ON amendments
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('amendments are kept unchanged');
CREATE TRIGGER amendments_no_delete BEFORE DELETE ON amendments
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('amendments are kept unchanged');
-- PostgreSQL only: TRUNCATE would bypass the DELETE trigger.
CREATE TRIGGER amendments_no_truncate BEFORE TRUNCATE ON amendments
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('amendments are kept unchanged');

-- The seeded catalogue. Fixed ids so every database names them alike.
INSERT INTO techniques (id, name, name_key, description, created_at) VALUES
 ('01900000-0000-7000-8000-000000000001', 'Trigger point therapy', 'trigger point therapy',
  'Sustained pressure on hyperirritable spots in taut muscle bands (e.g. suboccipitals, upper trapezius, SCM, temporalis) that refer pain to the head.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000002', 'Myofascial release', 'myofascial release',
  'Slow, sustained stretch of the fascia of the neck, shoulders and upper back to ease restriction and tension.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000003', 'Craniosacral therapy', 'craniosacral therapy',
  'Very light touch at the skull, neck and sacrum, aimed at calming the nervous system; suits clients who prefer gentle work.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000004', 'Scalp massage', 'scalp massage',
  'Kneading and circular friction over the frontalis, temporalis and occipitalis and the scalp zones.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000005', 'Cervical stretching', 'cervical stretching',
  'Gentle, client-controlled stretches of the neck: side bending, rotation and chin tucks.',
  '2026-01-01T00:00:00.000Z');

INSERT INTO technique_warnings (technique_id, flag, message) VALUES
 ('01900000-0000-7000-8000-000000000005', 'recent_neck_injury',
  'Recent head or neck injury: avoid cervical stretching until a physician has cleared it.'),
 ('01900000-0000-7000-8000-000000000005', 'cervical_instability',
  'Cervical instability, osteoporosis or disc disease: avoid cervical stretching.'),
 ('01900000-0000-7000-8000-000000000005', 'recent_concussion',
  'Concussion in the last 3 months: avoid cervical stretching.'),
 ('01900000-0000-7000-8000-000000000001', 'anticoagulants',
  'Anticoagulants or easy bruising: keep trigger point pressure light.'),
 ('01900000-0000-7000-8000-000000000002', 'anticoagulants',
  'Anticoagulants or easy bruising: keep myofascial work light.'),
 ('01900000-0000-7000-8000-000000000004', 'scalp_skin_condition',
  'Scalp skin condition, wound or infection: avoid the affected scalp zones.'),
 ('01900000-0000-7000-8000-000000000001', 'hypertension',
  'Uncontrolled high blood pressure: avoid firm, sustained pressure on the neck.');

-- ---- full-text search (0003, 0010) -------------------------------------------------------

-- Differs: search_docs.id is an identity column (SQLite: INTEGER PRIMARY KEY, the rowid,
-- assigned on insert); read the new id with RETURNING on both engines.
CREATE TABLE search_docs (
    id        BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind      TEXT COLLATE "C" NOT NULL CHECK (kind IN ('client', 'session', 'amendment', 'intake')),
    record_id TEXT COLLATE "C" NOT NULL UNIQUE,
    open_id   TEXT COLLATE "C" NOT NULL,         -- what a hit opens: the record, or an amendment's session
    client_id TEXT COLLATE "C" NOT NULL REFERENCES clients (id),
    at        TEXT COLLATE "C" NOT NULL          -- when the record happened, for "newest first"
);

CREATE INDEX search_docs_by_client ON search_docs (client_id, at);
CREATE INDEX search_docs_by_at ON search_docs (at);

-- Diacritics-insensitive: "Zoe" finds "Zoë", "cafe" finds "café". SQLite's FTS5 tokenizer
-- is unicode61 remove_diacritics 2; here the words go through unaccent, then simple (lower
-- case, no stemming, no stop words), like FTS5's default (no stemming either). Words of
-- letters and digits ("café2", numword) are folded too, as FTS5 folds every token. The core
-- guards the text it indexes so the parser sees plain words only (search::guarded).
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION stillpoint_search (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION stillpoint_search
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part,
                      numword, numhword, hword_numpart
    WITH unaccent, simple;

-- Differs: a table with a stored tsvector and a GIN index instead of the FTS5 virtual table
-- (rowid = search_docs.id, as on SQLite; here also a declared foreign key). The generated
-- column calls to_tsvector(regconfig, text), which is IMMUTABLE; the configuration name is
-- resolved to its OID when this is created, so no wrapper function is needed.
-- FTS5's MATCH, snippet() and bm25 become @@ to_tsquery('stillpoint_search', ...) with :*
-- prefixes, ts_headline and ts_rank; fts5vocab (the words of the index, and of one entry
-- through the temp scratch table) become search_terms and to_tsvector(...) of the text.
CREATE TABLE search_fts (
    rowid BIGINT PRIMARY KEY REFERENCES search_docs (id),
    body  TEXT COLLATE "C" NOT NULL,
    tsv   tsvector GENERATED ALWAYS AS (to_tsvector('stillpoint_search', body)) STORED
);

CREATE INDEX search_fts_tsv ON search_fts USING gin (tsv);

-- Every word the full-text index holds (0010), for spelling out a typed prefix.
CREATE TABLE search_terms (
    term TEXT COLLATE "C" PRIMARY KEY NOT NULL
);

-- ---- settings (0004, 0006) ---------------------------------------------------------------

-- Differs: id is a plain BIGINT key with DEFAULT 1 (SQLite: INTEGER PRIMARY KEY, a rowid
-- alias). The table has one row, id 1, by its CHECK: an identity sequence would add nothing.
CREATE TABLE clinic_settings (
    id                BIGINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    name              TEXT COLLATE "C" NOT NULL DEFAULT '',
    address           TEXT COLLATE "C" NOT NULL DEFAULT '',
    phone             TEXT COLLATE "C" NOT NULL DEFAULT '',
    updated_at        TEXT COLLATE "C",
    idle_lock_minutes BIGINT NOT NULL DEFAULT 10
        CHECK (idle_lock_minutes BETWEEN 1 AND 240)   -- added by 0006
);

INSERT INTO clinic_settings (id) VALUES (1);

-- ---- users (0006) ------------------------------------------------------------------------

CREATE TABLE users (
    username     TEXT COLLATE "C" PRIMARY KEY NOT NULL,   -- lowercase a-z 0-9 . _ -
    display_name TEXT COLLATE "C" NOT NULL,
    role         TEXT COLLATE "C" NOT NULL CHECK (role IN ('therapist', 'manager', 'administrator')),
    created_at   TEXT COLLATE "C" NOT NULL,
    disabled_at  TEXT COLLATE "C"
);

CREATE TRIGGER users_no_delete BEFORE DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION
    stillpoint_refuse('users are disabled, never deleted: their records name them');
-- PostgreSQL only: TRUNCATE would bypass the DELETE trigger.
CREATE TRIGGER users_no_truncate BEFORE TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION
    stillpoint_refuse('users are disabled, never deleted: their records name them');

-- ---- outcome running totals (0007; its hook counts nothing on an empty database) ---------

CREATE TABLE technique_outcome_totals (
    technique_id       TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES techniques (id),
    sessions           BIGINT NOT NULL DEFAULT 0,
    sessions_with_pain BIGINT NOT NULL DEFAULT 0,
    pain_change_sum    BIGINT NOT NULL DEFAULT 0,
    clients            BIGINT NOT NULL DEFAULT 0,
    clients_measurable BIGINT NOT NULL DEFAULT 0,
    responders         BIGINT NOT NULL DEFAULT 0
);

-- ---- client name prefixes (0009) ---------------------------------------------------------

-- Clients found by the start of any word of their names: every start of every word, once per
-- client; the key orders one prefix's entries in list order (bytewise, by COLLATE "C").
CREATE TABLE client_name_prefixes (
    prefix    TEXT COLLATE "C" NOT NULL,
    archived  BIGINT NOT NULL CHECK (archived IN (0, 1)),
    sort_key  TEXT COLLATE "C" NOT NULL,
    client_id TEXT COLLATE "C" NOT NULL REFERENCES clients (id),
    PRIMARY KEY (prefix, archived, sort_key, client_id)
);

CREATE INDEX client_name_prefixes_by_client ON client_name_prefixes (client_id, prefix);
