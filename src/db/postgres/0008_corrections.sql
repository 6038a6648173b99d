-- Corrections that count, on the clinic server (SQLite: migrations/0017_corrections.sql):
-- an amendment of a signed note may correct a value it recorded (pain before, pain after,
-- duration), and a MIDAS answer may be corrected with its reason. The original rows stay
-- locked; a correction is a row here, kept unchanged, read as its record is: a therapist
-- reads those of the clients they see and corrects only their own notes; a manager reads.

CREATE TABLE corrections (
    id           TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    client_id    TEXT COLLATE "C" NOT NULL REFERENCES clients (id),
    record_kind  TEXT COLLATE "C" NOT NULL CHECK (record_kind IN ('session', 'midas')),
    record_id    TEXT COLLATE "C" NOT NULL,
    field        TEXT COLLATE "C" NOT NULL,
    original     BIGINT,
    corrected    BIGINT NOT NULL CHECK (corrected BETWEEN 0 AND 100000),
    reason       TEXT COLLATE "C" NOT NULL,
    amendment_id TEXT COLLATE "C" REFERENCES amendments (id),
    author       TEXT COLLATE "C" NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL
);

CREATE INDEX corrections_by_record ON corrections (record_id, field, created_at);
CREATE INDEX corrections_by_client ON corrections (client_id);

CREATE TRIGGER corrections_no_update BEFORE UPDATE ON corrections
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('corrections are kept unchanged');
CREATE TRIGGER corrections_no_delete BEFORE DELETE ON corrections
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('corrections are kept unchanged');
CREATE TRIGGER corrections_no_truncate BEFORE TRUNCATE ON corrections
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('corrections are kept unchanged');

ALTER TABLE corrections ENABLE ROW LEVEL SECURITY;
ALTER TABLE corrections FORCE ROW LEVEL SECURITY;
CREATE POLICY corrections_read ON corrections FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())));
CREATE POLICY corrections_add ON corrections FOR INSERT WITH CHECK (
    (SELECT stillpoint_limited_to()) IS NULL
    OR (author = (SELECT stillpoint_limited_to())
        AND stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to()))
        AND (record_kind <> 'session'
             OR stillpoint_writes_session(record_id, (SELECT stillpoint_limited_to())))));

-- Logins made before this schema: read corrections, and add them.
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT role_name FROM user_logins LOOP
        EXECUTE format('GRANT SELECT, INSERT ON corrections TO %I', r);
    END LOOP;
END;
$$;

-- Logins made from now on: as schema 16's (profile, diary, home care, MIDAS, care plans),
-- with corrections.
CREATE OR REPLACE FUNCTION stillpoint_create_login(p_username text, p_verifier text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r    text := stillpoint_login_role(p_username);
    kind text := (SELECT role FROM users WHERE username = p_username);
BEGIN
    IF NOT stillpoint_may_administer() THEN
        RAISE EXCEPTION 'only an administrator may add logins' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF kind IS NULL THEN
        RAISE EXCEPTION 'there is no user %', p_username USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM stillpoint_check_verifier(p_verifier);
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', r, p_verifier);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', r);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', r);
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON clients, client_contraindications,
        client_name_prefixes, intakes, red_flag_acks, sessions, session_techniques,
        session_marks, amendments, search_docs, search_fts, search_terms,
        technique_outcome_totals, diary_days, session_home_care TO %I', r);
    EXECUTE format('GRANT INSERT ON midas_assessments TO %I', r);
    EXECUTE format('GRANT INSERT, UPDATE ON care_plans TO %I', r);
    EXECUTE format('GRANT INSERT ON corrections TO %I', r);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %I', r);
    IF kind IN ('manager', 'administrator') THEN
        EXECUTE format('GRANT INSERT, UPDATE ON techniques, technique_warnings, home_care_items TO %I', r);
    END IF;
    IF kind = 'administrator' THEN
        EXECUTE format('GRANT INSERT, UPDATE ON clinic_settings, users TO %I', r);
    END IF;
    EXECUTE format('GRANT EXECUTE ON FUNCTION stillpoint_create_login(text, text),
        stillpoint_set_login_password(text, text), stillpoint_set_login_enabled(text, boolean),
        stillpoint_set_profile(text, text, text) TO %I', r);
    INSERT INTO user_logins (role_name, username) VALUES (r, p_username);
    RETURN r;
END;
$$;
REVOKE ALL ON FUNCTION stillpoint_create_login(text, text) FROM PUBLIC;
