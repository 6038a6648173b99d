-- 0002: symptom intake, red-flag acknowledgements, the technique catalogue, session notes
-- with techniques and body-chart marks, signing and amendments.

CREATE TABLE intakes (
    id                   TEXT PRIMARY KEY NOT NULL,
    client_id            TEXT NOT NULL REFERENCES clients (id),
    assessed_on          TEXT NOT NULL,                -- YYYY-MM-DD
    headache_type        TEXT,
    physician_diagnosed  INTEGER NOT NULL DEFAULT 0 CHECK (physician_diagnosed IN (0, 1)),
    headache_days        INTEGER NOT NULL CHECK (headache_days BETWEEN 0 AND 30),
    migraine_days        INTEGER CHECK (migraine_days BETWEEN 0 AND 30 AND migraine_days <= headache_days),
    usual_intensity      INTEGER NOT NULL CHECK (usual_intensity BETWEEN 0 AND 10),
    worst_intensity      INTEGER CHECK (worst_intensity BETWEEN 0 AND 10),
    usual_duration_hours REAL CHECK (usual_duration_hours > 0),
    acute_med_days       INTEGER CHECK (acute_med_days BETWEEN 0 AND 30),
    acute_med_kinds      TEXT NOT NULL DEFAULT '[]',   -- JSON arrays of vocabulary ids
    triggers             TEXT NOT NULL DEFAULT '[]',
    trigger_notes        TEXT NOT NULL DEFAULT '',
    pain_sites           TEXT NOT NULL DEFAULT '[]',
    symptoms             TEXT NOT NULL DEFAULT '[]',
    sleep_quality        INTEGER CHECK (sleep_quality BETWEEN 0 AND 10),
    sleep_hours          REAL CHECK (sleep_hours BETWEEN 0 AND 24),
    stress               INTEGER CHECK (stress BETWEEN 0 AND 10),
    red_flags            TEXT NOT NULL DEFAULT '[]',
    goals                TEXT NOT NULL DEFAULT '',
    notes                TEXT NOT NULL DEFAULT '',
    recorded_by          TEXT NOT NULL,
    recorded_at          TEXT NOT NULL
) STRICT;

CREATE INDEX intakes_by_client ON intakes (client_id, assessed_on);

CREATE TABLE red_flag_acks (
    intake_id       TEXT PRIMARY KEY NOT NULL REFERENCES intakes (id),
    acknowledged_by TEXT NOT NULL,
    acknowledged_at TEXT NOT NULL,
    referral_note   TEXT NOT NULL
) STRICT;

-- Structured contraindications on a client (vocabulary ids), which warn against techniques.
CREATE TABLE client_contraindications (
    client_id TEXT NOT NULL REFERENCES clients (id),
    flag      TEXT NOT NULL,
    PRIMARY KEY (client_id, flag)
) STRICT;

CREATE TABLE techniques (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,     -- folded name: no two techniques look alike
    description TEXT NOT NULL DEFAULT '',
    retired_at  TEXT,
    created_at  TEXT NOT NULL
) STRICT;

-- Which client contraindications warn against which technique.
CREATE TABLE technique_warnings (
    technique_id TEXT NOT NULL REFERENCES techniques (id),
    flag         TEXT NOT NULL,
    message      TEXT NOT NULL,
    PRIMARY KEY (technique_id, flag)
) STRICT;

CREATE TABLE sessions (
    id                  TEXT PRIMARY KEY NOT NULL,
    client_id           TEXT NOT NULL REFERENCES clients (id),
    therapist           TEXT NOT NULL,
    started_at          TEXT NOT NULL,           -- local date and time, YYYY-MM-DDTHH:MM
    duration_minutes    INTEGER CHECK (duration_minutes BETWEEN 1 AND 480),
    subjective          TEXT NOT NULL DEFAULT '',
    headache_since_last TEXT NOT NULL DEFAULT '',
    objective           TEXT NOT NULL DEFAULT '',
    assessment          TEXT NOT NULL DEFAULT '',
    plan                TEXT NOT NULL DEFAULT '',
    pain_before         INTEGER CHECK (pain_before BETWEEN 0 AND 10),
    pain_after          INTEGER CHECK (pain_after BETWEEN 0 AND 10),
    headache_at_start   INTEGER NOT NULL DEFAULT 0 CHECK (headache_at_start IN (0, 1)),
    status              TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'signed')),
    signed_by           TEXT,
    signed_at           TEXT,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_by_client ON sessions (client_id, started_at);
CREATE INDEX sessions_by_status ON sessions (status, updated_at);

CREATE TABLE session_techniques (
    session_id   TEXT NOT NULL REFERENCES sessions (id),
    position     INTEGER NOT NULL,
    technique_id TEXT NOT NULL REFERENCES techniques (id),
    regions      TEXT NOT NULL DEFAULT '[]',      -- JSON array of region ids
    pressure     TEXT CHECK (pressure IN ('light', 'moderate', 'firm')),
    minutes      INTEGER CHECK (minutes BETWEEN 1 AND 480),
    reason       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, position)
) STRICT;

CREATE INDEX session_techniques_by_technique ON session_techniques (technique_id);

CREATE TABLE session_marks (
    session_id TEXT NOT NULL REFERENCES sessions (id),
    region     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('tension', 'trigger_point', 'pain', 'treated')),
    PRIMARY KEY (session_id, region)
) STRICT;

CREATE TABLE amendments (
    id         TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reason     TEXT NOT NULL,
    body       TEXT NOT NULL
) STRICT;

CREATE INDEX amendments_by_session ON amendments (session_id, created_at);

