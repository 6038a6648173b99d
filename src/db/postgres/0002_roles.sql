-- Schema 11 on the clinic server: each Stillpoint user is their own login role, and the
-- server itself decides what each may read and write (row-level security, forced so the
-- owner obeys it too), and who an audit entry is by and when. SQLite's migration 11 changes
-- nothing: on one computer the app is the only client.
--
-- Login roles are created by the core (security::clinic_roles) and named here: a role's
-- name is never a username, so one server can hold several clinics (and the tests' many
-- databases) without names colliding.

CREATE TABLE user_logins (
    role_name TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    username  TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES users (username)
);

-- The Stillpoint user the current role logs in as; NULL for the owner (and inside the
-- SECURITY DEFINER functions below, which run as the owner: so their own reads are not
-- narrowed again). These two run as the caller, or they would only ever see the owner.
CREATE FUNCTION stillpoint_user() RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT username FROM user_logins WHERE role_name = current_user::text
$$;

-- The username a therapist's reads and writes are limited to; NULL when not limited
-- (managers, administrators, the owner). A user with no users row is limited to nothing.
CREATE FUNCTION stillpoint_limited_to() RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT CASE
        WHEN l.username IS NULL THEN NULL
        WHEN u.role IN ('manager', 'administrator') AND u.disabled_at IS NULL THEN NULL
        ELSE l.username
    END
    FROM (SELECT (SELECT username FROM user_logins WHERE role_name = current_user::text)) AS l (username)
    LEFT JOIN users u ON u.username = l.username
$$;

-- Today's rule: a therapist reads the clients they registered, assessed or charted for.
CREATE FUNCTION stillpoint_sees_client(client text, who text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM clients c WHERE c.id = client AND c.created_by = who)
        OR EXISTS (SELECT 1 FROM sessions s WHERE s.client_id = client AND s.therapist = who)
        OR EXISTS (SELECT 1 FROM intakes i WHERE i.client_id = client AND i.recorded_by = who)
$$;

CREATE FUNCTION stillpoint_sees_session(session text, who text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM sessions s WHERE s.id = session
                   AND stillpoint_sees_client(s.client_id, who))
$$;

CREATE FUNCTION stillpoint_writes_session(session text, who text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM sessions s WHERE s.id = session AND s.therapist = who)
$$;

CREATE FUNCTION stillpoint_sees_intake(intake text, who text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM intakes i WHERE i.id = intake
                   AND stillpoint_sees_client(i.client_id, who))
$$;

CREATE FUNCTION stillpoint_sees_search_doc(doc bigint, who text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM search_docs d WHERE d.id = doc
                   AND stillpoint_sees_client(d.client_id, who))
$$;

-- The policies. `(SELECT stillpoint_limited_to())` is evaluated once per statement; when it
-- is NULL nothing else is looked at.
ALTER TABLE clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE clients FORCE ROW LEVEL SECURITY;
CREATE POLICY clients_read ON clients FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR created_by = (SELECT stillpoint_limited_to())
    OR stillpoint_sees_client(id, (SELECT stillpoint_limited_to())));
CREATE POLICY clients_add ON clients FOR INSERT WITH CHECK (
    (SELECT stillpoint_limited_to()) IS NULL OR created_by = (SELECT stillpoint_limited_to()));
CREATE POLICY clients_change ON clients FOR UPDATE USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR created_by = (SELECT stillpoint_limited_to())
    OR stillpoint_sees_client(id, (SELECT stillpoint_limited_to())));

-- Tables of one client's records: read and written as the client is.
ALTER TABLE client_contraindications ENABLE ROW LEVEL SECURITY;
ALTER TABLE client_contraindications FORCE ROW LEVEL SECURITY;
CREATE POLICY contraindications_by_client ON client_contraindications USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())));

ALTER TABLE client_name_prefixes ENABLE ROW LEVEL SECURITY;
ALTER TABLE client_name_prefixes FORCE ROW LEVEL SECURITY;
CREATE POLICY name_prefixes_by_client ON client_name_prefixes USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())));

ALTER TABLE intakes ENABLE ROW LEVEL SECURITY;
ALTER TABLE intakes FORCE ROW LEVEL SECURITY;
CREATE POLICY intakes_read ON intakes FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR recorded_by = (SELECT stillpoint_limited_to())
    OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())));
CREATE POLICY intakes_add ON intakes FOR INSERT WITH CHECK (
    (SELECT stillpoint_limited_to()) IS NULL
    OR (recorded_by = (SELECT stillpoint_limited_to())
        AND stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to()))));

ALTER TABLE red_flag_acks ENABLE ROW LEVEL SECURITY;
ALTER TABLE red_flag_acks FORCE ROW LEVEL SECURITY;
CREATE POLICY acks_read ON red_flag_acks FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_intake(intake_id, (SELECT stillpoint_limited_to())));
CREATE POLICY acks_add ON red_flag_acks FOR INSERT WITH CHECK (
    (SELECT stillpoint_limited_to()) IS NULL
    OR (acknowledged_by = (SELECT stillpoint_limited_to())
        AND stillpoint_sees_intake(intake_id, (SELECT stillpoint_limited_to()))));

-- A therapist reads every note of a client they may read, and writes only their own.
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_read ON sessions FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR therapist = (SELECT stillpoint_limited_to())
    OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())));
