// Trust, in the real app: first-run setup with the recovery key, an administrator adding a
// therapist, roles enforced (in the core, not only hidden), the lock keeping what was typed,
// hostile text shown as text on every screen, encrypted files, backups and a restore, and
// the audit check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { launch, quit, newDataDir, screenshot, logIn } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

const dataDir = newDataDir('trust');
const ADMIN = { username: 'alex.admin', password: 'a long admin passphrase', displayName: 'Alex Admin' };
const JO = { username: 'jo.park', password: 'jo passphrase 123', displayName: 'Jo Park' };
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const HOSTILE_NOTE = '<script>window.__pwned = 1</script><b>bold</b> & <i onmouseover=alert(2)>x</i>';
const CANARY = 'Quillonbeck';

let app;
let b;
const { el, visible, gone, fill, click, text, texts, until, choose, invoke } = ui(() => b);

before(async () => {
  app = await launch(dataDir, { as: null });
  b = app.browser;
});

after(async () => {
  if (app) await quit(app);
});

async function phase() {
  return b.execute(() => document.body.dataset.phase);
}

async function typeIn(sel, value) {
  const input = await visible(sel);
  await input.clearValue();
  if (value !== '') await input.setValue(value);
}

/** No script from the page's data ran, no dialog opened, no injected element exists. */
async function assertNothingRan(where) {
  const state = await b.execute(() => ({
    pwned: window.__pwned ?? null,
    injectedImg: document.querySelectorAll('img[src="x"]').length,
    injectedScript: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__pwned')).length,
    injectedItalic: document.querySelectorAll('i[onmouseover]').length,
  }));
  assert.deepEqual(state, { pwned: null, injectedImg: 0, injectedScript: 0, injectedItalic: 0 }, where);
  let alertText = null;
  try {
    alertText = await b.getAlertText();
  } catch {
    /* no alert open: good */
  }
  assert.equal(alertText, null, `${where}: an alert opened`);
}

async function bodyText() {
  return b.execute(() => document.body.innerText);
}

test('first run sets up the administrator and shows the recovery key once', async () => {
  assert.equal(await phase(), 'setup');
  await screenshot(app, 'setup', { screen: true });
  await typeIn('#field-setup-username', ADMIN.username);
  await typeIn('#field-setup-display_name', ADMIN.displayName);
  await typeIn('#field-setup-password', 'short');
  await typeIn('#field-setup-password_confirm', 'short');
  await click('#setup-submit');
  assert.match(await text('#error-setup-password'), /at least 10 characters/i);
  assert.equal(await phase(), 'setup', 'nothing was set up');

  await typeIn('#field-setup-password', ADMIN.password);
  await typeIn('#field-setup-password_confirm', ADMIN.password);
  await click('#setup-submit');
  const key = await text('#recovery-key');
  assert.match(key, /^([A-Z2-7]{4}-){12}[A-Z2-7]{4}$/);
  assert.equal(await (await el('#recovery-continue')).isEnabled(), false, 'continue waits for the tick');
  await screenshot(app, 'recovery-key', { screen: true });
  await click('#recovery-saved');
  await click('#recovery-continue');
  await until(async () => (await b.execute(() => document.body.dataset.ready)) === 'true', 'never ready');
  assert.match(await text('#current-user'), /Alex Admin/);
  app.recoveryKey = key;
});

test('the administrator adds a therapist', async () => {
  await click('#nav-admin');
  await visible('#admin-users');
  await typeIn('#field-new-username', JO.username);
  await typeIn('#field-new-display_name', JO.displayName);
  await choose('#field-new-role', 'Therapist');
  await typeIn('#field-new-password', JO.password);
  await click('#add-user-submit');
  await visible(`#users-table tr[data-username="${JO.username}"]`);
  assert.match(await text(`#users-table tr[data-username="${JO.username}"]`), /Therapist/);
  await screenshot(app, 'admin', { screen: true });
});

