-- Corrections of diary days, on the clinic server (SQLite: migrations/0018_diary_corrections.sql):
-- a day recorded before today is changed only with a reason, and each such change is a row
-- here, kept unchanged (the day as it was, as corrected or NULL when removed, the changes in
-- words, the reason, who). Read as the diary is: a therapist reads and adds those of the
-- clients she sees, in her own name; a manager reads.

CREATE TABLE diary_corrections (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    client_id  TEXT COLLATE "C" NOT NULL REFERENCES clients (id),
    day        TEXT COLLATE "C" NOT NULL,
    original   TEXT NOT NULL,
    corrected  TEXT,
    changes    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    author     TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL
);

CREATE INDEX diary_corrections_by_day ON diary_corrections (client_id, day, created_at);

CREATE TRIGGER diary_corrections_no_update BEFORE UPDATE ON diary_corrections
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('diary corrections are kept unchanged');
CREATE TRIGGER diary_corrections_no_delete BEFORE DELETE ON diary_corrections
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('diary corrections are kept unchanged');
CREATE TRIGGER diary_corrections_no_truncate BEFORE TRUNCATE ON diary_corrections
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('diary corrections are kept unchanged');

ALTER TABLE diary_corrections ENABLE ROW LEVEL SECURITY;
ALTER TABLE diary_corrections FORCE ROW LEVEL SECURITY;
CREATE POLICY diary_corrections_read ON diary_corrections FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())));
CREATE POLICY diary_corrections_add ON diary_corrections FOR INSERT WITH CHECK (
    (SELECT stillpoint_limited_to()) IS NULL
    OR (author = (SELECT stillpoint_limited_to())
        AND stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to()))));

-- Logins made before this schema: read diary corrections, and add them.
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT role_name FROM user_logins LOOP
        EXECUTE format('GRANT SELECT, INSERT ON diary_corrections TO %I', r);
    END LOOP;
END;
$$;

-- Logins made from now on: as schema 17's, with diary corrections.
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
    EXECUTE format('GRANT INSERT ON corrections, diary_corrections TO %I', r);
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
