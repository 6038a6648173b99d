-- Home care the client takes home: a library of items kept like the technique catalogue
-- (added, edited, retired, never deleted), and the items a session note's plan gives the
-- client, each with a personal line ("hold 20 s, 3 times a day"), locked when the note is
-- signed.
CREATE TABLE home_care_items (
    id           TEXT PRIMARY KEY NOT NULL,
    title        TEXT NOT NULL,
    title_key    TEXT NOT NULL UNIQUE,          -- folded title: no two items look alike
    instructions TEXT NOT NULL DEFAULT '',
    retired_at   TEXT,
    created_at   TEXT NOT NULL
) STRICT;

CREATE TRIGGER home_care_items_never_deleted BEFORE DELETE ON home_care_items
BEGIN
    SELECT RAISE(ABORT, 'home-care items are retired, never deleted');
END;

CREATE TABLE session_home_care (
    session_id    TEXT NOT NULL REFERENCES sessions (id),
    position      INTEGER NOT NULL,
    item_id       TEXT NOT NULL REFERENCES home_care_items (id),
    personal_line TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, position)
) STRICT;

CREATE INDEX session_home_care_by_item ON session_home_care (item_id);

CREATE TRIGGER signed_home_care_no_insert BEFORE INSERT ON session_home_care
WHEN (SELECT status FROM sessions WHERE id = NEW.session_id) = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed session note is locked; add an amendment instead');
END;

CREATE TRIGGER signed_home_care_no_update BEFORE UPDATE ON session_home_care
WHEN (SELECT status FROM sessions WHERE id = OLD.session_id) = 'signed'
  OR (SELECT status FROM sessions WHERE id = NEW.session_id) = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed session note is locked; add an amendment instead');
END;

CREATE TRIGGER signed_home_care_no_delete BEFORE DELETE ON session_home_care
WHEN (SELECT status FROM sessions WHERE id = OLD.session_id) = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed session note is locked; add an amendment instead');
END;

-- The seeded library: neutral texts each clinic may edit. Fixed ids so every database names
-- them alike (the same rows as the clinic server's migration).
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
