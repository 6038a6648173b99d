// Page helpers shared by the end-to-end specs: act on the app the way a person would.

/** Helpers bound to whichever browser `getBrowser()` returns (it changes on relaunch). */
export function ui(getBrowser) {
  const b = () => getBrowser();
  const el = (sel) => b().$(sel);

  async function visible(sel, timeout = 5000) {
    const e = await el(sel);
    await e.waitForDisplayed({ timeout, timeoutMsg: `${sel} never showed` });
    return e;
  }

  async function gone(sel, timeout = 5000) {
    await b().waitUntil(async () => !(await (await el(sel)).isExisting()), {
      timeout,
      timeoutMsg: `${sel} never went away`,
    });
  }

  async function fill(name, value) {
    const input = await visible(`#field-${name}`);
    await input.clearValue();
    if (value !== '') await input.setValue(value);
  }

  /** Date and time inputs differ between engines: set the value and fire input/change. */
  async function fillDate(name, value) {
    await visible(`#field-${name}`);
    await b().execute(
      (id, v) => {
        const input = document.getElementById(id);
        input.value = v;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
      },
      `field-${name}`,
      value,
    );
  }

  async function click(sel) {
    await (await visible(sel)).click();
  }

  async function text(sel) {
    return (await visible(sel)).getText();
  }

  /**
   * The visible text of every element matching `sel`, read in one script call: a list that
   * re-renders between finding its rows and reading them cannot hand back a stale node.
   * (WebDriver's element-by-element getText can, and webdriverio's retry of a stale node
   * then hangs until the wait times out.)
   */
  async function texts(sel) {
    return b().execute(
      (s) => Array.from(document.querySelectorAll(s), (e) => (e.innerText ?? '').replace(/\s+/g, ' ').trim()),
      sel,
    );
  }

  async function until(fn, what, timeout = 5000) {
    await b().waitUntil(fn, { timeout, timeoutMsg: what });
  }

  /** Choose an option of a <select> by its visible text. */
  async function choose(sel, label) {
    await (await visible(sel)).selectByVisibleText(label);
  }

  /** Call a command from inside the page, as the UI does; returns {ok, value|error}. */
  async function invoke(cmd, args = {}) {
    // Results cross WebDriver as JSON text: a rejected IPC error object does not cross as is.
    const text = await b()
      .executeAsync(
        (c, a, done) => {
          window.__TAURI_INTERNALS__.invoke(c, a).then(
            (v) => done(JSON.stringify({ ok: true, value: v })),
            (e) => done(JSON.stringify({ ok: false, error: e ?? null })),
          );
        },
        cmd,
        args,
      )
      .catch((e) => JSON.stringify({ ok: false, error: { message: String(e?.message ?? e) } }));
    return JSON.parse(text);
  }

  /** Clear the client search the way a person does (select all, delete), then type. */
  async function search(q) {
    const box = await visible('#client-search');
    await box.click();
    await b().keys(['Control', 'a']);
    await b().keys('Backspace');
    if (q) await box.addValue(q);
  }

  async function rowTexts() {
    return texts('[data-testid="client-row"]');
  }

  async function waitForRows(predicate, what) {
    await until(async () => predicate(await rowTexts()), `client rows never ${what}`);
  }

  return { el, visible, gone, fill, fillDate, click, text, texts, until, choose, invoke, search, rowTexts, waitForRows };
}