-- A signed note is locked, whatever the path: no UPDATE or DELETE of it, its techniques
-- or its marks. Signing itself is the one UPDATE allowed, from draft to signed.
CREATE TRIGGER signed_session_no_update BEFORE UPDATE ON sessions
WHEN OLD.status = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed session note is locked; add an amendment instead');
END;

CREATE TRIGGER session_no_delete BEFORE DELETE ON sessions
WHEN OLD.status = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed session note is locked; add an amendment instead');
END;

CREATE TRIGGER signed_techniques_no_insert BEFORE INSERT ON session_techniques
WHEN (SELECT status FROM sessions WHERE id = NEW.session_id) = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed session note is locked; add an amendment instead');
END;

CREATE TRIGGER signed_techniques_no_update BEFORE UPDATE ON session_techniques
WHEN (SELECT status FROM sessions WHERE id = OLD.session_id) = 'signed'
  OR (SELECT status FROM sessions WHERE id = NEW.session_id) = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed session note is locked; add an amendment instead');
END;

CREATE TRIGGER signed_techniques_no_delete BEFORE DELETE ON session_techniques
WHEN (SELECT status FROM sessions WHERE id = OLD.session_id) = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed session note is locked; add an amendment instead');
END;

CREATE TRIGGER signed_marks_no_insert BEFORE INSERT ON session_marks
WHEN (SELECT status FROM sessions WHERE id = NEW.session_id) = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed session note is locked; add an amendment instead');
END;

CREATE TRIGGER signed_marks_no_update BEFORE UPDATE ON session_marks
WHEN (SELECT status FROM sessions WHERE id = OLD.session_id) = 'signed'
  OR (SELECT status FROM sessions WHERE id = NEW.session_id) = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed session note is locked; add an amendment instead');
END;

CREATE TRIGGER signed_marks_no_delete BEFORE DELETE ON session_marks
WHEN (SELECT status FROM sessions WHERE id = OLD.session_id) = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed session note is locked; add an amendment instead');
END;

-- Amendments and acknowledgements are written once and kept.
CREATE TRIGGER amendments_no_update BEFORE UPDATE ON amendments
BEGIN
    SELECT RAISE(ABORT, 'amendments are kept unchanged');
END;

CREATE TRIGGER amendments_no_delete BEFORE DELETE ON amendments
BEGIN
    SELECT RAISE(ABORT, 'amendments are kept unchanged');
END;

CREATE TRIGGER acks_no_update BEFORE UPDATE ON red_flag_acks
BEGIN
    SELECT RAISE(ABORT, 'acknowledgements are kept unchanged');
END;

CREATE TRIGGER acks_no_delete BEFORE DELETE ON red_flag_acks
BEGIN
    SELECT RAISE(ABORT, 'acknowledgements are kept unchanged');
END;

CREATE TRIGGER techniques_never_deleted BEFORE DELETE ON techniques
BEGIN
    SELECT RAISE(ABORT, 'techniques are retired, never deleted');
END;

CREATE TRIGGER intakes_no_delete BEFORE DELETE ON intakes
BEGIN
    SELECT RAISE(ABORT, 'intakes are kept');
END;

-- The seeded catalogue. Fixed ids so every database names them alike.
INSERT INTO techniques (id, name, name_key, description, created_at) VALUES
 ('01900000-0000-7000-8000-000000000001', 'Trigger point therapy', 'trigger point therapy',
  'Sustained pressure on hyperirritable spots in taut muscle bands (e.g. suboccipitals, upper trapezius, SCM, temporalis) that refer pain to the head.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000002', 'Myofascial release', 'myofascial release',
  'Slow, sustained stretch of the fascia of the neck, shoulders and upper back to ease restriction and tension.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000003', 'Craniosacral therapy', 'craniosacral therapy',
  'Very light touch at the skull, neck and sacrum, aimed at calming the nervous system; suits clients who prefer gentle work.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000004', 'Scalp massage', 'scalp massage',
  'Kneading and circular friction over the frontalis, temporalis and occipitalis and the scalp zones.',
  '2026-01-01T00:00:00.000Z'),
 ('01900000-0000-7000-8000-000000000005', 'Cervical stretching', 'cervical stretching',
  'Gentle, client-controlled stretches of the neck: side bending, rotation and chin tucks.',
  '2026-01-01T00:00:00.000Z');

INSERT INTO technique_warnings (technique_id, flag, message) VALUES
 ('01900000-0000-7000-8000-000000000005', 'recent_neck_injury',
  'Recent head or neck injury: avoid cervical stretching until a physician has cleared it.'),
 ('01900000-0000-7000-8000-000000000005', 'cervical_instability',
  'Cervical instability, osteoporosis or disc disease: avoid cervical stretching.'),
 ('01900000-0000-7000-8000-000000000005', 'recent_concussion',
  'Concussion in the last 3 months: avoid cervical stretching.'),
 ('01900000-0000-7000-8000-000000000001', 'anticoagulants',
  'Anticoagulants or easy bruising: keep trigger point pressure light.'),
 ('01900000-0000-7000-8000-000000000002', 'anticoagulants',
  'Anticoagulants or easy bruising: keep myofascial work light.'),
 ('01900000-0000-7000-8000-000000000004', 'scalp_skin_condition',
  'Scalp skin condition, wound or infection: avoid the affected scalp zones.'),
 ('01900000-0000-7000-8000-000000000001', 'hypertension',
  'Uncontrolled high blood pressure: avoid firm, sustained pressure on the neck.');
