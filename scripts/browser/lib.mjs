// Harness for the demo's browser tests: the demo binary on a free loopback port with a fresh
// SQLite file, headless Chromium (Debian's /usr/bin/chromium) through playwright-core, and a
// `scenario()` wrapper that fails a test when any page logged a console error or a page error,
// or when a page visited failed the basic accessibility check; it also saves a screenshot of
// the scenario's final page under target/browser-screenshots/<scenario>.png.
//
// Env: LUCIA_DEMO_BIN (the demo binary; default ${CARGO_TARGET_DIR:-target}/debug/lucia-demo),
// LUCIA_CHROMIUM (default /usr/bin/chromium), LUCIA_BROWSER_HEADED=1 (show the window),
// LUCIA_DEMO_LOG=1 (copy the demo's output to stderr), LUCIA_REQUIRE_SERVICES=1 (a scenario
// whose service is not configured, e.g. LUCIA_OIDC_ISSUER, fails instead of being skipped).

import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'target', 'browser-screenshots');

// ------------------------------------------------------------------ TOTP (RFC 6238 / 4226)

/** Decodes RFC 4648 base32 (case-insensitive; spaces and `=` padding ignored). */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of clean) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${JSON.stringify(c)} in ${JSON.stringify(text)}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The 30-second time step of `ms` (Unix milliseconds). */
export function totpStep(ms = Date.now(), period = 30) {
  return Math.floor(ms / 1000 / period);
}

/** HOTP (RFC 4226) of `key` (a Buffer) for `counter`, HMAC-SHA-1 by default. */
export function hotp(key, counter, digits = 6, algorithm = 'sha1') {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(code).padStart(digits, '0');
}

/** TOTP (RFC 6238) code of a base32 secret for a time step (default: now). */
export function totp(base32Secret, step = totpStep(), digits = 6) {
  return hotp(base32Decode(base32Secret), step, digits);
}

// ------------------------------------------------------------------ the demo process

export function demoBinary() {
  return (
    process.env.LUCIA_DEMO_BIN ||
    join(process.env.CARGO_TARGET_DIR || join(REPO_ROOT, 'target'), 'debug', 'lucia-demo')
  );
}

/**
 * Starts the demo on 127.0.0.1 with a free port (`--addr 127.0.0.1:0`; the port is read from
 * its "listening on" line) and a fresh SQLite file in a temporary directory.
 * `addr` replaces the listening address (a fixed port, e.g. for OAuth redirect URIs
 * registered at a provider); `args`/`env` are extra command-line arguments and environment
 * variables. Returns { base, dir, log(), stop() }.
 */
