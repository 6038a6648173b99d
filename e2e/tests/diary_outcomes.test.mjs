// Outcomes from the headache diary, in the real app: a baseline intake, then nine weeks of
// diary imported through the import panel; the client page's overuse notice counts the
// diary's days; the history says which figures come from the diary and draws the headache
// chart from it, beside the sleep, stress and attack-duration charts, each with the core's
// summary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, quit, newDataDir, screenshot } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

const dataDir = newDataDir('diary-outcomes');
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

/** `n` days before today (UTC, as the core counts days), `YYYY-MM-DD`. */
const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

const HEADER =
  'date,headache,peak_intensity,duration_hours,acute_meds,triggers,sleep_hours,sleep_quality,stress,menstruation,note';

/**
 * 63 days up to yesterday. The first 33: a headache every third day (peak 7, 8 hours). The
 * last 30: a headache every sixth day (5; peak 5, 4 hours, a triptan), a simple analgesic on
 * five other days (10 days of acute medication, a mix of kinds: at the threshold of 10).
 * Sleep improves and stress falls week by week.
 */
function diaryFile() {
  const rows = [HEADER];
  for (let back = 63; back >= 1; back--) {
    const k = 63 - back; // 0 … 62
    const week = Math.floor(k / 7);
    const sleep = `${(6 + week * 0.2).toFixed(1)},${Math.min(9, 3 + Math.floor(week / 2))},${Math.max(2, 8 - week)}`;
    const recent = back <= 30;
    if (!recent && k % 3 === 0) {
      rows.push(`${daysAgo(back)},yes,7,8,,stress,${sleep},,`);
    } else if (recent && back % 6 === 0) {
      rows.push(`${daysAgo(back)},yes,5,4,triptan,,${sleep},,`);
    } else if (recent && back % 6 === 3) {
      rows.push(`${daysAgo(back)},no,,,simple_analgesic,,${sleep},,`);
    } else {
      rows.push(`${daysAgo(back)},no,,,,,${sleep},,`);
    }
  }
  return `${rows.join('\n')}\n`;
}

async function clientId() {
  const r = await invoke('list_clients', { query: { search: 'achebe', include_archived: false, limit: 1, offset: 0 } });
  return r.value.items[0].id;
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

test('a client with a baseline intake and nine weeks of diary', async () => {
  await click('#new-client');
  await fill('first_name', 'Chidi');
  await fill('last_name', 'Achebe');
  await click('#save-client');
  assert.match(await text('#client-name'), /Chidi Achebe/);
  // The baseline intake, 70 days ago, before the diary began: 12 headache days.
  const intake = await invoke('record_intake', {
    clientId: await clientId(),
    input: { assessed_on: daysAgo(70), headache_days: 12, usual_intensity: 7, usual_duration_hours: 10 },
  });
  assert.equal(intake.ok, true, JSON.stringify(intake));

  await click('#diary-import');
  await visible('#diary-import-panel');
  await chooseFile('chidi-diary.csv', diaryFile());
  await until(async () => /63 days read \(63 new/.test(await text('#diary-preview-summary')), 'the preview never read 63 days');
  await click('#diary-import-run');
  assert.match(await text('#diary-import-report'), /63 days added/);
  await click('#diary-import-close');
});

test('the overuse notice counts the diary days, and says so', async () => {
  const alerts = await invoke('client_alerts', { clientId: await clientId() });
  assert.equal(alerts.value.medication_overuse?.source, 'diary');
  // The client page shows it once it is opened again.
  await click('#open-history');
  await visible('#outcomes');
  await click('#back');
  const notice = await visible('[data-testid="medication-overuse"]', 8000);
  const said = await notice.getText();
  assert.match(
    said,
    /From the diary: acute medication on 10 of the 30 days recorded in the 30 days to .*\(simple analgesic .* on 5 days, triptan on 5 days; threshold 10/,
  );
  await b.execute(() => document.querySelector('[data-testid="medication-overuse"]')?.scrollIntoView({ block: 'center' }));
  await screenshot(app, 'diary-overuse-notice');
});

test('the history says which figures come from the diary, and draws five charts', async () => {
  await click('#open-history');
  await visible('#outcome-summary');
  const summary = await text('#outcome-summary');
  // Baseline 12 (the intake); latest 5 per 30 (the diary's last 30 days, all recorded).
  assert.match(summary, /^12 → 5 headache days per 30 days since .*: responder\./);
  assert.match(summary, /Baseline from the intake of .*; latest from the diary, 30 of 30 days recorded \(/);
  assert.match(
    await text('#outcome-diary'),
    /^From the diary, 30 of 30 days recorded \(.*\): 5 headache days per 30 days, mean peak intensity 5 \/ 10, attacks of 4 hours on average, acute medication on 10 days per 30 days\.$/,
  );
  await b.execute(() => document.getElementById('outcomes')?.scrollIntoView({ block: 'start' }));
  await screenshot(app, 'history-diary-outcomes');

  // The headache chart from the diary, its caption and summary the core's.
  assert.equal(await b.execute(() => document.getElementById('chart-headache-days')?.dataset.source), 'diary');
  assert.match(await text('#chart-headache-days-title'), /Headache days and mean peak intensity\s+30 days to each week's end, from the diary/);
  assert.match(await text('#chart-headache-days-summary'), /^From the diary, the 30 days to each week's end: headache days \d+ → 5 per 30 days/);

  // Sleep, stress and attack duration: drawn (a canvas each), from the diary, in words.
  for (const [kind, title, words] of [
    ['sleep', 'Sleep', /^Weekly means from the diary: sleep quality 3 → \d+ \/ 10, sleep 6 → [\d.]+ hours a night \(week to/],
    ['stress', 'Stress', /^Weekly means from the diary: stress 8 → 2 \/ 10 \(week to/],
    ['duration', 'Attack duration', /^Weekly means from the diary: attacks lasted 8 → 4 hours \(week to/],
  ]) {
    await visible(`#chart-${kind}`);
    assert.equal(await b.execute((k) => document.getElementById(`chart-${k}`)?.dataset.source, kind), 'diary', kind);
    assert.match(await text(`#chart-${kind}-title`), new RegExp(`^${title}\\s+weekly means from the diary`));
    await until(
      async () => b.execute((k) => !!document.querySelector(`#chart-${k} canvas`), kind),
      `the ${kind} chart was never drawn`,
      8000,
    );
    assert.match(await text(`#chart-${kind}-summary`), words);
  }
  const legends = await texts('#chart-sleep .legend li');
  assert.deepEqual(legends, ['Sleep quality (0–10)', 'Hours of sleep (right axis)']);
  // No chart is squeezed: each is as wide as half the card at least.
  const widths = await b.execute(() =>
    ['sleep', 'stress', 'duration'].map((k) => document.querySelector(`#chart-${k} canvas`)?.getBoundingClientRect().width ?? 0),
  );
  for (const w of widths) assert.ok(w >= 300, `a chart is ${w}px wide`);

  await b.execute(() => document.getElementById('chart-headache-days')?.scrollIntoView({ block: 'start' }));
  await screenshot(app, 'history-diary-charts');
  await b.execute(() => document.getElementById('chart-stress')?.scrollIntoView({ block: 'start' }));
  await screenshot(app, 'history-diary-charts-2');
  assert.ok(await el('#chart-pain'));
});
