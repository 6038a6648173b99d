-- Schema 12. On the clinic server this version lets an administrator's own login add,
-- disable and reset logins, through SECURITY DEFINER functions owned by the clinic's owner
-- (src/db/postgres/0003_logins.sql). On one computer there are no logins to manage: nothing
-- changes here, and the version is kept in step with the server's.
SELECT 1;
