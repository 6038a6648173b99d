-- The headache diary on the clinic server (SQLite: migrations/0014_diary.sql): the same
-- table, read and written as the client is (a therapist: the clients they see; a manager
-- reads), granted to the login roles there are and to those made later.

CREATE TABLE diary_days (
    client_id      TEXT COLLATE "C" NOT NULL REFERENCES clients (id),
    day            TEXT COLLATE "C" NOT NULL,                       -- YYYY-MM-DD
    headache       BIGINT NOT NULL CHECK (headache IN (0, 1)),
    peak_intensity BIGINT CHECK (peak_intensity BETWEEN 0 AND 10),
    duration_hours DOUBLE PRECISION CHECK (duration_hours > 0 AND duration_hours <= 72),
    acute_meds     TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    triggers       TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    sleep_hours    DOUBLE PRECISION CHECK (sleep_hours BETWEEN 0 AND 24),
    sleep_quality  BIGINT CHECK (sleep_quality BETWEEN 0 AND 10),
    stress         BIGINT CHECK (stress BETWEEN 0 AND 10),
    menstruation   BIGINT CHECK (menstruation IN (0, 1)),
    note           TEXT COLLATE "C" NOT NULL DEFAULT '',
    recorded_by    TEXT COLLATE "C" NOT NULL,
    recorded_at    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (client_id, day)
);

-- A therapist reads and writes the diary of a client they see, and writes as themself; a
-- manager reads (they have no write grant's use: the core refuses them first).
ALTER TABLE diary_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE diary_days FORCE ROW LEVEL SECURITY;
CREATE POLICY diary_read ON diary_days FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())));
CREATE POLICY diary_add ON diary_days FOR INSERT WITH CHECK (
    (SELECT stillpoint_limited_to()) IS NULL
    OR (recorded_by = (SELECT stillpoint_limited_to())
        AND stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to()))));
CREATE POLICY diary_change ON diary_days FOR UPDATE
    USING ((SELECT stillpoint_limited_to()) IS NULL
           OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())))
    WITH CHECK ((SELECT stillpoint_limited_to()) IS NULL
           OR (recorded_by = (SELECT stillpoint_limited_to())
               AND stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to()))));
CREATE POLICY diary_remove ON diary_days FOR DELETE USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())));

-- The login roles there are: read (every role reads, as every other table) and write.
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT role_name FROM user_logins LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON diary_days TO %I', r);
    END LOOP;
END;
$$;

-- Logins made from now on: as in 0003_logins.sql, with diary_days among the tables written.
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
        technique_outcome_totals, diary_days TO %I', r);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %I', r);
    IF kind IN ('manager', 'administrator') THEN
        EXECUTE format('GRANT INSERT, UPDATE ON techniques, technique_warnings TO %I', r);
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
