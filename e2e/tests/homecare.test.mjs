// Home care the client takes home, in the real app: an item added to the home-care library,
// two items chosen with personal lines in a session note's plan, the note signed, and the
// one-page handout printed through the native save dialog and read back with pdftotext.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, quit, newDataDir, screenshot, answerSaveDialog, ARTIFACTS } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

const dataDir = newDataDir('homecare');
// The app's own home folder: the save dialog opens there.
const home = mkdtempSync(join(tmpdir(), 'stillpoint-e2e-home-'));
let app;
let b;
const { visible, fill, click, text, texts, until, choose, invoke, search } = ui(() => b);

before(async () => {
  app = await launch(dataDir, { env: { HOME: home } });
  b = app.browser;
});

after(async () => {
  if (app) await quit(app);
});

const JAW = 'Jaw release';
const JAW_TEXT = 'Rest your tongue on the roof of your mouth and let your teeth part. Breathe out slowly.';

test('an item is added to the home-care library beside the seeded ones', async () => {
  await click('#nav-techniques');
  await click('#tab-home-care');
  await visible('#home-care-heading');
  await until(async () => (await texts('[data-testid="home-care-row"]')).length === 6, 'the seeded library never listed');
  // An item without instructions is refused under its field, and nothing is added.
  await fill('title', JAW);
  await click('#add-home-care-item');
  assert.match(await text('#error-instructions'), /instructions/i);
  assert.equal((await texts('[data-testid="home-care-row"]')).length, 6);
  await fill('instructions', JAW_TEXT);
  await click('#add-home-care-item');
  await until(async () => (await texts('[data-testid="home-care-row"]')).length === 7, 'the new item never listed');
  const rows = await texts('[data-testid="home-care-row"]');
  assert.ok(rows.some((r) => r.includes(JAW) && r.includes('Rest your tongue')), rows.join('\n'));
  await screenshot(app, 'homecare-library');
});

async function waitSaved() {
  await until(async () => (await text('#save-status')) === 'Saved', 'the draft never reported Saved', 8000);
}

test('two items with personal lines in a note; signed; the handout prints', async () => {
  await click('#nav-clients');
  await click('#new-client');
  await fill('first_name', 'Niamh');
  await fill('last_name', 'Doyle');
  await click('#save-client');
  assert.match(await text('#client-name'), /Niamh Doyle/);

  await click('#new-session');
  await visible('#session-form');
  await fill('duration_minutes', '60');
  await fill('subjective', 'Tension headaches after long screen days.');
  await fill('pain_before', '5');
  await click('#add-technique');
  await choose('#field-techniques-0-technique_id', 'Trigger point therapy');
  await fill('pain_after', '2');
  await fill('plan', 'Weekly for four weeks.');

  await click('#add-home-care');
  await choose('#field-home_care-0-item_id', 'Chin tucks');
  await fill('home_care-0-personal_line', 'Hold 5 s, 10 times, 3 times a day');
  await click('#add-home-care');
  await choose('#field-home_care-1-item_id', JAW);
  await fill('home_care-1-personal_line', 'Whenever you notice clenching');
  // A personal line too long for the handout is refused under its own field.
  await fill('home_care-1-personal_line', 'x'.repeat(70));
  await until(async () => /too long.*the most is 60/i.test(await text('#error-home_care-1-personal_line')), 'no error under the long line', 8000);
  await fill('home_care-1-personal_line', 'Whenever you notice clenching');
  await waitSaved();
  // The draft offers the handout once items are saved.
  await visible('#print-handout');
  await b.execute(() => document.getElementById('add-home-care').scrollIntoView({ block: 'center' }));
  await screenshot(app, 'homecare-picker');

  await click('#sign-session');
  await click('#confirm-sign');
  assert.match(await text('#signed-banner'), /Signed by/);
  const given = await texts('[data-testid="home-care-given"]');
  assert.equal(given.length, 2);
  assert.match(given[0], /Chin tucks — Hold 5 s, 10 times, 3 times a day/);
  assert.match(given[1], /Jaw release — Whenever you notice clenching/);

  await click('#print-handout');
  await answerSaveDialog();
  await until(async () => (await (await visible('#print-handout-status')).getAttribute('data-state')) === 'done', 'the handout never saved', 15000);
  const saved = readdirSync(home).filter((f) => f.endsWith('.pdf'));
  assert.equal(saved.length, 1, `one PDF in ${home}: ${saved}`);
  assert.match(saved[0], /^Niamh Doyle - home care \d{4}-\d{2}-\d{2}\.pdf$/);
  const pdfPath = join(home, saved[0]);
  const words = execFileSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const expected of [
    'Your home care',
    'For Niamh Doyle',
    '1. Chin tucks',
    'Slide your chin straight back',
    'For you: Hold 5 s, 10 times, 3 times a day',
    '2. Jaw release',
    'Rest your tongue on the roof of your mouth',
    'For you: Whenever you notice clenching',
  ]) {
    assert.ok(words.includes(expected), `the handout says “${expected}”: ${words}`);
  }
  const info = execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' });
  assert.match(info, /Pages:\s+1\n/);
  mkdirSync(ARTIFACTS, { recursive: true });
  execFileSync('pdftoppm', ['-png', '-r', '60', '-singlefile', pdfPath, join(ARTIFACTS, 'homecare-handout')]);
  await b.execute(() => document.getElementById('print-handout').scrollIntoView({ block: 'center' }));
  await screenshot(app, 'homecare-signed');

  // Stored with the note, in order.
  const notes = await invoke('list_sessions', { clientId: (await invoke('list_clients', { query: { search: 'doyle', include_archived: false, limit: 1, offset: 0 } })).value.items[0].id });
  const note = await invoke('get_session', { id: notes.value[0].id });
  assert.deepEqual(
    note.value.home_care.map((h) => `${h.title}|${h.personal_line}`),
    ['Chin tucks|Hold 5 s, 10 times, 3 times a day', 'Jaw release|Whenever you notice clenching'],
  );
});
