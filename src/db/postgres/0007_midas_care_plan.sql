-- MIDAS questionnaires (repeated like an intake) and one current care plan per client, with
-- the same row-level security as intakes: a therapist reads and writes those of the clients
-- they may read; managers and administrators read all; the owner everything.

CREATE TABLE midas_assessments (
    id                TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    client_id         TEXT COLLATE "C" NOT NULL REFERENCES clients (id),
    answered_on       TEXT COLLATE "C" NOT NULL,                -- YYYY-MM-DD
    missed_work       BIGINT NOT NULL CHECK (missed_work BETWEEN 0 AND 92),
    reduced_work      BIGINT NOT NULL CHECK (reduced_work BETWEEN 0 AND 92),
    missed_household  BIGINT NOT NULL CHECK (missed_household BETWEEN 0 AND 92),
    reduced_household BIGINT NOT NULL CHECK (reduced_household BETWEEN 0 AND 92),
    missed_leisure    BIGINT NOT NULL CHECK (missed_leisure BETWEEN 0 AND 92),
    headache_days     BIGINT CHECK (headache_days BETWEEN 0 AND 92),
    average_pain      BIGINT CHECK (average_pain BETWEEN 0 AND 10),
    recorded_by       TEXT COLLATE "C" NOT NULL,
    recorded_at       TEXT COLLATE "C" NOT NULL
);

CREATE INDEX midas_by_client ON midas_assessments (client_id, answered_on);
CREATE INDEX midas_by_recorder ON midas_assessments (recorded_by, client_id);

CREATE TRIGGER midas_no_delete BEFORE DELETE ON midas_assessments
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('MIDAS assessments are kept');
CREATE TRIGGER midas_no_update BEFORE UPDATE ON midas_assessments
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('MIDAS assessments are kept as answered');
CREATE TRIGGER midas_no_truncate BEFORE TRUNCATE ON midas_assessments
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('MIDAS assessments are kept');

CREATE TABLE care_plans (
    client_id             TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES clients (id),
    goals                 TEXT COLLATE "C" NOT NULL DEFAULT '',
    phases                TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    starts_on             TEXT COLLATE "C" NOT NULL,
    next_reassessment_on  TEXT COLLATE "C",
    shared_with_physician BIGINT NOT NULL DEFAULT 0 CHECK (shared_with_physician IN (0, 1)),
    updated_by            TEXT COLLATE "C" NOT NULL,
    updated_at            TEXT COLLATE "C" NOT NULL
);

CREATE INDEX care_plans_by_reassessment ON care_plans (next_reassessment_on);

CREATE TRIGGER care_plans_no_delete BEFORE DELETE ON care_plans
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('care plans are kept');
CREATE TRIGGER care_plans_no_truncate BEFORE TRUNCATE ON care_plans
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('care plans are kept');

ALTER TABLE midas_assessments ENABLE ROW LEVEL SECURITY;
ALTER TABLE midas_assessments FORCE ROW LEVEL SECURITY;
CREATE POLICY midas_read ON midas_assessments FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR recorded_by = (SELECT stillpoint_limited_to())
    OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())));
CREATE POLICY midas_add ON midas_assessments FOR INSERT WITH CHECK (
    (SELECT stillpoint_limited_to()) IS NULL
    OR (recorded_by = (SELECT stillpoint_limited_to())
        AND stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to()))));

ALTER TABLE care_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE care_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY care_plans_read ON care_plans FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())));
CREATE POLICY care_plans_add ON care_plans FOR INSERT WITH CHECK (
    (SELECT stillpoint_limited_to()) IS NULL
    OR (updated_by = (SELECT stillpoint_limited_to())
        AND stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to()))));
CREATE POLICY care_plans_change ON care_plans FOR UPDATE
    USING ((SELECT stillpoint_limited_to()) IS NULL
           OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())))
    WITH CHECK ((SELECT stillpoint_limited_to()) IS NULL
                OR (updated_by = (SELECT stillpoint_limited_to())
                    AND stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to()))));

-- Logins made before this schema: read the new tables, and write them (a MIDAS is only ever
-- added; a care plan is added, then changed).
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT role_name FROM user_logins LOOP
        EXECUTE format('GRANT SELECT, INSERT ON midas_assessments TO %I', r);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON care_plans TO %I', r);
    END LOOP;
END;
$$;

-- Logins made from now on: as schema 15's (profile, diary, home care), with the new tables.
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