export async function startDemo({ addr = '127.0.0.1:0', args = [], env = {}, timeoutMs = 30_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lucia-browser-'));
  const db = join(dir, 'demo.db');
  const child = spawn(
    demoBinary(),
    ['--addr', addr, '--database-url', `sqlite://${db}`, ...args],
    { env: { ...process.env, RUST_BACKTRACE: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const onData = (chunk) => {
    output += chunk;
    if (process.env.LUCIA_DEMO_LOG) process.stderr.write(chunk);
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  let failedToSpawn;
  child.once('error', (err) => { failedToSpawn = err; });

  const started = new Promise((resolveBase, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start in ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
    const check = () => {
      const m = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolveBase(m[1]); }
    };
    child.stdout.on('data', check);
    child.once('error', (err) => { clearTimeout(timer); reject(new Error(`cannot run ${demoBinary()}: ${err.message}`)); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (code ${code}, signal ${signal}) before listening; output:\n${output}`));
    });
  });
  let base;
  try {
    base = await started;
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  let stopped;
  return {
    base,
    dir,
    log: () => output,
    /** SIGINT (the demo shuts down gracefully on Ctrl-C), SIGKILL after 5 s; removes the db. */
    stop() {
      stopped ??= (async () => {
        if (!failedToSpawn && child.exitCode === null && child.signalCode === null) {
          child.kill('SIGINT');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

// ------------------------------------------------------------------ the browser

const CHROMIUM_ARGS = [
  '--no-sandbox', // runs as root in CI
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these, Chromium keeps calling home; the closed network refuses it and it stalls.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.LUCIA_CHROMIUM || '/usr/bin/chromium',
    headless: !process.env.LUCIA_BROWSER_HEADED,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

// ------------------------------------------------------------------ accessibility check

/**
 * Runs in the page (keep it self-contained): the problems of `document`, as strings.
 *  - every input/select/textarea (except hidden, submit, button, reset, image) has a label:
 *    label[for=id], a wrapping label, aria-label or aria-labelledby, with non-empty text;
 *  - exactly one h1; <html lang> and a <title>;
 *  - every form has an enabled, focusable submit button, so Enter in a field submits it.
 */
export function accessibilityProblems() {
  const problems = [];
  const describe = (el) => {
    const attrs = ['name', 'type', 'id', 'action'].map((a) => el.getAttribute(a) && `${a}=${JSON.stringify(el.getAttribute(a))}`).filter(Boolean);
    return `<${el.tagName.toLowerCase()} ${attrs.join(' ')}>`;
  };
  const text = (el) => (el?.textContent || '').replace(/\s+/g, ' ').trim();
  const h1s = document.querySelectorAll('h1').length;
  if (h1s !== 1) problems.push(`${h1s} <h1> elements (want exactly one)`);
  if (!document.documentElement.getAttribute('lang')) problems.push('<html> has no lang');
  if (!document.title.trim()) problems.push('no <title>');
  const skip = new Set(['hidden', 'submit', 'button', 'reset', 'image']);
  for (const field of document.querySelectorAll('input, select, textarea')) {
    if (field.tagName === 'INPUT' && skip.has((field.getAttribute('type') || 'text').toLowerCase())) continue;
    const names = [];
    if (field.id) for (const l of document.querySelectorAll(`label[for="${CSS.escape(field.id)}"]`)) names.push(text(l));
    const wrapping = field.closest('label');
    if (wrapping) names.push(text(wrapping));
    names.push((field.getAttribute('aria-label') || '').trim());
    for (const id of (field.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)) {
      names.push(text(document.getElementById(id)));
    }
    if (!names.some(Boolean)) problems.push(`unlabelled field ${describe(field)}`);
  }
  for (const form of document.forms) {
    const submit = [...form.elements].find((el) =>
      (el.tagName === 'BUTTON' && el.type === 'submit') ||
      (el.tagName === 'INPUT' && (el.type === 'submit' || el.type === 'image')));
    if (!submit) problems.push(`form ${describe(form)} has no submit button (Enter cannot submit it)`);
    else if (submit.disabled || submit.tabIndex < 0) problems.push(`form ${describe(form)}: submit button not keyboard reachable`);
    else if (!text(submit) && !submit.getAttribute('aria-label') && !submit.value) problems.push(`form ${describe(form)}: submit button has no name`);
  }
  return problems;
}

// ------------------------------------------------------------------ scenarios

/**
 * Console errors that are known shortcomings of the demo, listed (with the reason) rather than
 * failing every scenario; each one seen is printed as a test diagnostic. Remove an entry once
 * the demo is fixed.
 */
export const KNOWN_CONSOLE_ERRORS = [
  // Empty: the favicon 404 listed here before is gone (the pages link /favicon.svg).
  // An entry is { url: /regex/, text: /regex/, why: 'the reason' }.
];

/**
 * The services a scenario needs, by environment variable (`requires` of `scenario()`): when
 * one is unset the scenario is skipped with a loud SKIPPED line on stderr, or fails when
 * LUCIA_REQUIRE_SERVICES=1 (as CI sets), like the Rust tests.
 */
export const SERVICES = {
  LUCIA_OIDC_ISSUER: 'the OpenID provider of scripts/services.sh',
};

/** The names of `vars` that are unset or empty. */
export function missingServices(vars) {
  return vars.filter((v) => !process.env[v]?.trim());
}

let browser;
let defaultUserAgent;

/** Registers the shared browser for this test file (launched once, closed after). */
export function useBrowser() {
  if (useBrowser.done) return;
  useBrowser.done = true;
  before(async () => {
    browser = await launchBrowser();
    const page = await browser.newPage();
    defaultUserAgent = await page.evaluate(() => navigator.userAgent);
    await page.close();
  });
  after(async () => { await browser?.close(); });
}

export const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * One browser scenario: `test(name, ...)` with a fresh demo process and a `Scenario` helper.
 * Options: `demo` (passed to startDemo; a function is called first, so it may read the
 * environment), `timeout` (ms, default 120 s), `requires` (environment variables naming the
 * services needed, see SERVICES: skipped, or failed with LUCIA_REQUIRE_SERVICES=1, when unset).
 */
export function scenario(name, fn, { demo: demoOptions = {}, timeout = 120_000, requires = [] } = {}) {
  useBrowser();
  test(name, { timeout }, async (t) => {
    const missing = missingServices(requires);
    if (missing.length) {
      const what = missing.map((v) => `${v} (${SERVICES[v] ?? 'a service'})`).join(', ');
      if (process.env.LUCIA_REQUIRE_SERVICES === '1') {
        throw new Error(`${name}: ${what} is not set and LUCIA_REQUIRE_SERVICES=1 (start it with scripts/services.sh up)`);
      }
      const line = `SKIPPED: ${name}: ${what} is not set (run \`eval "$(scripts/services.sh up)"\` to test against it)`;
      process.stderr.write(`\n*** ${line}\n\n`);
      t.skip(line);
      return;
    }
    const options = typeof demoOptions === 'function' ? demoOptions() : demoOptions;
    const s = new Scenario(name, t, await startDemo(options));
    let failure;
    try {
      await fn(s);
    } catch (err) {
      failure = err;
    }
    const problems = await s.finish();
    if (failure) {
      for (const p of problems) t.diagnostic(p);
      if (process.env.LUCIA_DEMO_LOG === undefined) t.diagnostic(`demo output:\n${s.demo.log()}`);
      throw failure;
    }
    if (problems.length) throw new Error(`${name}:\n  ${problems.join('\n  ')}`);
  });
}

export class Scenario {
  constructor(name, t, demo) {
    this.name = name;
    this.t = t;
    this.demo = demo;
    this.base = demo.base;
    this.origin = new URL(demo.base).origin;
    this.foreign = [];
    this.contexts = [];
    this.problems = [];
    this.consoleErrors = [];
    this.documents4xx = new Set();
    this.checkedPages = 0;
    this.lastPage = undefined;
    this.screenshot = true;
    this.id = randomBytes(4).toString('hex');
    this.counter = 0;
  }

  /** A unique email address for this run, e.g. `ada-1a2b3c4d-1@example.com`. */
  email(who = 'user') {
    return `${who}-${this.id}-${++this.counter}@example.com`;
  }

  /** A password the policy accepts (long, random, not a common one). */
  password() {
    return `pw ${randomBytes(9).toString('base64url')} horse`;
  }

  url(path) {
    return new URL(path, this.base).href;
  }

  /**
   * A new browser context (its own cookies: a separate "device") and a page in it.
   * `label` is appended to the User-Agent, so the sessions page can tell devices apart.
   * Every page of the context is watched: console errors, page errors, and the accessibility
   * check on every document loaded.
   */
  async newPage(label = `device-${this.contexts.length + 1}`) {
    const userAgent = `${defaultUserAgent} lucia-test/${label}`;
    const context = await browser.newContext({ baseURL: this.base, userAgent, viewport: { width: 1000, height: 800 } });
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(15_000);
    this.contexts.push(context);
    await context.exposeBinding('__luciaA11yReport', ({ frame }, origin, url, problems) => {
      if (frame.parentFrame()) return;
      if (origin !== this.origin) {
        // Another site's page (the OAuth provider's login form): not the demo's to fix.
        for (const p of problems) this.#foreign(`[${label}] accessibility, ${origin}${url}: ${p}`);
        return;
      }
      this.checkedPages += 1;
      for (const p of problems) this.problems.push(`[${label}] accessibility, ${url}: ${p}`);
    });
    await context.addInitScript(`(() => {
      if (window !== window.top || !/^https?:$/.test(location.protocol)) return;
      const check = ${accessibilityProblems.toString()};
      const run = () => window.__luciaA11yReport(location.origin, location.pathname + location.search, check());
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run, { once: true });
      else run();
    })();`);
    context.on('page', (page) => this.#watch(page, label));
    const page = await context.newPage();
    page.label = label;
    this.lastPage ??= page;
    return page;
  }

  /** Whether `url` is one of the demo's pages (not the OAuth provider's, say). */
  isDemo(url) {
    try {
      return new URL(url).origin === this.origin;
    } catch {
      return false;
    }
  }

  /** A problem of another site's page: printed as a diagnostic, never counted. */
  #foreign(line) {
    if (!this.foreign.includes(line)) this.foreign.push(line);
  }

  #watch(page, label) {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const error = { label, page: page.url(), text: msg.text(), url: msg.location()?.url };
      if (this.isDemo(error.page)) this.consoleErrors.push(error);
      else this.#foreign(`[${label}] console error on ${error.page}: ${error.text}${error.url ? ` (${error.url})` : ''}`);
    });
    // Documents answered with 4xx are the demo's deliberate answers (a wrong password is a 400
    // page, a taken address a 409 one): Chromium logs "Failed to load resource" for them,
    // which does not count. A 5xx document is a problem.
    page.on('response', (response) => {
      const request = response.request();
      if (!request.isNavigationRequest() || request.resourceType() !== 'document') return;
      const status = response.status();
      if (status >= 400 && status < 500) this.documents4xx.add(response.url());
      if (status >= 500) this.problems.push(`[${label}] ${request.method()} ${response.url()} answered ${status}`);
    });
    page.on('pageerror', (err) => {
      const line = `[${label}] page error on ${page.url()}: ${err.message}`;
      if (this.isDemo(page.url())) this.problems.push(line);
      else this.#foreign(line);
    });
    page.on('crash', () => this.problems.push(`[${label}] page crashed on ${page.url()}`));
  }

  /**
   * A screenshot of `page` now, as target/browser-screenshots/<scenario>-<suffix>.png; with
   * `docs` and LUCIA_BROWSER_UPDATE_DOCS=1 also as that path in the repository (the README's
   * picture), taken at a 1000x700 viewport (not the full page) to keep it small.
   */
  async snapshot(page, suffix, { docs } = {}) {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, `${slug(this.name)}-${suffix}.png`);
    const viewport = page.viewportSize();
    if (docs) await page.setViewportSize({ width: 1000, height: 700 });
    try {
      await page.screenshot({ path, fullPage: !docs });
    } finally {
      if (docs) await page.setViewportSize(viewport);
    }
    if (docs && process.env.LUCIA_BROWSER_UPDATE_DOCS === '1') {
      const target = join(REPO_ROOT, docs);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(path, target);
      this.t.diagnostic(`wrote ${docs}`);
    }
    return path;
  }

  /** The page whose screenshot is saved at the end (default: the first page opened). */
  finalPage(page) {
    this.lastPage = page;
  }

  /** Screenshot, closes the contexts, stops the demo; returns the problems found. */
  async finish() {
    if (this.screenshot && this.lastPage && !this.lastPage.isClosed()) {
      try {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        await this.lastPage.screenshot({ path: join(SCREENSHOT_DIR, `${slug(this.name)}.png`), fullPage: true });
      } catch (err) {
        this.t.diagnostic(`no screenshot: ${err.message}`);
      }
    }
    // The final page of every context is checked directly too (its report may still be on
    // its way through the binding).
    for (const context of this.contexts) {
      for (const page of context.pages()) {
        if (!this.isDemo(page.url())) continue;
        try {
          for (const p of await page.evaluate(accessibilityProblems)) {
            const line = `[${page.label ?? '?'}] accessibility, ${new URL(page.url()).pathname}: ${p}`;
            if (!this.problems.includes(line)) this.problems.push(line);
          }
        } catch (err) {
          this.problems.push(`[${page.label ?? '?'}] accessibility check failed on ${page.url()}: ${err.message}`);
        }
      }
    }
    for (const { label, page, text, url } of this.consoleErrors) {
      if (url && this.documents4xx.has(url) && /^Failed to load resource: the server responded with a status of 4\d\d\b/.test(text)) continue;
      const known = KNOWN_CONSOLE_ERRORS.find(({ url: u, text: t }) => u.test(url ?? '') && t.test(text));
      if (known) {
        this.t.diagnostic(`known console error, not counted (${known.why}): ${text} (${url})`);
        continue;
      }
      this.problems.push(`[${label}] console error on ${page}: ${text}${url ? ` (${url})` : ''}`);
    }
    for (const line of this.foreign) this.t.diagnostic(`another site's page, not counted: ${line}`);
    if (this.contexts.length && this.checkedPages === 0) this.problems.push('the accessibility check never ran (init script or binding broken)');
    this.t.diagnostic(`${this.checkedPages} page loads checked for accessibility`);
    for (const context of this.contexts) await context.close().catch(() => {});
    await this.demo.stop();
    return this.problems;
  }
}

// ------------------------------------------------------------------ small assertions

/** Waits until `locator` (exactly one element) is visible; a clearer message on timeout. */
export async function expectVisible(locator, what = String(locator)) {
  try {
    await locator.waitFor({ state: 'visible' });
  } catch (err) {
    throw new Error(`expected visible: ${what}\n${err.message.split('\n')[0]}`);
  }
}

/** Waits until `locator` matches nothing visible. */
export async function expectHidden(locator, what = String(locator)) {
  try {
    await locator.waitFor({ state: 'hidden' });
  } catch (err) {
    throw new Error(`expected hidden: ${what}\n${err.message.split('\n')[0]}`);
  }
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually(fn, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
