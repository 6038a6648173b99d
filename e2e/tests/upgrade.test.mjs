// Upgrading a data folder from the previous release (tests/fixtures/schema-16, made by that
// release's seeder), in the real app. Logging in shows the upgrade on the login screen — the
// copy kept first, then each migration in the core's words — and the app opens on the same
// records, with the copy among the backups. The fixture is small, so the upgrade takes
// milliseconds: STILLPOINT_UPGRADE_STEP_PAUSE_MS holds each migration for a moment so the
// progress can be seen and photographed (a test-only pause; nothing is timed).
// A data folder whose upgrade fails (schema-16-blocked: an object stands in schema 17's way)
// stays at the login screen, which says what happened and where the copy is; the file is
// byte for byte as it was.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, quit, newDataDir, screenshot } from '../lib/harness.mjs';
import { measureContrast, formatFailures } from '../lib/contrast.mjs';
import { ui } from '../lib/ui.mjs';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'fixtures');
const ADMIN = { username: 'admin', password: 'demo password' };

let app;
let b;
const { visible, fill, click, text, texts, until, invoke } = ui(() => b);

afterEach(async () => {
  if (app) await quit(app);
  app = null;
});

/** A copy of a fixture's data folder (the fixture itself is never opened). */
function fromFixture(name, label) {
  const dir = newDataDir(label);
  for (const file of ['stillpoint.db', 'keys.json']) cpSync(join(FIXTURES, name, file), join(dir, file));
  return dir;
}

async function phase() {
  return b.execute(() => document.body.dataset.phase);
}

async function logInAs({ username, password }) {
  assert.equal(await phase(), 'login');
  await fill('login-username', username);
  await fill('login-password', password);
  await click('#login-submit');
}

test('the previous release’s data folder upgrades at login, showing its progress', async () => {
  const dataDir = fromFixture('schema-16', 'upgrade');
  app = await launch(dataDir, { as: null, env: { STILLPOINT_UPGRADE_STEP_PAUSE_MS: '6000' } });
  b = app.browser;
  await logInAs(ADMIN);

  await visible('#upgrade-progress', 15000);
  await until(
    async () => /step 1 of \d+: adding corrections by amendment/.test(await text('#upgrade-step')),
    'the migration never said what it does',
    10000,
  );
  // Schema 17 first; any later migrations follow it.
  assert.match(await text('#upgrade-step'), /^Upgrading the database, step 1 of \d+: adding corrections by amendment$/);
  assert.match(await text('#upgrade-progress'), /Upgrading the database for this version of Stillpoint/);
  assert.equal(await text('#login-submit'), 'Upgrading…');
  await screenshot(app, 'upgrade-progress', { screen: true });
  // The progress box reads as well as the rest of the login screen (WCAG AA).
  const contrast = await b.execute(measureContrast);
  assert.equal(await (await b.$('#upgrade-progress')).isDisplayed(), true, 'measured while the upgrade shows');
  assert.ok(contrast.checked > 3, `only ${contrast.checked} things measured`);
  assert.deepEqual(contrast.failures, [], formatFailures('upgrade progress', contrast.failures));

  await until(async () => (await b.execute(() => document.body.dataset.ready)) === 'true', 'never ready after the upgrade', 20000);
  // The same records, read through today's app.
  const clients = await invoke('list_clients', { query: { search: '', include_archived: true, offset: 0, limit: 50 } });
  assert.equal(clients.ok, true, JSON.stringify(clients));
  assert.deepEqual(
    clients.value.items.map((c) => `${c.first_name} ${c.last_name}`).sort(),
    ['Ann Smith', 'Li Wei', 'María González', 'Peter Brown', 'Ravi Patel'],
  );
  const audit = await invoke('verify_audit');
  assert.equal(audit.ok, true, JSON.stringify(audit));
  assert.equal(audit.value.intact, true, audit.value.message);

  // The copy kept before the upgrade is among the backups, marked as such.
  await click('#nav-admin');
  await visible('#backups-table');
  const rows = await texts('#backups-table tbody tr');
  const kept = rows.find((r) => /Kept before an upgrade/.test(r));
  assert.ok(kept, `no copy kept before the upgrade in ${JSON.stringify(rows)}`);
  assert.match(kept, /pre-upgrade-schema-16-to-\d+-stillpoint-/);
});

test('an upgrade that fails keeps the login screen, says what happened and where the copy is', async () => {
  const dataDir = fromFixture('schema-16-blocked', 'upgrade-fails');
  const database = join(dataDir, 'stillpoint.db');
  const before = readFileSync(database);
  app = await launch(dataDir, { as: null });
  b = app.browser;
  await logInAs(ADMIN);

  const message = await (async () => {
    await visible('#login-error', 15000);
    return text('#login-error');
  })();
  assert.match(message, /^The database could not be upgraded from schema 16 to \d+ \(.*corrections_by_client.*\)\./);
  assert.match(message, /It was left exactly as it was: nothing was changed\./);
  const copy = /kept at (.+?\.db)\./.exec(message)?.[1];
  assert.ok(copy, message);
  assert.ok(copy.startsWith(join(dataDir, 'backups', 'pre-upgrade-schema-16-to-')), copy);
  assert.ok(existsSync(copy), `${copy} is not there`);
  assert.equal(await phase(), 'login', 'still at the login screen');
  assert.equal(await text('#login-submit'), 'Log in', 'the form is ready for another try');
  // Let the webview paint the message before the display is photographed.
  await b.execute(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await screenshot(app, 'upgrade-failed', { screen: true });

  await quit(app);
  app = null;
  assert.ok(readFileSync(database).equals(before), 'the database file changed');
});