test('hostile text is plain text on every screen, and nothing runs', async () => {
  // A client, an intake and a signed note, all full of markup, written through the app.
  const created = await invoke('create_client', {
    fields: { first_name: HOSTILE_NAME, last_name: CANARY, notes: HOSTILE_NOTE, allergies: HOSTILE_NOTE },
  });
  assert.equal(created.ok, true, JSON.stringify(created));
  const clientId = created.value.id;
  const intake = await invoke('record_intake', {
    clientId,
    input: { assessed_on: new Date().toISOString().slice(0, 10), headache_days: 8, usual_intensity: 6, notes: HOSTILE_NOTE, goals: HOSTILE_NOTE },
  });
  assert.equal(intake.ok, true, JSON.stringify(intake));
  const session = await invoke('start_session', { clientId });
  const saved = await invoke('save_session_draft', {
    id: session.value.id,
    input: {
      started_at: new Date(Date.now() - 3600_000).toISOString(),
      duration_minutes: 45,
      subjective: HOSTILE_NOTE,
      objective: `${HOSTILE_NOTE} trapezius`,
      assessment: HOSTILE_NOTE,
      plan: HOSTILE_NOTE,
      pain_before: 6,
      pain_after: 3,
      techniques: [{ technique_id: '01900000-0000-7000-8000-000000000004', reason: HOSTILE_NOTE }],
    },
  });
  assert.equal(saved.ok, true, JSON.stringify(saved));
  assert.equal((await invoke('sign_session', { id: session.value.id })).ok, true);
  assert.equal((await invoke('amend_session', { id: session.value.id, reason: HOSTILE_NOTE, body: HOSTILE_NOTE })).ok, true);

  // The client list.
  await click('#nav-clients');
  await until(async () => (await texts('[data-testid="client-row"]')).some((t) => t.includes(HOSTILE_NAME)), 'the name is not shown as text in the list');
  await assertNothingRan('client list');
  // The client page.
  await click('[data-testid="client-row"]');
  await visible('#client-name');
  assert.ok((await text('#client-name')).includes(HOSTILE_NAME));
  assert.ok((await bodyText()).includes('<script>window.__pwned = 1</script>'));
  await assertNothingRan('client page');
  await screenshot(app, 'hostile-text', { screen: true });
  // History and outcomes.
  await click('#open-history');
  await visible('#history-title');
  assert.ok((await text('#history-title')).includes(HOSTILE_NAME));
  assert.ok((await bodyText()).includes('<script>window.__pwned = 1</script>'), 'the amendment reason shows as text');
  await assertNothingRan('history');
  // The signed note with its amendment.
  await click('[data-testid="timeline-event"][data-kind="session"] .open-record');
  await visible('[data-testid="amendment"]');
  assert.ok((await text('#session-view')).includes('<b>bold</b>'));
  await assertNothingRan('session note');
  // Search results and their snippets.
  await click('#nav-search');
  await typeIn('#search-text', 'trapezius');
  await visible('[data-testid="search-hit"]');
  assert.ok((await text('[data-testid="search-group"]')).includes(HOSTILE_NAME));
  await assertNothingRan('search');
  // The dashboard.
  await click('#nav-dashboard');
  await visible('[data-testid="stat-active-clients"]');
  await assertNothingRan('dashboard');
});

test('records are encrypted on disk: the client name is in no file', async () => {
  const files = readdirSync(dataDir).filter((f) => statSync(join(dataDir, f)).isFile());
  assert.ok(files.includes('stillpoint.db') && files.includes('keys.json'), files.join(', '));
  for (const f of files) {
    const bytes = readFileSync(join(dataDir, f));
    assert.equal(bytes.includes(Buffer.from(CANARY)), false, `${f} holds the client's name in plaintext`);
  }
});

test('a therapist logs in with their own password and sees only what their role allows', async () => {
  await click('#logout');
  await until(async () => (await phase()) === 'login', 'no login screen after logging out');
  await typeIn('#field-login-username', JO.username);
  await typeIn('#field-login-password', 'not the password');
  await click('#login-submit');
  assert.match(await text('#login-error'), /not right/);
  // Two more wrong passwords make three: the next try waits, even with the right password,
  // and the screen says how long.
  for (const wrong of ['still not it', 'nor this one']) {
    await typeIn('#field-login-password', wrong);
    await click('#login-submit');
    await until(
      async () => (await (await b.$('#field-login-password')).getValue()) === '',
      'the wrong password never came back',
    );
  }
  await typeIn('#field-login-password', JO.password);
  await click('#login-submit');
  await until(
    async () => /Wait \d+ seconds?, then try again/.test(await text('#login-error')),
    'no wait after three wrong passwords',
  );
  await screenshot(app, 'login-throttled', { screen: true });
  await new Promise((resolve) => setTimeout(resolve, 5500));
  await logIn(b, JO);
  await until(async () => (await b.execute(() => document.body.dataset.ready)) === 'true', 'jo never got in');
  assert.match(await text('#current-user'), /Jo Park/);
  assert.equal((await b.$$('#nav-dashboard')).length, 0, 'no dashboard for a therapist');
  assert.equal((await b.$$('#nav-admin')).length, 0, 'no administration for a therapist');
  // Hidden is not enough: the core refuses, and says why.
  const dash = await invoke('dashboard', { query: { from: null, to: null } });
  assert.equal(dash.ok, false);
  assert.equal(dash.error.code, 'forbidden');
  const users = await invoke('list_users');
  assert.equal(users.error.code, 'forbidden');
  // The administrator's client is not Jo's.
  const list = await invoke('list_clients', { query: { search: '', include_archived: false, limit: 50, offset: 0 } });
  assert.equal(list.value.total, 0);
});

