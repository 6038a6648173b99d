-- Schema 13 on the clinic server: a user's professional credentials (e.g. "RMT"), shown
-- after their name wherever they appear on records. Empty when none.
ALTER TABLE users ADD COLUMN credentials TEXT COLLATE "C" NOT NULL DEFAULT ''
    CHECK (char_length(credentials) <= 40);

-- A user's name and credentials. Login roles have no UPDATE on `users` except an
-- administrator's; this function (run as the clinic's owner) lets any login change its own
-- row, and an administrator anyone's, and nothing else: role and disabled_at stay as they are.
CREATE FUNCTION stillpoint_set_profile(p_username text, p_display_name text, p_credentials text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me text := (SELECT username FROM user_logins WHERE role_name = session_user::text);
BEGIN
    IF p_username IS DISTINCT FROM me AND NOT stillpoint_may_administer() THEN
        RAISE EXCEPTION 'only an administrator may change another user''s name or credentials'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE users SET display_name = p_display_name, credentials = p_credentials
     WHERE username = p_username;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no user %', p_username USING ERRCODE = 'no_data_found';
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION stillpoint_set_profile(text, text, text) FROM PUBLIC;

-- A login made from now on may call it too (the rest as in schema 12).
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
        technique_outcome_totals TO %I', r);
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

-- Every login may call it (it checks its caller): those made already, and those made from now
-- on (stillpoint_create_login grants it too).
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT role_name FROM user_logins LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION stillpoint_set_profile(text, text, text) TO %I', r);
    END LOOP;
END;
$$;
