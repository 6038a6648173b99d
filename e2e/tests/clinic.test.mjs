// A clinic on one server, end to end: two app instances at once (two data folders, one
// PostgreSQL server that `make e2e` starts, reached over TLS with the clinic's CA). Each
// workstation joins through the first-run screen, the CA chosen in the native dialog; a
// wrong password is named under its field and keeps what was typed. A therapist charts and
// signs a note on the first; the manager on the second sees it in the client's history and on
// the dashboard; a second therapist there cannot open the first therapist's client. When the
// server stops, the banner says so within three seconds and writes are refused as offline;
// when it is back, the banner goes and writing works again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, quit, newDataDir, screenshot, answerFileDialog, logIn } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLINIC_TOOL = join(root, 'target', 'debug', 'stillpoint-clinic');

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the end-to-end tests with make e2e (it starts a PostgreSQL server)`);
  return v;
}

const SOCKET = need('STILLPOINT_TEST_PG');
const TLS = need('STILLPOINT_TEST_PG_TLS');
const CA = need('STILLPOINT_TEST_PG_CA');
const tlsPart = (k) => TLS.split(/\s+/).find((kv) => kv.startsWith(`${k}=`)).slice(k.length + 1);
const HOST = tlsPart('host');
const PORT = tlsPart('port');
const DATABASE = 'stillpoint_e2e_clinic';

const TESS = { username: 'tess', password: 'tess passphrase 1', displayName: 'Tess Therapist', role: 'therapist' };
const MIA = { username: 'mia', password: 'mia passphrase 1', displayName: 'Mia Manager', role: 'manager' };
const RUI = { username: 'rui', password: 'rui passphrase 1', displayName: 'Rui Therapist', role: 'therapist' };
const ALEX = { username: 'alex', password: 'alex passphrase 1', displayName: 'Alex Admin', role: 'administrator' };
const NINA = { username: 'nina', password: 'nina passphrase 1', displayName: 'Nina Therapist' };

function pgCtl(...args) {
  const ctl = need('STILLPOINT_TEST_PG_CTL');
  const cmd = [ctl, '-D', need('STILLPOINT_TEST_PG_DATA'), ...args];
  if (process.getuid?.() === 0) execFileSync('runuser', ['-u', need('STILLPOINT_TEST_PG_USER'), '--', ...cmd], { stdio: 'pipe' });
  else execFileSync(cmd[0], cmd.slice(1), { stdio: 'pipe' });
}

let first; // the treatment room: Tess
let second; // the manager's laptop: Mia, then Rui
const A = ui(() => first.browser);
const B = ui(() => second.browser);

before(async () => {
  execFileSync('psql', ['-X', '-q', SOCKET, '-c', `DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`]);
  execFileSync('psql', ['-X', '-q', SOCKET, '-c', `CREATE DATABASE ${DATABASE}`]);
  for (const u of [TESS, MIA, RUI, ALEX]) {
    execFileSync(
      CLINIC_TOOL,
      ['add-user', u.username, '--name', u.displayName, '--role', u.role, '--server', `${SOCKET} dbname=${DATABASE}`, '--secret-stdin'],
      { input: `${u.password}\n`, stdio: ['pipe', 'pipe', 'pipe'] },
    );
  }
  first = await launch(newDataDir('clinic-a'), { as: null });
  second = await launch(newDataDir('clinic-b'), { as: null });
});

after(async () => {
  // The server must be up for the next test file and for the cluster's own shutdown.
  try {
    pgCtl('-l', need('STILLPOINT_TEST_PG_LOG'), '-w', 'start');
  } catch {
    /* already running */
  }
  if (first) await quit(first);
  if (second) await quit(second);
});

async function joinClinic(w, user, { password = user.password } = {}) {
  await w.click('#mode-join');
  await w.fill('join-host', HOST);
  await w.fill('join-port', PORT);
  await w.fill('join-database', DATABASE);
  await w.click('#join-choose-ca');
  await answerFileDialog({ title: "Choose the clinic's certificate", name: CA, open: true });
  await w.until(async () => (await (await w.el('#field-join-ca_file')).getValue()) === CA, 'the chosen CA never reached the form', 10000);
  await w.fill('join-username', user.username);
  await w.fill('join-password', password);
  await w.click('#join-submit');
}

async function phaseOf(app) {
  return app.browser.execute(() => document.body.dataset.phase);
}

test('a workstation joins the clinic server; a wrong password is named under its field and the form keeps what was typed', async () => {
  await A.visible('#mode-join');
  await joinClinic(A, TESS, { password: 'not my password' });
  await A.until(async () => (await A.el('#error-join-password')).isExisting(), 'no message under the password', 15000).catch(async (e) => {
    await screenshot(first, 'clinic-join-failed');
    const shown = await A.texts('.alert, [id^="error-join-"]');
    throw new Error(`${e.message}: the form shows ${JSON.stringify(shown)}`);
  });
  assert.match(await A.text('#error-join-password'), /did not accept this username and password/);
  assert.equal(await (await A.el('#field-join-host')).getValue(), HOST);
  assert.equal(await (await A.el('#field-join-database')).getValue(), DATABASE);
  assert.equal(await (await A.el('#field-join-ca_file')).getValue(), CA);
  assert.equal(await phaseOf(first), 'setup');
  await screenshot(first, 'clinic-join-error');

  await A.fill('join-password', TESS.password);
  await A.click('#join-submit');
  await A.until(async () => (await phaseOf(first)) === 'ready', 'Tess never got in', 15000);
  assert.match(await A.text('#current-user'), /Tess Therapist/);
});

test('the therapist charts and signs a note on the first workstation', async () => {
  const { click, fill, visible, choose, until, text, invoke } = A;
  await click('#new-client');
  await fill('first_name', 'Nadia');
  await fill('last_name', 'Quist');
  await click('#save-client');
  await visible('#client-name');
  await click('#new-session');
  await visible('#session-form');
  await fill('duration_minutes', '50');
  await fill('subjective', 'Tension headache most afternoons; sleeps badly before deadlines.');
  await fill('pain_before', '6');
  await click('#add-technique');
  await choose('#field-techniques-0-technique_id', 'Myofascial release');
  await click('#field-techniques-0-regions-upper_trapezius_left');
  await fill('techniques-0-minutes', '20');
  await fill('techniques-0-reason', 'Guarding through the left upper trapezius');
  await fill('pain_after', '3');
  await fill('assessment', 'Softer tissue; headache eased during the session.');
  await fill('plan', 'Weekly for four weeks.');
  await until(async () => (await text('#save-status')) === 'Saved', 'the draft never saved', 10000);
  await click('#sign-session');
  await click('#confirm-sign');
  await until(async () => /Signed by/.test(await text('#signed-banner')), 'never signed', 10000);
  const listed = await invoke('list_clients', { query: { search: 'quist', include_archived: false, limit: 5, offset: 0 } });
  assert.equal(listed.value.items.length, 1);
  await screenshot(first, 'clinic-workstation-a');
});

test('the manager on the second workstation sees the signed note in the history and on the dashboard', async () => {
  const { click, visible, until, texts, search, text } = B;
  await joinClinic(B, MIA);
  await B.until(async () => (await phaseOf(second)) === 'ready', 'Mia never got in', 15000);
  await click('#nav-dashboard');
  await visible('[data-testid="stat-clients-on-record"]');
  await until(
    async () => (await text('#sessions-per-therapist tr[data-therapist="Tess Therapist"] td.signed')) === '1',
    'Tess’s signed note is not on the dashboard',
    10000,
  );
  await screenshot(second, 'clinic-dashboard-b');
  await click('#nav-clients');
  await search('quist');
  await until(async () => (await texts('[data-testid="client-row"]')).length === 1, 'Nadia is not listed for the manager', 10000);
  await click('[data-testid="client-row"]');
  await visible('#client-name');
  await click('#open-history');
  await visible('#history-title');
  assert.match(await text('#history-title'), /Nadia Quist/);
  await until(async () => (await texts('[data-testid="timeline-event"][data-kind="session"]')).length === 1, 'the note is not in the history', 10000);
  const event = (await texts('[data-testid="timeline-event"][data-kind="session"]'))[0];
  assert.match(event, /Tess Therapist/);
  assert.match(event, /Myofascial release/);
  await screenshot(second, 'clinic-workstation-b');
});

test('a second therapist on the second workstation cannot open the first therapist’s client', async () => {
  // The first workstation is still there (once, its WebDriver session was gone here: say why).
  const probe = await A.invoke('app_status').catch((e) => ({ failed: String(e) }));
  if (probe.failed) throw new Error(`the first workstation is gone (${probe.failed}); its log:\n${first.log.join('').slice(-6000)}`);
  const id = (await A.invoke('list_clients', { query: { search: 'quist', include_archived: false, limit: 1, offset: 0 } })).value.items[0].id;
  await B.click('#logout');
  await B.until(async () => (await phaseOf(second)) === 'login', 'no login screen after logging out');
  assert.match(await B.text('#login-clinic'), new RegExp(DATABASE));
  await logIn(second.browser, RUI);
  await B.until(async () => (await phaseOf(second)) === 'ready', 'Rui never got in', 15000);
  await B.click('#nav-clients');
  await B.search('quist');
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(await B.texts('[data-testid="client-row"]'), [], 'Rui’s list shows nobody of Tess’s');
  const opened = await B.invoke('get_client', { id });
  assert.equal(opened.ok, false, JSON.stringify(opened));
  assert.equal(opened.error.code, 'forbidden');
  const history = await B.invoke('client_history', { clientId: id });
  assert.equal(history.ok, false, JSON.stringify(history));
});

test('when the server stops mid-note the banner says so within three seconds, the note is kept here, and it arrives when the server is back', async () => {
  const { click, fill, visible, until, text, search, texts, el, invoke } = A;
  await click('#nav-clients');
  await search('quist');
  await until(async () => (await texts('[data-testid="client-row"]')).length === 1, 'Nadia not listed');
  await click('[data-testid="client-row"]');
  await visible('#client-name');
  await click('#new-session');
  await visible('#session-form');
  await fill('subjective', 'Second visit: two headache days this week.');
  await until(async () => (await text('#save-status')) === 'Saved', 'the draft never saved', 10000);

  const stopped = Date.now();
  pgCtl('-m', 'immediate', 'stop');
  await until(async () => (await el('#offline-banner')).isExisting(), 'no banner within 3 s', 3000);
  const noticed = Date.now() - stopped;
  assert.match(await text('#offline-banner'), /can.t be reached/);
  console.log(`clinic e2e: the banner showed ${noticed} ms after the server stopped`);

  // Typing goes on while the server is away: kept here, and the note says so.
  const typed = 'Typed while the server was away: tension eased after the chin tucks.';
  const box = await visible('#field-objective');
  await box.click();
  await box.addValue(typed);
  await until(async () => (await (await el('#save-status')).getAttribute('data-kept-here')) === 'true', 'the note never said it is kept here', 8000);
  assert.match(await text('#save-status'), /Not yet saved to the clinic server/);
  const refused = await invoke('create_client', { fields: { first_name: 'Not', last_name: 'Saved' } });
  assert.equal(refused.ok, false);
  assert.equal(refused.error.code, 'offline', JSON.stringify(refused));
  await screenshot(first, 'clinic-offline');

  pgCtl('-l', need('STILLPOINT_TEST_PG_LOG'), '-w', 'start');
  await until(async () => !(await (await el('#offline-banner')).isExisting()), 'the banner never went', 10000);
  await until(async () => (await text('#save-status')) === 'Saved', 'the kept note never reached the server', 10000);
  const notes = await invoke('list_sessions', { clientId: (await invoke('list_clients', { query: { search: 'quist', include_archived: false, limit: 1, offset: 0 } })).value.items[0].id });
  const draft = notes.value.find((n) => n.status === 'draft');
  const stored = await invoke('get_session', { id: draft.id });
  assert.equal(stored.value.objective, typed);
  const none = await invoke('list_clients', { query: { search: 'not saved', include_archived: false, limit: 5, offset: 0 } });
  assert.equal(none.value.items.length, 0, 'the refused write is nowhere');
  await screenshot(first, 'clinic-back');
});

test('the administrator adds, disables and resets users on the second workstation: each becomes the server\u2019s login', async () => {
  const { click, visible, until, text, el } = B;
  await click('#logout');
  await until(async () => (await phaseOf(second)) === 'login', 'no login screen');
  await logIn(second.browser, ALEX);
  await until(async () => (await phaseOf(second)) === 'ready', 'Alex never got in', 15000);
  await click('#nav-admin');
  await visible('#admin-users');
  // A new therapist: a login role on the server, made from this screen.
  await B.fill('new-username', NINA.username);
  await B.fill('new-display_name', NINA.displayName);
  await B.choose('#field-new-role', 'Therapist');
  await B.fill('new-password', NINA.password);
  await click('#add-user-submit');
  await visible(`#users-table tr[data-username="${NINA.username}"]`);
  // Rui disabled: his login is taken away on the server.
  await click(`#users-table tr[data-username="${RUI.username}"] .toggle-user`);
  await until(async () => /Disabled/.test(await text(`#users-table tr[data-username="${RUI.username}"] .status`)), 'Rui never disabled', 10000);
  // Nina's password reset from here: the server's login gets the new one.
  await click(`#users-table tr[data-username="${NINA.username}"] .set-password`);
  const reset = await visible(`#new-password-${NINA.username}`);
  await reset.setValue('nina second passphrase');
  await click(`#users-table tr[data-username="${NINA.username}"] .save-password`);
  await until(async () => !(await (await el(`#new-password-${NINA.username}`)).isExisting()), 'the new password was not set', 10000);
  assert.match(await text('#backups-on-server'), /backed up on the server/);
  await new Promise((r) => setTimeout(r, 500)); // let the last paint land
  await screenshot(second, 'clinic-admin');

  // On the first workstation: Nina can log in; Rui cannot.
  await A.click('#logout');
  await A.until(async () => (await phaseOf(first)) === 'login', 'no login screen on the first');
  await logIn(first.browser, RUI);
  await A.until(async () => (await A.el('#login-error')).isExisting(), 'Rui was not refused', 15000);
  assert.match(await A.text('#login-error'), /disabled/);
  await A.fill('login-username', NINA.username);
  await A.fill('login-password', NINA.password);
  await A.click('#login-submit');
  await A.until(async () => /did not accept/.test(await A.text('#login-error')), 'Nina\u2019s old password still worked', 15000);
  await A.fill('login-password', 'nina second passphrase');
  await A.click('#login-submit');
  await A.until(async () => (await phaseOf(first)) === 'ready', 'Nina never got in', 15000);
  assert.match(await A.text('#current-user'), /Nina Therapist/);
});