test('locking hides the screen and keeps what was typed; logging in carries on', async () => {
  await click('#nav-clients');
  await click('#new-client');
  await fill('first_name', 'Maeve');
  await fill('last_name', 'Brennan');
  await click('#save-client');
  await visible('#client-name');
  await click('#new-session');
  await visible('#session-form');
  const words = 'Neck stiff after long screen days; two attacks this week.';
  await fill('subjective', words);
  await click('#lock-now');
  await visible('#lock-screen');
  const hidden = await b.execute(() => {
    const f = document.getElementById('field-subjective');
    return !f || f.closest('[inert]') !== null || getComputedStyle(f).visibility === 'hidden';
  });
  assert.equal(hidden, true, 'the note is hidden and inert behind the lock');
  await screenshot(app, 'lock-screen', { screen: true });
  const refused = await invoke('list_clients', { query: { search: '', include_archived: false, limit: 5, offset: 0 } });
  assert.equal(refused.error.code, 'locked', 'every command is refused while locked');
  await typeIn('#field-login-password', JO.password);
  await click('#login-submit');
  await gone('#lock-screen', 10000);
  assert.equal(await (await el('#field-subjective')).getValue(), words);
  await until(async () => (await text('#save-status')) === 'Saved', 'the draft was not saved after the lock', 10000);
  const sessions = await invoke('list_clients', { query: { search: 'brennan', include_archived: false, limit: 1, offset: 0 } });
  const notes = await invoke('list_sessions', { clientId: sessions.value.items[0].id });
  const note = await invoke('get_session', { id: notes.value[0].id });
  assert.equal(note.value.subjective, words);
});

test('the administrator backs up, restores, and checks the audit log', async () => {
  await click('#logout');
  await until(async () => (await phase()) === 'login', 'no login screen');
  await logIn(b, ADMIN);
  await until(async () => (await b.execute(() => document.body.dataset.ready)) === 'true', 'admin never got in');
  await click('#nav-admin');
  await click('#backup-now');
  await until(async () => (await (await el('#backup-status')).getAttribute('data-state')) === 'done', 'the backup never finished', 20000);
  assert.match(await text('#backup-status'), /verified/i);
  const backups = readdirSync(join(dataDir, 'backups'));
  assert.ok(backups.length >= 1);
  for (const f of backups) {
    const bytes = readFileSync(join(dataDir, 'backups', f));
    assert.equal(bytes.includes(Buffer.from(CANARY)), false, `backup ${f} is not encrypted`);
  }
  const first = await (await el('#backups-table tr[data-name]')).getAttribute('data-name');

  // A client added after the backup disappears when the backup is restored.
  const later = await invoke('create_client', { fields: { first_name: 'After', last_name: 'Backup' } });
  assert.equal(later.ok, true);
  await click(`#backups-table tr[data-name="${first}"] .restore-backup`);
  await visible('#restore-confirm');
  assert.match(await text('#restore-confirm'), /replace/i);
  await click('#confirm-restore');
  await visible('#restore-done', 20000);
  const gone = await invoke('get_client', { id: later.value.id });
  assert.equal(gone.error.code, 'not_found');
  assert.ok(readdirSync(join(dataDir, 'backups')).some((f) => f.startsWith('pre-restore-')), 'the replaced state was kept');

  await click('#verify-audit');
  await until(async () => (await (await el('#audit-result')).getAttribute('data-intact')) === 'true', 'the audit log did not verify');
  assert.match(await text('#audit-result'), /intact/);
});
