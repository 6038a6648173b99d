// Charting end to end, in the real app: an intake with a red flag and its acknowledgement,
// a session with two techniques and body-chart marks, a kill mid-typing that loses
// nothing, signing, a refused edit, and an amendment beside the unchanged original.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, quit, crash, newDataDir, screenshot } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

const dataDir = newDataDir('charting');
let app;
let b;
const { el, visible, gone, fill, fillDate, click, text, texts, until, choose, invoke, search } = ui(() => b);

before(async () => {
  app = await launch(dataDir);
  b = app.browser;
});

after(async () => {
  if (app) await quit(app);
});

const OBJECTIVE = 'Taut band in the right upper trapezius, referring to the right temple.';

async function openClient() {
  await search('brennan');
  await until(async () => (await texts('[data-testid="client-row"]')).length === 1, 'client not listed');
  await click('[data-testid="client-row"]');
  await visible('#client-name');
}

async function waitSaved() {
  await until(async () => (await text('#save-status')) === 'Saved', 'the draft never reported Saved', 8000);
}

test('a client with a recent neck injury', async () => {
  await click('#new-client');
  await fill('first_name', 'Maeve');
  await fill('last_name', 'Brennan');
  await fillDate('date_of_birth', '1979-06-14');
  await click('#field-contraindication_flags-recent_neck_injury');
  await click('#save-client');
  assert.match(await text('#client-name'), /Maeve Brennan/);
});

test('an intake with a red flag shows a referral warning until it is acknowledged', async () => {
  await click('#new-intake');
  await visible('#intake-form');
  await fillDate('assessed_on', '2026-11-02');
  await choose('#field-headache_type', 'Migraine without aura');
  await fill('headache_days', '12');
  await fill('migraine_days', '20');
  await fill('usual_intensity', '6');
  await fill('worst_intensity', '9');
  await fill('usual_duration_hours', '10');
  await click('#field-triggers-stress');
  await click('#field-triggers-muscle_tension');
  await choose('#field-pain_sites-temples', 'Both sides');
  await fill('sleep_quality', '4');
  await fill('stress', '7');
  await click('#field-red_flags-thunderclap');
  await fill('goals', 'Fewer migraine days; sleep through the night.');
  await click('#save-intake');
  // migraine days above headache days is refused under its field, nothing saved
  assert.match(await text('#error-migraine_days'), /cannot be more than headache days/);
  await fill('migraine_days', '5');
  await screenshot(app, 'intake-form');
  await click('#save-intake');

  const alert = await visible('[data-testid="red-flag-alert"]');
  assert.match(await alert.getText(), /Refer to a physician before treatment/);
  assert.match(await alert.getText(), /thunderclap/i);
  assert.equal((await texts('[data-testid="intake-row"]')).length, 1);

  // an empty note is refused
  await click('#acknowledge-red-flags');
  await visible('#error-referral_note');
  await screenshot(app, 'red-flag-acknowledgement-error', { screen: true });
  await fill('referral_note', 'Referred to GP 2 Nov; GP cleared treatment 9 Nov.');
  await click('#acknowledge-red-flags');
  await gone('[data-testid="red-flag-alert"]');
  assert.match((await texts('[data-testid="intake-row"]'))[0], /acknowledged/i);
});

test('a session with two techniques and body-chart marks saves as it is typed', async () => {
  await click('#new-session');
  await visible('#session-form');
  await fill('duration_minutes', '60');
  await fill('subjective', 'Two migraines since last week; neck stiff after long screen days.');
  await fill('headache_since_last', '2 attacks, both right-sided');
  await fill('pain_before', '6');
  await click('#field-headache_at_start');

  await click('#add-technique');
  await choose('#field-techniques-0-technique_id', 'Trigger point therapy');
  await click('#field-techniques-0-regions-upper_trapezius_right');
  await click('#field-techniques-0-regions-suboccipitals_right');
  await choose('#field-techniques-0-pressure', 'Moderate');
  await fill('techniques-0-minutes', '25');
  await fill('techniques-0-reason', 'Referred pain pattern to the right temple');

  await click('#add-technique');
  await choose('#field-techniques-1-technique_id', 'Cervical stretching');
  await click('#field-techniques-1-regions-cervical_spine');
  await choose('#field-techniques-1-pressure', 'Light');
  await fill('techniques-1-minutes', '10');
  await fill('techniques-1-reason', 'Restricted rotation to the left');
  // the client's recent neck injury warns against cervical stretching, not trigger points
  await until(
    async () => (await texts('[data-testid="technique-warning"]')).some((t) => /cervical stretching/i.test(t)),
    'no contraindication warning for cervical stretching',
  );
  assert.equal((await texts('[data-testid="technique-warning"]')).length, 1);

  // body chart: one click marks tension, a second click cycles to trigger point
  const trap = '#body-chart [data-region="upper_trapezius_right"]';
  const temple = '#body-chart [data-region="temporalis_right"]';
  await click(trap);
  assert.equal(await (await el(trap)).getAttribute('data-mark'), 'tension');
  await click(temple);
  await click(temple);
  assert.equal(await (await el(temple)).getAttribute('data-mark'), 'trigger_point');
  await waitSaved();
  await b.execute(() => document.getElementById('body-chart').scrollIntoView({ block: 'center' }));
  await screenshot(app, 'session-note', { screen: true });

  // the marks are stored as region ids and kinds, not pixels
  const sessions = await invoke('list_sessions', { clientId: await clientId() });
  const stored = await invoke('get_session', { id: sessions.value[0].id });
  assert.deepEqual(
    stored.value.marks.map((m) => `${m.region}:${m.kind}`).sort(),
    ['temporalis_right:trigger_point', 'upper_trapezius_right:tension'],
  );
});

