// Histories, the dashboard, search and exports, in the real app on the demo clinic (ten
// weeks of records written by the core's seeder): a manager opens a client's history, reads
// the dashboard, searches the notes, and saves a PDF and a CSV through the native dialog.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parse } from 'csv-parse/sync';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, quit, newDataDir, screenshot, seedDemo, answerSaveDialog, ARTIFACTS } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

const dataDir = newDataDir('reports');
const demo = seedDemo(dataDir);
// The app's own home folder: the save dialog opens there.
const home = mkdtempSync(join(tmpdir(), 'stillpoint-e2e-home-'));
let app;
let b;
const { el, visible, fill, click, text, texts, until, invoke, search } = ui(() => b);

before(async () => {
  app = await launch(dataDir, { env: { HOME: home } });
  b = app.browser;
});

after(async () => {
  if (app) await quit(app);
});

async function attr(sel, name) {
  return (await visible(sel)).getAttribute(name);
}

async function statValue(name) {
  return Number((await text(`[data-testid="stat-${name}"] .stat-value`)).replace(/[^\d]/g, ''));
}

async function openAnnsHistory() {
  await click('#nav-clients');
  await until(async () => (await texts('[data-testid="client-row"]')).length > 0, 'the client list never loaded');
  await search('ann smith');
  await until(async () => (await texts('[data-testid="client-row"]')).length === 1, 'Ann not listed', 10000).catch(async (e) => {
    await screenshot(app, 'ann-not-listed', { screen: true });
    throw new Error(`${e.message}: rows ${JSON.stringify(await texts('[data-testid="client-row"]'))}, box “${await (await el('#client-search')).getValue()}”`);
  });
  await click('[data-testid="client-row"]');
  await visible('#client-name');
  await click('#open-history');
  await visible('#history-title');
}

test('a manager opens a client with several sessions and sees the timeline and charts', async () => {
  await openAnnsHistory();
  assert.match(await text('#history-title'), /Ann Smith/);
  await until(async () => (await b.$$('[data-testid="timeline-event"]')).length === 16, 'timeline never filled');

  const kinds = [];
  for (const e of await b.$$('[data-testid="timeline-event"]')) kinds.push(await e.getAttribute('data-kind'));
  assert.equal(kinds.filter((k) => k === 'session').length, 8);
  assert.equal(kinds.filter((k) => k === 'intake').length, 3);
  assert.equal(kinds.filter((k) => k === 'amendment').length, 1);
  assert.equal(kinds.filter((k) => k === 'midas').length, 3);
  assert.equal(kinds.filter((k) => k === 'care_plan').length, 1);
  assert.match(await text('[data-testid="timeline-event"][data-kind="midas"] .event-title'), /^MIDAS 6, grade II \(mild disability\)$/);
  assert.match(await text('[data-testid="timeline-event"][data-kind="care_plan"] .event-title'), /^Care plan: weekly for 6 weeks, then every 2 weeks for 6 weeks, then every 4 weeks$/);
  assert.equal(kinds[0], 'session', 'newest first: the session five days ago');
  assert.equal(kinds[kinds.length - 1], 'intake', 'the baseline intake is the oldest');

  assert.match(await text('#latest-plan-text'), /^Fortnightly for two more visits/);
  // Her baseline is her intake; her latest, her diary's last 30 days (all recorded).
  assert.match(
    await text('#outcome-summary'),
    /^12 → 5 headache days per 30 days since .+: responder\. Baseline from the intake of .+; latest from the diary, 30 of 30 days recorded \(.+\)\.$/,
  );
  assert.notEqual((await text('#chart-headache-days-summary')).trim(), '');
  assert.notEqual((await text('#chart-pain-summary')).trim(), '');
  for (const chart of ['#chart-headache-days', '#chart-pain']) {
    const size = await b.execute((sel) => {
      const c = document.querySelector(`${sel} canvas`);
      return c ? [c.clientWidth, c.clientHeight] : [0, 0];
    }, chart);
    assert.ok(size[0] > 200 && size[1] > 100, `${chart} has a drawn canvas (${size})`);
  }
  await screenshot(app, 'history', { screen: true });
  await b.execute(() => document.querySelector('#outcomes figure')?.scrollIntoView({ block: 'start' }));
  await screenshot(app, 'history-charts', { screen: true });
  await b.execute(() => document.getElementById('timeline-section')?.scrollIntoView({ block: 'start' }));
  await screenshot(app, 'history-timeline', { screen: true });
  await b.execute(() => document.querySelector('[data-testid="timeline-event"][data-kind="midas"]')?.scrollIntoView({ block: 'center' }));
  await screenshot(app, 'history-timeline-midas', { screen: true });

  // A MIDAS entry shows the MIDAS trend on this screen, its heading focused.
  await click('[data-testid="timeline-event"][data-kind="midas"] .open-record');
  await until(async () => (await b.execute(() => document.activeElement?.id)) === 'history-midas-heading', 'the MIDAS trend was not shown');
  await click('[data-testid="timeline-event"][data-kind="care_plan"] .open-record');
  await until(async () => (await b.execute(() => document.activeElement?.id)) === 'history-care-plan-heading', 'the care plan was not shown');
  await b.execute(() => document.getElementById('main')?.scrollTo({ top: 0 }));

  // The amendment opens its note, with the correction beside the original.
  await click(`[data-testid="timeline-event"][data-kind="amendment"] .open-record`);
  await visible('[data-testid="amendment"]');
  assert.match(await text('[data-testid="amendment"]'), /right upper trapezius/);
  await click('#back');
  await visible('#history-title');

  // An intake opens on the client page, unfolded.
  const intakeId = await attr('[data-testid="timeline-event"][data-kind="intake"]', 'data-record-id');
  await click(`[data-testid="timeline-event"][data-kind="intake"] .open-record`);
  await until(
    async () => (await (await el(`details[data-testid="intake-row"][data-id="${intakeId}"]`)).getAttribute('open')) !== null,
    'the intake was not opened',
  );
});