CREATE POLICY sessions_add ON sessions FOR INSERT WITH CHECK (
    (SELECT stillpoint_limited_to()) IS NULL
    OR (therapist = (SELECT stillpoint_limited_to())
        AND stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to()))));
CREATE POLICY sessions_change ON sessions FOR UPDATE
    USING ((SELECT stillpoint_limited_to()) IS NULL OR therapist = (SELECT stillpoint_limited_to()))
    WITH CHECK ((SELECT stillpoint_limited_to()) IS NULL OR therapist = (SELECT stillpoint_limited_to()));
CREATE POLICY sessions_remove ON sessions FOR DELETE USING (
    (SELECT stillpoint_limited_to()) IS NULL OR therapist = (SELECT stillpoint_limited_to()));

ALTER TABLE session_techniques ENABLE ROW LEVEL SECURITY;
ALTER TABLE session_techniques FORCE ROW LEVEL SECURITY;
CREATE POLICY techniques_read ON session_techniques FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_session(session_id, (SELECT stillpoint_limited_to())));
CREATE POLICY techniques_write ON session_techniques FOR ALL
    USING ((SELECT stillpoint_limited_to()) IS NULL
           OR stillpoint_writes_session(session_id, (SELECT stillpoint_limited_to())))
    WITH CHECK ((SELECT stillpoint_limited_to()) IS NULL
           OR stillpoint_writes_session(session_id, (SELECT stillpoint_limited_to())));

ALTER TABLE session_marks ENABLE ROW LEVEL SECURITY;
ALTER TABLE session_marks FORCE ROW LEVEL SECURITY;
CREATE POLICY marks_read ON session_marks FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_session(session_id, (SELECT stillpoint_limited_to())));
CREATE POLICY marks_write ON session_marks FOR ALL
    USING ((SELECT stillpoint_limited_to()) IS NULL
           OR stillpoint_writes_session(session_id, (SELECT stillpoint_limited_to())))
    WITH CHECK ((SELECT stillpoint_limited_to()) IS NULL
           OR stillpoint_writes_session(session_id, (SELECT stillpoint_limited_to())));

ALTER TABLE amendments ENABLE ROW LEVEL SECURITY;
ALTER TABLE amendments FORCE ROW LEVEL SECURITY;
CREATE POLICY amendments_read ON amendments FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_session(session_id, (SELECT stillpoint_limited_to())));
CREATE POLICY amendments_add ON amendments FOR INSERT WITH CHECK (
    (SELECT stillpoint_limited_to()) IS NULL
    OR (author = (SELECT stillpoint_limited_to())
        AND stillpoint_writes_session(session_id, (SELECT stillpoint_limited_to()))));

-- The search index holds the records' words: read as the records are.
ALTER TABLE search_docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_docs FORCE ROW LEVEL SECURITY;
CREATE POLICY search_docs_by_client ON search_docs USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_client(client_id, (SELECT stillpoint_limited_to())));

ALTER TABLE search_fts ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_fts FORCE ROW LEVEL SECURITY;
CREATE POLICY search_fts_by_doc ON search_fts USING (
    (SELECT stillpoint_limited_to()) IS NULL
    OR stillpoint_sees_search_doc(rowid, (SELECT stillpoint_limited_to())));

-- The audit log: written only through stillpoint_audit_append (login roles get no INSERT);
-- a therapist reads only their own entries.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_read ON audit_log FOR SELECT USING (
    (SELECT stillpoint_limited_to()) IS NULL OR actor = (SELECT stillpoint_limited_to()));
CREATE POLICY audit_owner_appends ON audit_log FOR INSERT WITH CHECK (
    (SELECT stillpoint_user()) IS NULL);

-- Eight bytes, least significant first (Rust's u64::to_le_bytes).
CREATE FUNCTION stillpoint_le64(n bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT decode(string_agg(lpad(to_hex(get_byte(int8send(n), 8 - i)), 2, '0'), '' ORDER BY i), 'hex')
    FROM generate_series(1, 8) AS i
$$;

-- Append one entry to the chain, as db/audit.rs does on SQLite (the same fields, the same
-- length-prefixed SHA-256 link). For a Stillpoint login the actor is that login's user and
-- the time the server's clock, whatever the client sent; the owner's tools (import, tests)
-- give their own. The write lock is taken here too, so no caller can fork the chain.
CREATE FUNCTION stillpoint_audit_append(
    p_at text, p_actor text, p_action text, p_entity text, p_entity_id text, p_summary text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    who   text := (SELECT username FROM user_logins WHERE role_name = session_user::text);
    at_   text := p_at;
    actor text := p_actor;
    prev  text;
    buf   bytea := ''::bytea;
    part  text;
    next  bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(1398032716);
    IF who IS NOT NULL THEN
        actor := who;
        at_ := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
    END IF;
    prev := coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '');
    FOREACH part IN ARRAY ARRAY[prev, at_, actor, p_action, p_entity, p_entity_id, p_summary] LOOP
        buf := buf || stillpoint_le64(octet_length(convert_to(part, 'UTF8')))
                   || convert_to(part, 'UTF8');
    END LOOP;
    UPDATE audit_issued SET seq = seq + 1 RETURNING seq INTO next;
    INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, summary, hash)
    VALUES (next, at_, actor, p_action, p_entity, p_entity_id, p_summary,
            encode(sha256(buf), 'hex'));
END;
$$;