async function clientId() {
  const r = await invoke('list_clients', { query: { search: 'brennan', include_archived: false, limit: 1, offset: 0 } });
  return r.value.items[0].id;
}

test('killing the app mid-typing loses nothing typed more than a moment before', async () => {
  const box = await visible('#field-objective');
  await box.click();
  await box.addValue(OBJECTIVE);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await crash(app), 1);

  app = await launch(dataDir);
  b = app.browser;
  await openClient();
  const rows = await texts('[data-testid="session-row"]');
  assert.equal(rows.length, 1);
  assert.match(rows[0], /Draft/);
  await click('[data-testid="session-row"]');
  await visible('#session-form');
  assert.equal(await (await el('#field-objective')).getValue(), OBJECTIVE);
  assert.equal(await (await el('#field-pain_before')).getValue(), '6');
  assert.equal(
    await (await el('#body-chart [data-region="temporalis_right"]')).getAttribute('data-mark'),
    'trigger_point',
  );
});

test('sign the note; it is locked and edits are refused', async () => {
  // signing an incomplete note names what is missing
  await click('#sign-session');
  await click('#confirm-sign');
  assert.match(await text('#error-pain_after'), /pain after/i);
  await screenshot(app, 'session-note-sign-error', { screen: true });

  await fill('pain_after', '3');
  await fill('assessment', 'Good release; the client says her head feels lighter.');
  await fill('plan', 'Weekly for four weeks; chin tucks twice a day; screen breaks hourly.');
  await waitSaved();
  await click('#sign-session');
  await click('#confirm-sign');
  assert.match(await text('#signed-banner'), /Signed by/);
  assert.match(await text('#signed-banner'), /locked/i);
  assert.equal(await (await el('#field-subjective')).isExisting(), false, 'signed notes have no editable fields');

  const id = (await invoke('list_sessions', { clientId: await clientId() })).value[0].id;
  const edit = await invoke('save_session_draft', {
    id,
    input: { started_at: new Date().toISOString(), subjective: 'rewritten', techniques: [], marks: [] },
  });
  assert.equal(edit.ok, false, JSON.stringify(edit));
  assert.equal(edit.error.code, 'conflict');
  assert.match(edit.error.message, /signed and locked/);
  const after = await invoke('get_session', { id });
  assert.match(after.value.subjective, /^Two migraines/);
});

test('an amendment is dated, authored, reasoned and shown beside the unchanged original', async () => {
  await click('#add-amendment');
  await click('#save-amendment');
  await visible('#error-reason');
  await fill('reason', 'Pain after was recorded wrongly');
  await fill('body', 'Pain after treatment was 4/10, not 3/10.');
  await click('#save-amendment');
  const amendment = await visible('[data-testid="amendment"]');
  assert.match(await amendment.getText(), /Pain after was recorded wrongly/);
  assert.match(await amendment.getText(), /4\/10, not 3\/10/);
  assert.equal(await text('[data-field="pain_after"]'), '3');
  assert.match(await text('[data-field="subjective"]'), /^Two migraines/);
  await screenshot(app, 'signed-note-with-amendment');

  await click('#back');
  await visible('#client-name');
  const rows = await texts('[data-testid="session-row"]');
  assert.match(rows[0], /Signed/);
  assert.match(rows[0], /1 amendment/);
});

test('an amendment corrects pain after: the outcomes count it, the signed value stays', async () => {
  await click('[data-testid="session-row"]');
  await visible('#signed-banner');
  await click('#add-amendment');
  // A value out of range is refused under its box, and nothing is added.
  await fill('reason', 'Pain after misread from the client’s scale');
  await fill('corrections-pain_after', '11');
  await click('#save-amendment');
  assert.match(await text('#error-corrections-pain_after'), /whole number from 0 to 10/);
  assert.equal((await texts('[data-testid="amendment"]')).length, 1);
  // Corrected to 4, with no text beside the reason.
  await fill('corrections-pain_after', '4');
  await click('#save-amendment');
  await until(async () => (await texts('[data-testid="amendment"]')).length === 2, 'the correction was not added');
  assert.deepEqual(await texts('[data-testid="correction"]'), ['Pain after corrected from 3/10 to 4/10']);
  assert.equal(await text('[data-field="pain_after"]'), '3');
  assert.equal(await text('[data-corrected="pain_after"]'), 'corrected to 4/10 by amendment');
  await screenshot(app, 'signed-note-corrected');

  await click('#back');
  await visible('#client-name');
  await click('#open-history');
  await visible('#history-title');
  await until(async () => (await text('#chart-pain-summary')).includes('2.0 points less pain'), 'the outcome kept the signed 3/10');
  assert.match(await text('#chart-pain-corrections'), /corrected values of 1 session \(corrected by amendment\)/);
  const events = await texts('[data-testid="timeline-event"]');
  assert.ok(events.some((e) => e.includes('pain 6 → 4 (corrected)')), events.join('\n'));
});
