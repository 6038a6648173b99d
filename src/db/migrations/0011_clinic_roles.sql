-- Schema 11. On the clinic server this version adds login roles for each user, row-level
-- security and the server-side audit append (src/db/postgres/0002_roles.sql). On one
-- computer the app is the database's only client, so nothing changes here: the version is
-- kept in step so both engines mean the same thing by "schema 11".
SELECT 1;
