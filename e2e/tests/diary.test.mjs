// The headache diary end to end, in the real app: days of a month typed into the grid from
// the keyboard (a bad value refused under its field), a CSV file with a bad row refused by
// line and field with nothing written, the corrected file imported, the same file again
// adding nothing, and the month at a glance on the client's history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, quit, newDataDir, screenshot } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

const dataDir = newDataDir('diary');
let app;
let b;
const { el, visible, fill, click, text, texts, until, invoke } = ui(() => b);

before(async () => {
  app = await launch(dataDir);
  b = app.browser;
});

after(async () => {
  if (app) await quit(app);
});

const MONTH = '2026-11';
const HEADER =
  'date,headache,peak_intensity,duration_hours,acute_meds,triggers,sleep_hours,sleep_quality,stress,menstruation,note';
const BAD = `${HEADER}
${MONTH}-10,yes,6,3,triptan,stress;poor_sleep,6.5,4,7,no,Long screen day
${MONTH}-11,yes,14,2,,,7,6,5,,
${MONTH}-12,no,,,,,8,7,3,,<script>alert(1)</script>
`;
const GOOD = BAD.replace(`${MONTH}-11,yes,14,`, `${MONTH}-11,yes,4,`);

async function clientId() {
  const r = await invoke('list_clients', { query: { search: 'okafor', include_archived: false, limit: 1, offset: 0 } });
  return r.value.items[0].id;
}

async function daysIn(month) {
  const r = await invoke('diary_month', { clientId: await clientId(), month });
  assert.ok(r.ok, JSON.stringify(r.error));
  return r.value.days;
}

const rowStatus = (day) => text(`tr[data-day="${day}"] .status span`);

async function waitStatus(day, want) {
  await until(async () => (await rowStatus(day)) === want, `the row of ${day} never said ${want}`, 8000);
}