test('the dashboard counts match the demo clinic, and change with what is done in the app', async () => {
  await click('#nav-dashboard');
  await visible('[data-testid="stat-active-clients"]');
  await until(async () => (await statValue('clients-on-record')) === 4, 'clients on record');
  assert.equal(await statValue('active-clients'), 3);
  assert.equal(await statValue('unsigned'), 1);
  assert.equal(await statValue('due'), 1);
  assert.equal(await statValue('open-red-flags'), 1);
  assert.equal(await statValue('referrals'), 1);

  assert.equal(await text('#sessions-per-therapist tr[data-therapist="Jo Park"] td.signed'), '4');
  assert.equal(await text('#sessions-per-therapist tr[data-therapist="Jo Park"] td.drafts'), '0');
  assert.equal(await text('#sessions-per-therapist tr[data-therapist="Sam Lee"] td.signed'), '1');
  assert.equal(await text('#sessions-per-therapist tr[data-therapist="Sam Lee"] td.drafts'), '1');

  const tp = '#technique-outcomes tr[data-technique-id="01900000-0000-7000-8000-000000000001"]';
  assert.equal(await text(`${tp} td.sessions`), '8');
  assert.match(await text(`${tp} td.pain-change`), /2\.8.*n = 8/);
  assert.match(await text(`${tp} td.responders`), /1 of 1/);

  assert.equal(await attr('[data-testid="unsigned-note"]', 'data-id'), demo.li_draft);
  assert.equal(await attr('[data-testid="due-client"]', 'data-id'), demo.maria);
  await screenshot(app, 'dashboard', { screen: true });

  // Acknowledge Li Wei's red flag from the dashboard: the counts follow.
  await click(`[data-testid="red-flag-item"][data-client-id="${demo.li}"]`);
  await visible('#client-name');
  await fill('referral_note', 'Sent to A&E the same day; treatment only after clearance.');
  await click('#acknowledge-red-flags');
  await until(async () => (await b.$$('#acknowledge-red-flags')).length === 0, 'the red flag stayed open');
  await click('#nav-dashboard');
  await until(async () => (await statValue('open-red-flags')) === 0, 'open red flags did not drop to 0');
  assert.equal(await statValue('referrals'), 2);
});

