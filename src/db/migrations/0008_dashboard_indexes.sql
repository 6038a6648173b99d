-- Indexes for the clinic dashboard at a million notes: each list and count starts from the
-- few rows it concerns instead of reading every session, intake or client.

-- Sessions in a period (per therapist, active clients, clients seen lately), covering.
CREATE INDEX sessions_by_start ON sessions (started_at, therapist, status, client_id);
-- Notes left unsigned, oldest first.
CREATE INDEX sessions_drafts_by_created ON sessions (created_at) WHERE status = 'draft';
-- Intakes with red flags (most have none).
CREATE INDEX intakes_with_red_flags ON intakes (assessed_on) WHERE red_flags <> '[]';
-- Referrals in a period.
CREATE INDEX red_flag_acks_by_time ON red_flag_acks (acknowledged_at);
-- Archived clients (few).
CREATE INDEX clients_archived ON clients (archived_at) WHERE archived_at IS NOT NULL;

-- Replaced by the two above: the planner took it for "status = ..." and then read nearly
-- every session (most are signed).
DROP INDEX sessions_by_status;
