-- Home care the client takes home (the same schema as SQLite's 0015_home_care.sql): a
-- library of items kept like the technique catalogue, and the items a session note's plan
-- gives the client, each with a personal line, locked when the note is signed.
CREATE TABLE home_care_items (
    id           TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    title        TEXT COLLATE "C" NOT NULL,
    title_key    TEXT COLLATE "C" NOT NULL UNIQUE,     -- folded title: no two items look alike
    instructions TEXT COLLATE "C" NOT NULL DEFAULT '',
    retired_at   TEXT COLLATE "C",
    created_at   TEXT COLLATE "C" NOT NULL
);

CREATE TRIGGER home_care_items_never_deleted BEFORE DELETE ON home_care_items
    FOR EACH ROW EXECUTE FUNCTION stillpoint_refuse('home-care items are retired, never deleted');
-- PostgreSQL only: TRUNCATE would bypass the DELETE trigger.
CREATE TRIGGER home_care_items_never_truncated BEFORE TRUNCATE ON home_care_items
    FOR EACH STATEMENT EXECUTE FUNCTION stillpoint_refuse('home-care items are retired, never deleted');

CREATE TABLE session_home_care (
    session_id    TEXT COLLATE "C" NOT NULL REFERENCES sessions (id),
    position      BIGINT NOT NULL,
    item_id       TEXT COLLATE "C" NOT NULL REFERENCES home_care_items (id),
    personal_line TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, position)
);

CREATE INDEX session_home_care_by_item ON session_home_care (item_id);

-- Differs: SQLite's WHEN subquery is inside the function, as for session_techniques.
CREATE TRIGGER signed_home_care_no_insert BEFORE INSERT ON session_home_care
    FOR EACH ROW EXECUTE FUNCTION
    stillpoint_refuse_if_session_signed('a signed session note is locked; add an amendment instead');
CREATE TRIGGER signed_home_care_no_update BEFORE UPDATE ON session_home_care
    FOR EACH ROW EXECUTE FUNCTION
    stillpoint_refuse_if_session_signed('a signed session note is locked; add an amendment instead');
CREATE TRIGGER signed_home_care_no_delete BEFORE DELETE ON session_home_care
    FOR EACH ROW EXECUTE FUNCTION
    stillpoint_refuse_if_session_signed('a signed session note is locked; add an amendment instead');
CREATE TRIGGER session_home_care_no_truncate BEFORE TRUNCATE ON session_home_care
    FOR EACH STATEMENT
    EXECUTE FUNCTION stillpoint_refuse('a signed session note is locked; add an amendment instead');

-- A therapist reads the home care of every note they may read and writes only their own
-- notes' (as session_techniques).
ALTER TABLE session_home_care ENABLE ROW LEVEL SECURITY;
ALTER TABLE session_home_care FORCE ROW LEVEL SECURITY;
CREATE POLICY home_care_read ON session_home_care FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_session(session_id, (SELECT stillpoint_limited_to())));
CREATE POLICY home_care_write ON session_home_care FOR ALL
    USING ((SELECT stillpoint_limited_to()) IS NULL
           OR stillpoint_writes_session(session_id, (SELECT stillpoint_limited_to())))
    WITH CHECK ((SELECT stillpoint_limited_to()) IS NULL
           OR stillpoint_writes_session(session_id, (SELECT stillpoint_limited_to())));

-- The seeded library: neutral texts each clinic may edit (the same rows as SQLite's).
INSERT INTO home_care_items (id, title, title_key, instructions, created_at) VALUES
 ('01900000-0000-7000-8000-000000000101', 'Neck and upper-trapezius stretch', 'neck and upper trapezius stretch',
  'Sit tall with your shoulders relaxed. Gently tilt your ear towards your shoulder until you feel a mild stretch along the side of your neck. Breathe slowly and hold, then repeat on the other side. Stop if it hurts or makes you dizzy.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000102', 'Chin tucks', 'chin tucks',
  'Sit or stand tall, looking straight ahead. Slide your chin straight back, as if making a double chin, without tipping your head down. Hold for a few seconds, then relax. Move slowly and stay comfortable.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000103', 'Self-release of the suboccipitals', 'self release of the suboccipitals',
  'Put two tennis balls in a sock and tie it off. Lie on your back and rest the base of your skull on the balls, one each side of the spine. Let your head sink and breathe slowly for one to two minutes. Ease off if you feel pain, numbness or dizziness.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000104', 'Posture breaks at a screen', 'posture breaks at a screen',
  'Every 30 to 45 minutes at a screen, stand up, roll your shoulders back and look at something far away for a moment. Check that the top of the screen is at eye level and your shoulders are not raised. A short walk helps too.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000105', 'Sleep routine', 'sleep routine',
  'Go to bed and get up at about the same time every day, weekends included. Keep the last hour before bed calm and away from screens. Keep the bedroom dark, quiet and cool, and note how you slept in your diary.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000106', 'Noticing early signs of tension', 'noticing early signs of tension',
  'A few times a day, pause and check your jaw, shoulders, neck and breathing. If you notice clenching, raised shoulders or held breath, let them go and take three slow breaths. Noticing early gives you a chance to act before a headache builds.',
  '2026-01-01T00:00:00.000Z');
-- The logins made already: everyone reads both tables and writes their notes' home care;
-- managers and administrators keep the library, as they keep the technique catalogue.
DO $$
DECLARE
    l record;
BEGIN
    FOR l IN SELECT ul.role_name, u.role FROM user_logins ul JOIN users u ON u.username = ul.username LOOP
        EXECUTE format('GRANT SELECT ON home_care_items, session_home_care TO %I', l.role_name);
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON session_home_care TO %I', l.role_name);
        IF l.role IN ('manager', 'administrator') THEN
            EXECUTE format('GRANT INSERT, UPDATE ON home_care_items TO %I', l.role_name);
        END IF;
    END LOOP;
END;
$$;

-- Logins made from now on get the same (the rest as in schema 13).
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
