// Part of make package-test (packaging/package-test.sh sets it up): the app installed from the
// .deb inside a clean bookworm chroot, started from /usr/bin/stillpoint as an ordinary user,
// under the Xvfb that xvfb-run gave this process. tauri-driver and WebKitWebDriver run inside
// the chroot too (same network, so this process reaches them on 127.0.0.1); the X display is
// reached through its abstract socket. Asserts the first-run screen, screenshots it, and sets
// up a clinic so the user's data folder holds a database for the removal check that follows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { freePort, waitForPort } from '../e2e/lib/ports.mjs';
import { join } from 'node:path';
import { remote } from 'webdriverio';

const ROOT = process.env.PACKAGE_TEST_ROOT;
const USER = process.env.PACKAGE_TEST_USER ?? 'clinic';
const UID = Number(process.env.PACKAGE_TEST_UID ?? 1000);
const ARTIFACTS = process.env.PACKAGE_TEST_ARTIFACTS;
const HOME = `/home/${USER}`;
const INSTALLED = '/usr/bin/stillpoint';

/**
 * Grab the X display (ImageMagick's import: what a person sees) once the window has painted
 * what the page holds: painting can lag the page by seconds on a loaded machine, so poll
 * until the region `region` of the picture has at least `min` colours (a blank window is
 * one colour). Returns the file, the colours counted and how long it took.
 */
async function screenshot(name, { region = '1200x800+0+0', min = 50, timeout = 90000 } = {}) {
  const out = join(ARTIFACTS, name);
  const until = Date.now() + timeout;
  const started = Date.now();
  let colours = 0;
  do {
    await new Promise((r) => setTimeout(r, 500));
    execFileSync('import', ['-window', 'root', '-crop', '1200x800+0+0', out]);
    colours = Number(execFileSync('convert', [out, '-crop', region, '+repage', '-format', '%k', 'info:']).toString());
  } while (colours < min && Date.now() < until);
  return { file: out, colours, ms: Date.now() - started };
}

async function typeInto(browser, sel, value) {
  const input = await browser.$(sel);
  await input.waitForDisplayed({ timeout: 10000, timeoutMsg: `${sel} never showed` });
  await input.setValue(value);
}

test('the installed app reaches its first-run screen and sets up a clinic', async () => {
  assert.ok(ROOT && existsSync(join(ROOT, INSTALLED.slice(1))), `no ${INSTALLED} in the chroot ${ROOT}`);
  assert.ok(process.env.DISPLAY, 'no DISPLAY: run under xvfb-run');
  mkdirSync(ARTIFACTS, { recursive: true });

  // The user's X cookie: the one xvfb-run made, copied into their home.
  const cookie = join(ROOT, HOME.slice(1), '.Xauthority');
  copyFileSync(process.env.XAUTHORITY, cookie);
  chownSync(cookie, UID, UID);

  const port = await freePort();
  const nativePort = await freePort();
  const log = [];
  // `chroot` and `env` exec, so the pid below is tauri-driver's own.
  const driver = spawn('chroot', [
    `--userspec=${UID}:${UID}`, ROOT,
    '/usr/bin/env', '-i',
    `HOME=${HOME}`, `USER=${USER}`, `LOGNAME=${USER}`, 'PATH=/usr/local/bin:/usr/bin:/bin',
    `DISPLAY=${process.env.DISPLAY}`, `XAUTHORITY=${HOME}/.Xauthority`, 'LANG=C.UTF-8', 'NO_AT_BRIDGE=1',
    'tauri-driver', '--port', String(port), '--native-port', String(nativePort),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  driver.stdout.on('data', (d) => log.push(String(d)));
  driver.stderr.on('data', (d) => log.push(String(d)));
  const exited = new Promise((res) => driver.once('exit', res));

  let browser;
  try {
    await waitForPort(port, 15000);
    browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'error',
      capabilities: { 'tauri:options': { application: INSTALLED } },
    });

    // The first-run screen: the UI says its phase, and the setup form's heading is there.
    await browser.waitUntil(
      async () => (await browser.execute(() => document.body?.dataset.phase ?? '')) === 'setup',
      { timeout: 30000, timeoutMsg: 'the installed app never showed its first-run (setup) screen' },
    );
    const heading = await browser.$('#auth-heading');
    await heading.waitForDisplayed({ timeout: 10000 });
    assert.equal(await heading.getText(), 'Set up Stillpoint');
    assert.ok(await (await browser.$('#setup-form')).isDisplayed(), 'the setup form is not shown');
    const first = await screenshot('package-first-run.png');
    console.log(`screenshot: ${first.file} (${first.colours} colours, ${first.ms} ms after the form was there)`);
    if (first.colours < 50) {
      const file = join(ARTIFACTS, 'package-first-run-webdriver.png');
      await browser.saveScreenshot(file);
      console.log(`WebKitWebDriver's own screenshot: ${file}`);
    }
    assert.ok(first.colours >= 50, `the window never painted the first-run screen (${first.colours} colours on screen)`);

    // Set up a clinic, as a therapist would on the first day.
    await typeInto(browser, '#field-setup-username', 'robin');
    await typeInto(browser, '#field-setup-display_name', 'Robin Lee');
    await typeInto(browser, '#field-setup-password', 'installed from the package');
    await typeInto(browser, '#field-setup-password_confirm', 'installed from the package');
    await (await browser.$('#setup-submit')).click();
    const key = await browser.$('#recovery-key');
    await key.waitForDisplayed({ timeout: 30000, timeoutMsg: 'the recovery key never showed' });
    await (await browser.$('#recovery-saved')).click();
    await (await browser.$('#recovery-continue')).click();
    await browser.waitUntil(
      async () => (await browser.execute(() => document.body?.dataset.ready ?? '')) === 'true',
      { timeout: 30000, timeoutMsg: 'the app never became ready after setup' },
    );
    // The clinic's first screen has a sidebar (the setup screen's left edge is blank).
    const ready = await screenshot('package-after-setup.png', { region: '200x800+0+0', min: 10 });
    console.log(`screenshot: ${ready.file} (${ready.colours} colours in the sidebar, ${ready.ms} ms after the app was ready)`);
    assert.ok(ready.colours >= 10, 'the window never painted the clinic after setup');

    const data = join(ROOT, HOME.slice(1), '.local/share/stillpoint');
    const files = readdirSync(data);
    assert.ok(files.includes('stillpoint.db') && files.includes('keys.json'), `data folder holds ${files.join(', ')}`);
  } catch (e) {
    e.message += `\n--- tauri-driver log ---\n${log.join('')}`;
    throw e;
  } finally {
    if (browser) await browser.deleteSession().catch(() => {});
    driver.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
    // Whatever tauri-driver left running holds its pipes open; package-test.sh stops it.
    driver.stdout.destroy();
    driver.stderr.destroy();
    driver.unref();
  }
});