test('a search for a word in a note finds that note, and hostile text stays text', async () => {
  await click('#nav-search');
  const box = await visible('#search-text');
  await box.setValue('levator');
  await until(async () => (await b.$$('[data-testid="search-hit"]')).length === 3, 'three of María’s notes');
  const groups = await b.$$('[data-testid="search-group"]');
  assert.equal(groups.length, 1);
  assert.equal(await groups[0].getAttribute('data-client-id'), demo.maria);
  assert.match(await text('[data-testid="search-hit"] .snippet mark'), /^levator$/i);
  await screenshot(app, 'search', { screen: true });
  await click('[data-testid="search-hit"]');
  await visible('#session-view');
  assert.match(await text('#session-view'), /levator scapulae/);

  // Diacritics do not matter, and markup typed into the box is only text.
  await click('#nav-search');
  const again = await visible('#search-text');
  await again.setValue('gonzalez');
  await until(
    async () => (await b.$$(`[data-testid="search-group"][data-client-id="${demo.maria}"]`)).length === 1,
    'gonzalez did not find María González',
  );
  await again.clearValue();
  await again.setValue('<img src=x onerror=alert(1)>');
  await visible('#search-empty', 5000);
  assert.equal((await b.$$('.snippet img')).length, 0);
});

async function exportStatus(id) {
  await until(async () => ['done', 'error', 'cancelled'].includes(await attr(`#${id}-status`, 'data-state')), `${id} never finished`, 20000);
  return { state: await attr(`#${id}-status`, 'data-state'), text: await text(`#${id}-status`) };
}

test('a PDF summary and a sessions CSV are saved through the native save dialog', async () => {
  await openAnnsHistory();
  await click('#export-pdf');
  // While the dialog is open the app keeps answering: the export holds no lock.
  const meanwhile = await invoke('list_clients', { query: { search: '', include_archived: false, limit: 10, offset: 0 } });
  assert.equal(meanwhile.ok, true, JSON.stringify(meanwhile));
  await answerSaveDialog();
  const pdf = await exportStatus('export-pdf');
  assert.equal(pdf.state, 'done', pdf.text);
  const saved = readdirSync(home).filter((f) => f.endsWith('.pdf'));
  assert.equal(saved.length, 1, `one PDF in ${home}: ${saved}`);
  assert.match(saved[0], /^Ann Smith - summary \d{4}-\d{2}-\d{2}\.pdf$/);
  assert.ok(pdf.text.includes(saved[0]), pdf.text);
  const pdfPath = join(home, saved[0]);
  const words = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  for (const expected of ['Ann Smith', 'Dr Helen Okafor', 'responder', 'Trigger point therapy', 'Fortnightly for two more visits']) {
    assert.ok(words.includes(expected), `the PDF says “${expected}”`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdfPath, join(ARTIFACTS, 'pdf-page')]);

  // Cancelling writes nothing and says so.
  await click('#export-json');
  await answerSaveDialog({ cancel: true });
  const json = await exportStatus('export-json');
  assert.equal(json.state, 'cancelled');
  assert.equal(readdirSync(home).filter((f) => f.endsWith('.json')).length, 0);

  // The sessions CSV, saved under a name typed into the dialog, in a folder of its own.
  await click('#nav-dashboard');
  const folder = join(home, 'exports');
  mkdirSync(folder);
  await click('#export-sessions-csv');
  await answerSaveDialog({ name: join(folder, 'all sessions') });
  const csv = await exportStatus('export-sessions-csv');
  assert.equal(csv.state, 'done', csv.text);
  const csvPath = join(folder, 'all sessions.csv');
  assert.ok(existsSync(csvPath), 'the .csv extension is added to a typed name');
  const rows = parse(readFileSync(csvPath, 'utf8'), { bom: true });
  assert.deepEqual(rows[0].slice(0, 2), ['session_id', 'client_id']);
  assert.equal(rows.length, 1 + 15, 'a header and one row per note: 8 + 3 + 3 + 1');
  assert.ok(rows.some((r) => r.some((cell) => cell.includes('levator scapulae'))));
  assert.ok(rows.some((r) => r.some((cell) => cell.includes('then monthly.\nHome care'))), 'line breaks survive in a quoted cell');
  assert.match(csv.text, /15 rows/);
});
