// Client records end to end, in the real app: create, find, edit, refuse bad input, and
// find it all again after a relaunch on the same data folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, quit, newDataDir, screenshot } from '../lib/harness.mjs';
import { ui } from '../lib/ui.mjs';

const dataDir = newDataDir('clients');
let app;
let b;

before(async () => {
  app = await launch(dataDir);
  b = app.browser;
});

after(async () => {
  if (app) await quit(app);
});

const { el, visible, fill, fillDate, search, rowTexts, waitForRows } = ui(() => b);

async function backToList() {
  await (await visible('#back')).click();
  await visible('#client-search');
}

test('a new user sees an empty state that says what to do', async () => {
  const empty = await visible('[data-testid="empty-state"]');
  assert.match(await empty.getText(), /add your first client/i);
  assert.match(await b.getTitle(), /Stillpoint$/);
  await screenshot(app, 'clients-empty');
});

test('create a client through the form', async () => {
  await (await visible('#new-client')).click();
  await visible('#client-form');
  // the first field has focus when the form opens
  const focused = await b.execute(() => document.activeElement?.id);
  assert.equal(focused, 'field-first_name');
  await fill('first_name', 'Zoë');
  await fill('last_name', "O'Brien");
  await fill('preferred_name', 'Zo');
  await fillDate('date_of_birth', '1988-04-02');
  await fill('phone', '+44 20 7946 0958');
  await fill('email', 'zoe@example.org');
  await fill('medications_acute', 'Sumatriptan 50 mg');
  await fill('allergies', 'Lavender oil');
  await screenshot(app, 'client-form');
  // Enter in a single-line field saves
  await (await el('#field-email')).click();
  await b.keys('Enter');
  const name = await visible('#client-name');
  assert.match(await name.getText(), /Zoë O'Brien/);
  assert.equal(await (await el('[data-field="phone"]')).getText(), '+44 20 7946 0958');
  assert.equal(await (await el('[data-field="allergies"]')).getText(), 'Lavender oil');
  await screenshot(app, 'client-page');
  await backToList();
  await waitForRows((r) => r.length === 1, 'showed the new client');
});

test('find a client by typing part of the name, accents and apostrophes ignored', async () => {
  await search('obri');
  await waitForRows((r) => r.length === 1 && /O'Brien/.test(r[0]), 'found obri');
  await search('zoe');
  await waitForRows((r) => r.length === 1 && /Zoë/.test(r[0]), 'found zoe');
  await search('nobody-like-this');
  const none = await visible('[data-testid="no-results"]');
  assert.match(await none.getText(), /nobody-like-this/);
  await search('');
  await waitForRows((r) => r.length === 1, 'came back');
});

test('edit a client', async () => {
  await search('zoe');
  await waitForRows((r) => r.length === 1, 'found zoe');
  await (await el('[data-testid="client-row"]')).click();
  await (await visible('#edit-client')).click();
  await visible('#client-form');
  await fill('phone', '0113 496 0001');
  await fill('occupation', 'Software developer');
  await (await el('#save-client')).click();
  await b.waitUntil(
    async () => (await (await el('[data-field="phone"]')).getText()) === '0113 496 0001',
    { timeout: 5000, timeoutMsg: 'the new phone never showed on the client page' },
  );
  assert.equal(await (await el('[data-field="occupation"]')).getText(), 'Software developer');
  await backToList();
});

test('an invalid form shows the error under the field and saves nothing', async () => {
  await search('');
  await waitForRows((r) => r.length === 1, 'listed one client');
  await (await visible('#new-client')).click();
  await visible('#client-form');
  await fill('last_name', 'Nobody');
  await fill('email', 'not-an-email');
  await (await el('#save-client')).click();
  const first = await visible('#error-first_name');
  assert.match(await first.getText(), /First name is required/);
  assert.equal(await (await el('#field-first_name')).getAttribute('aria-invalid'), 'true');

  await fill('first_name', 'Ann');
  await (await el('#save-client')).click();
  const email = await visible('#error-email');
  assert.match(await email.getText(), /name@example\.com/);
  assert.equal(await (await el('#error-first_name')).isExisting(), false);

  await fillDate('date_of_birth', '2999-01-01');
  await fill('email', 'ann@example.org');
  await (await el('#save-client')).click();
  const dob = await visible('#error-date_of_birth');
  assert.match(await dob.getText(), /future/);
  await screenshot(app, 'client-form-error');

  // Escape cancels; nothing was saved
  await b.keys('Escape');
  await visible('#client-search');
  await search('');
  await waitForRows((r) => r.length === 1, 'stayed at one client');
  await search('nobody');
  await visible('[data-testid="no-results"]');
});

test('hostile text is shown as text and never runs', async () => {
  await search('');
  await (await visible('#new-client')).click();
  await fill('first_name', '<img src=x onerror=alert(1)>');
  await fill('last_name', "'; DROP TABLE clients; --");
  await (await el('#save-client')).click();
  const name = await visible('#client-name');
  assert.match(await name.getText(), /<img src=x onerror=alert\(1\)>/);
  const imgs = await b.execute(() => document.querySelectorAll('#client-name img').length);
  assert.equal(imgs, 0);
  await backToList();
  await search('');
  await waitForRows((r) => r.length === 2, 'listed both clients');
});

test('quit and relaunch: the client is still there', async () => {
  await quit(app);
  app = await launch(dataDir);
  b = app.browser;
  await search('zoe');
  await waitForRows((r) => r.length === 1 && /O'Brien/.test(r[0]), 'found zoe after relaunch');
  await (await el('[data-testid="client-row"]')).click();
  await visible('#client-name');
  assert.equal(await (await el('[data-field="phone"]')).getText(), '0113 496 0001');
  await screenshot(app, 'client-page-after-relaunch');
});