/** Choose a file in the import panel as the file picker would hand it to the page. */
async function chooseFile(name, content) {
  await visible('#diary-file');
  await b.execute(
    (n, c) => {
      const input = document.getElementById('diary-file');
      const dt = new DataTransfer();
      dt.items.add(new File([c], n, { type: 'text/csv' }));
      input.files = dt.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    name,
    content,
  );
}

test('a client to keep a diary for', async () => {
  await click('#new-client');
  await fill('first_name', 'Ngozi');
  await fill('last_name', 'Okafor');
  await click('#save-client');
  assert.match(await text('#client-name'), /Ngozi Okafor/);
  await visible('#diary-grid');
});

test('a few days of last month typed into the grid, keyboard first', async () => {
  await click('#diary-previous');
  await until(async () => (await text('#diary-month')) === 'November 2026', 'the grid never showed November 2026');
  await visible(`tr[data-day="${MONTH}-30"]`);
  // The wide grid scrolls inside its card: the page itself does not scroll sideways.
  assert.ok(await b.execute(() => document.documentElement.scrollWidth <= innerWidth), 'the page scrolls sideways');

  // The 3rd: tick Headache, type the peak, Enter moves on to the hours.
  await click('#field-d03-headache');
  await fill('d03-peak_intensity', '7');
  await b.keys('Enter');
  assert.equal(await b.execute(() => document.activeElement?.id), 'field-d03-duration_hours');
  await b.keys(['4', '.', '5']);
  await b.keys('Tab');
  // Tab goes on along the row (to the medication list).
  assert.match(await b.execute(() => document.activeElement?.tagName), /SUMMARY/i);
  await fill('d03-sleep_hours', '6');
  await fill('d03-stress', '8');
  await fill('d03-note', 'Deadline week');
  // Enter from the last box of the row goes on to the next day, and the row saves.
  await b.keys('Enter');
  assert.equal(await b.execute(() => document.activeElement?.id), 'field-d04-headache');
  await waitStatus(`${MONTH}-03`, 'Saved');

  // The 4th: a clear day with its sleep.
  await fill('d04-sleep_hours', '8');
  await fill('d04-sleep_quality', '7');
  await click('#field-d05-headache');
  await waitStatus(`${MONTH}-04`, 'Saved');

  // The 5th: a peak of 12 is refused under its field, and nothing is written.
  await fill('d05-peak_intensity', '12');
  await click('#field-d06-sleep_hours');
  await until(async () => (await el('#error-d05-peak_intensity')).isDisplayed(), 'no error under the peak of the 5th', 8000);
  assert.match(await text('#error-d05-peak_intensity'), /0.*10/);
  assert.equal(await rowStatus(`${MONTH}-05`), 'Not saved');
  await b.execute(() => document.querySelector('tr[data-day="2026-11-01"]')?.scrollIntoView({ block: 'start' }));
  await screenshot(app, 'diary-grid');
  assert.deepEqual((await daysIn(MONTH)).map((d) => d.day), [`${MONTH}-03`, `${MONTH}-04`]);

  // Corrected, it saves.
  await fill('d05-peak_intensity', '5');
  await click('#field-d06-sleep_hours');
  await waitStatus(`${MONTH}-05`, 'Saved');
  const days = await daysIn(MONTH);
  assert.deepEqual(days.map((d) => d.day), [`${MONTH}-03`, `${MONTH}-04`, `${MONTH}-05`]);
  assert.equal(days[0].peak_intensity, 7);
  assert.equal(days[0].duration_hours, 4.5);
  assert.equal(days[0].note, 'Deadline week');
});

test('a CSV file with a bad row is refused by line and field, and nothing is written', async () => {
  await click('#diary-import');
  await visible('#diary-import-panel');
  await chooseFile('ngozi-diary.csv', BAD);
  await visible('#diary-preview-errors');
  const errors = await texts('[data-testid="diary-error"]');
  assert.equal(errors.length, 1);
  assert.match(errors[0], /^3 peak_intensity /);
  assert.match(await text('#diary-preview-summary'), /2 days read \(2 new, 0 already/);
  assert.match(await text('#diary-preview-columns'), /peak_intensity → peak_intensity/);
  assert.equal(await (await el('#diary-import-run')).isEnabled(), false);
  await b.execute(() => document.getElementById('diary-import-panel')?.scrollIntoView({ block: 'start' }));
  await screenshot(app, 'diary-import-errors');
  // Asked directly, the core refuses the file whole too.
  const r = await invoke('import_diary_csv', { clientId: await clientId(), text: BAD });
  assert.equal(r.ok, false);
  assert.match(r.error.message, /line 3 \(peak_intensity\)/);
  assert.equal((await daysIn(MONTH)).length, 3);
});

test('the corrected file imports, and the same file again adds nothing', async () => {
  await chooseFile('ngozi-diary.csv', GOOD);
  await until(async () => (await texts('[data-testid="diary-error"]')).length === 0, 'the errors stayed');
  assert.match(await text('#diary-preview-summary'), /3 days read \(3 new, 0 already/);
  await click('#diary-import-run');
  assert.match(await text('#diary-import-report'), /3 days added, 0 already in the diary unchanged/);
  await click('#diary-import-close');
  await until(async () => (await text('#diary-month')) === 'November 2026', 'the grid left November');
  await waitStatus(`${MONTH}-11`, 'Recorded');
  assert.equal(await (await el('#field-d11-peak_intensity')).getValue(), '4');
  const days = await daysIn(MONTH);
  assert.equal(days.length, 6);
  assert.equal(days.find((d) => d.day === `${MONTH}-12`).note, '<script>alert(1)</script>');

  // Again: everything is already there.
  await click('#diary-import');
  await visible('#diary-import-panel');
  await chooseFile('ngozi-diary.csv', GOOD);
  await until(async () => /0 new, 3 already in the diary unchanged/.test(await text('#diary-preview-summary')), 'the second preview never said nothing is new');
  assert.equal(await (await el('#diary-import-run')).isEnabled(), false);
  const again = await invoke('import_diary_csv', { clientId: await clientId(), text: GOOD });
  assert.deepEqual(again.value, { added: 0, unchanged: 3 });
  assert.equal((await daysIn(MONTH)).length, 6);
  await click('#diary-import-close');
});

test('the history shows the month at a glance, shaded by intensity', async () => {
  await click('#open-history');
  await visible('#diary-calendar');
  await until(async () => (await text('#calendar-month')) === 'November 2026', 'the calendar did not open on the latest month');
  assert.equal(await text('#calendar-summary'), 'November 2026: 4 headache days of 6 days recorded.');
  const shade = (day) => b.execute((d) => document.querySelector(`td[data-day="${d}"]`)?.dataset.shade, day);
  assert.equal(await shade(`${MONTH}-03`), 'severe');
  assert.equal(await shade(`${MONTH}-10`), 'moderate');
  assert.equal(await shade(`${MONTH}-11`), 'moderate');
  assert.equal(await shade(`${MONTH}-05`), 'moderate');
  assert.equal(await shade(`${MONTH}-04`), 'none');
  assert.equal(await shade(`${MONTH}-20`), 'unrecorded');
  // Not colour alone: each day says what it is in words.
  const said = await b.execute(() => document.querySelector('td[data-day="2026-11-03"] .visually-hidden')?.textContent);
  assert.equal(said, '3 November 2026: headache, peak 7 of 10, 4.5 hours');
  await b.execute(() => document.getElementById('diary-calendar')?.scrollIntoView({ block: 'start' }));
  await screenshot(app, 'diary-calendar');
});
