-- Schema 12 on the clinic server: managing login roles from the app. An administrator's
-- login role has no CREATEROLE (that would let it make itself a member of any role, the
-- owner's included); these functions run as the clinic's owner, who has it, and check the
-- caller first. The login's name is derived here from the database and the username, the
-- password arrives only as a SCRAM verifier (never in the clear, never in a log), and the
-- privileges granted follow the user's role in `users`.

-- May the connected login manage logins? An enabled administrator's login, or the clinic's
-- owner (and superusers: tools and tests).
CREATE FUNCTION stillpoint_may_administer() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM user_logins WHERE role_name = session_user::text) THEN
            EXISTS (SELECT 1 FROM user_logins l JOIN users u ON u.username = l.username
                    WHERE l.role_name = session_user::text
                      AND u.role = 'administrator' AND u.disabled_at IS NULL)
        ELSE pg_has_role(session_user,
                         (SELECT datdba FROM pg_database WHERE datname = current_database()),
                         'MEMBER')
    END
$$;

-- The login role of a username in this clinic database (as security::clinic_roles names it).
CREATE FUNCTION stillpoint_login_role(p_username text) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT 'sp_' || left(encode(sha256(convert_to(current_database(), 'UTF8')), 'hex'), 12)
           || '_' || p_username
$$;

CREATE FUNCTION stillpoint_check_verifier(p_verifier text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_verifier IS NULL OR p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
        RAISE EXCEPTION 'a password reaches the server only as a SCRAM-SHA-256 verifier'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END;
$$;

-- A login for a user whose row is already in `users` (inserted in the same transaction).
CREATE FUNCTION stillpoint_create_login(p_username text, p_verifier text) RETURNS text
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
        stillpoint_set_login_password(text, text), stillpoint_set_login_enabled(text, boolean)
        TO %I', r);
    INSERT INTO user_logins (role_name, username) VALUES (r, p_username);
    RETURN r;
END;
$$;

-- A new password: set by an administrator, or by the user themself.
CREATE FUNCTION stillpoint_set_login_password(p_username text, p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r text := (SELECT role_name FROM user_logins WHERE username = p_username);
BEGIN
    IF r IS NULL THEN
        RAISE EXCEPTION '% has no login on this server', p_username USING ERRCODE = 'no_data_found';
    END IF;
    IF r <> session_user::text AND NOT stillpoint_may_administer() THEN
        RAISE EXCEPTION 'only an administrator may set another user''s password'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM stillpoint_check_verifier(p_verifier);
    EXECUTE format('ALTER ROLE %I PASSWORD %L', r, p_verifier);
END;
$$;

-- Disabling a user takes their login away; enabling gives it back.
CREATE FUNCTION stillpoint_set_login_enabled(p_username text, p_enabled boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r text := (SELECT role_name FROM user_logins WHERE username = p_username);
BEGIN
    IF NOT stillpoint_may_administer() THEN
        RAISE EXCEPTION 'only an administrator may disable or enable logins'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF r IS NULL THEN
        RETURN;
    END IF;
    IF p_enabled THEN
        EXECUTE format('ALTER ROLE %I LOGIN', r);
    ELSE
        EXECUTE format('ALTER ROLE %I NOLOGIN', r);
    END IF;
END;
$$;

REVOKE ALL ON FUNCTION stillpoint_create_login(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION stillpoint_set_login_password(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION stillpoint_set_login_enabled(text, boolean) FROM PUBLIC;

-- Logins made under schema 11 may call them too (each function checks its caller).
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT role_name FROM user_logins LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION stillpoint_create_login(text, text),
            stillpoint_set_login_password(text, text), stillpoint_set_login_enabled(text, boolean)
            TO %I', r);
    END LOOP;
END;
$$;
