// The demo's user flows as a person would do them in the browser: role/label locators only,
// one place per flow, so that changes to a flow (email verification after sign-up, "remember
// me" on the log-in form, OAuth buttons, ...) are made here once for every scenario.

import assert from 'node:assert/strict';
import { expectHidden, expectVisible, totp, totpStep } from './lib.mjs';

export const heading = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const header = (page) => page.getByRole('banner');
const main = (page) => page.getByRole('main');

/** GET /api/me with the page's cookies: { status, body }. */
export async function apiMe(page) {
  const response = await page.request.get('/api/me', { failOnStatusCode: false });
  const body = await response.json().catch(() => null);
  return { status: response.status(), body };
}

/** The session cookie of the page's context, if any. */
export async function sessionCookie(page) {
  return (await page.context().cookies()).find((c) => c.name === 'auth_session');
}

/** The "Please verify your email address" banner shown on every page until verified. */
export const verificationBanner = (page) =>
  page.getByRole('status').filter({ hasText: 'Please verify your email address' });

/**
 * Signed in as `email`: the home page greets them, the header names them and links Settings
 * and Sessions, /api/me agrees. `verified`: true = no verification banner, false = the banner
 * (undefined: not checked).
 */
export async function expectSignedIn(page, email, { verified } = {}) {
  await expectVisible(heading(page, 'Welcome back'), 'the "Welcome back" heading');
  await expectVisible(main(page).getByText(`You are signed in as ${email}.`), `"You are signed in as ${email}."`);
  await expectVisible(header(page).getByText(email, { exact: true }), 'the email in the header');
  await expectVisible(header(page).getByRole('link', { name: 'Settings', exact: true }), 'the Settings link in the header');
  await expectVisible(header(page).getByRole('link', { name: 'Sessions', exact: true }), 'the Sessions link in the header');
  await expectVisible(header(page).getByRole('button', { name: 'Log out' }), 'the Log out button in the header');
  if (verified === false) await expectVisible(verificationBanner(page), 'the verification banner');
  if (verified === true) assert.equal(await verificationBanner(page).count(), 0, 'no verification banner');
  const me = await apiMe(page);
  assert.equal(me.status, 200, '/api/me answers for a signed-in browser');
  assert.equal(me.body?.email, email);
}

/** Anonymous: the home page offers log in / sign up, no Log out button, /api/me is 401. */
export async function expectSignedOut(page) {
  await expectVisible(heading(page, 'Welcome'), 'the anonymous "Welcome" heading');
  await expectVisible(header(page).getByRole('link', { name: 'Log in' }), 'the Log in link in the header');
  await expectVisible(header(page).getByRole('link', { name: 'Sign up' }), 'the Sign up link in the header');
  assert.equal(await page.getByRole('button', { name: 'Log out' }).count(), 0, 'no Log out button');
  assert.equal((await apiMe(page)).status, 401, '/api/me refuses an anonymous browser');
}

/**
 * From the home page: Sign up → the form → "Create account". Lands signed in with the
 * verification banner showing; with `{ verify: true }` the address is then verified with the
 * mailed code (verifyEmail).
 */
export async function signUp(page, email, password, { verify = false } = {}) {
  await page.goto('/');
  await main(page).getByRole('link', { name: 'Sign up' }).click();
  await expectVisible(heading(page, 'Sign up'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expectSignedIn(page, email, { verified: false });
  if (verify) await verifyEmail(page, email);
}

/**
 * The code of the newest "Verify your email address" mail to `email` (opens the mailbox in
 * `page`). Also checks the mail's link is the demo's own /verify-email (the public URL).
 */
export async function readVerificationCode(page, email) {
  const mail = await openMail(page, email, 'Verify your email address');
  const text = (await mail.innerText()).replace(/\s+/g, ' ');
  const m = text.match(/Your lucia demo verification code is ([A-Z0-9]{8}) Enter it at/);
  assert.ok(m, `a code in the mail: ${text}`);
  assert.match(m[1], /^[A-HJ-NP-Z2-9]{8}$/, 'the code uses the unambiguous alphabet');
  const link = await mail.getByRole('link', { name: /\/verify-email$/ }).getAttribute('href');
  assert.equal(link, new URL('/verify-email', page.url()).href, "the mail links the demo's own /verify-email");
  return m[1];
}

/**
 * The banner's link → /verify-email → the code typed and submitted with Enter. Does not
 * assert the outcome.
 */
export async function submitVerificationCode(page, code) {
  await page.goto('/');
  await verificationBanner(page).getByRole('link', { name: 'enter the code we mailed you' }).click();
  await expectVisible(heading(page, 'Verify your email'));
  const field = page.getByLabel('Verification code');
  await field.fill(code);
  const navigated = page.waitForNavigation();
  await field.press('Enter');
  await navigated;
}

/** "Send a new code" on /verify-email: the notice that the previous code is void. */
export async function resendVerificationCode(page) {
  await page.goto('/verify-email');
  await expectVisible(heading(page, 'Verify your email'));
  const navigated = page.waitForNavigation();
  await page.getByRole('button', { name: 'Send a new code' }).click();
  await navigated;
}

/** Reads the mailed code and enters it: lands on the home page without the banner. */
export async function verifyEmail(page, email) {
  const code = await readVerificationCode(page, email);
  await submitVerificationCode(page, code);
  assert.equal(new URL(page.url()).pathname, '/', 'a verified address goes home');
  await expectSignedIn(page, email, { verified: true });
  return code;
}

/** The Settings link in the header: the settings page. */
export async function openSettings(page) {
  await header(page).getByRole('link', { name: 'Settings', exact: true }).click();
  await expectVisible(heading(page, 'Settings'));
}

/** On /settings: the sign-in methods table's rows, as text ("Email and password", ...). */
export async function signInMethods(page) {
  const rows = main(page).getByRole('table').getByRole('row');
  const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  return texts.slice(1); // the header row
}

/**
 * The log-in form, submitted by pressing Enter in the password field (the keyboard path) or by
 * clicking the button (`{ enter: false }`); `remember` ticks "Remember me for 30 days".
 * Does not assert the outcome.
 */
export async function submitLogIn(page, email, password, { enter = true, remember = false } = {}) {
  await page.goto('/login');
  await expectVisible(heading(page, 'Log in'));
  await page.getByLabel('Email').fill(email);
  const box = page.getByLabel('Remember me for 30 days');
  assert.equal(await box.isChecked(), false, '"Remember me" starts unticked');
  if (remember) await box.check();
  const field = page.getByLabel('Password');
  await field.fill(password);
  const navigated = page.waitForNavigation();
  if (enter) await field.press('Enter');
  else await main(page).getByRole('button', { name: 'Log in' }).click();
  await navigated;
}

/** Logs in with a right password and no second factor: lands signed in. */
export async function logIn(page, email, password, options) {
  await submitLogIn(page, email, password, options);
  await expectSignedIn(page, email);
}

/**
 * A session waiting for its second factor, on /2fa (or `path`): only "Log out" in the header, and
 * /api/me does not count it yet.
 */
export async function expectSecondFactorPending(page, { path = '/2fa' } = {}) {
  await expectVisible(heading(page, 'Two-factor authentication'));
  assert.equal(new URL(page.url()).pathname, path);
  await expectVisible(header(page).getByRole('button', { name: 'Log out' }), 'Log out in the header');
  const nav = header(page).getByRole('navigation');
  assert.deepEqual(
    (await nav.getByRole('link').allInnerTexts()).map((t) => t.trim()),
    [],
    'no links (Settings, Sessions, Log in, ...) in the header of a pending session',
  );
  assert.equal((await apiMe(page)).status, 401, 'a session waiting for its second factor does not count yet');
}

/** Logs in with a right password on an account with two-factor on: lands on /2fa, pending. */
export async function logInToSecondFactor(page, email, password, options) {
  await submitLogIn(page, email, password, options);
  await expectSecondFactorPending(page);
}

/** The Log out button in the header. Lands signed out. */
export async function logOut(page) {
  await header(page).getByRole('button', { name: 'Log out' }).click();
  await expectSignedOut(page);
}

/**
 * The newest mail to `to` in the development mailbox (`GET /dev/mailbox`), opened in `page`:
 * returns its <article> locator.
 */
export async function openMail(page, to, subject) {
  await page.goto('/dev/mailbox');
  await expectVisible(heading(page, 'Mailbox'));
  const mail = page.getByRole('article').filter({ hasText: subject }).filter({ hasText: `to ${to}` }).first();
  await expectVisible(mail, `a mail "${subject}" to ${to} in the mailbox`);
  return mail;
}

/** Forgot password → the mail → its link. Ends on "Choose a new password"; returns the link. */
export async function requestPasswordReset(page, email) {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Reset it' }).click();
  await expectVisible(heading(page, 'Forgot your password?'));
  const field = page.getByLabel('Email');
  await field.fill(email);
  await field.press('Enter'); // the "Send a reset link" button, by keyboard
  await expectVisible(heading(page, 'Check your mail'));
  const mail = await openMail(page, email, 'Reset your password');
  const link = mail.getByRole('link', { name: /\/reset-password\// });
  const href = await link.getAttribute('href');
  assert.match(href, /^http:\/\/127\.0\.0\.1:\d+\/reset-password\/[^/\s]+$/);
  await link.click();
  await expectVisible(heading(page, 'Choose a new password'));
  return href;
}

/**
 * /settings/2fa → "Set up": reads the key shown on the page, enters the current code, and returns
 * { secret, step, codes } (`step`: the time step of the code used, which cannot be used again).
 */
export async function enableTwoFactor(page) {
  await page.goto('/');
  await main(page).getByRole('link', { name: 'Two-factor authentication' }).click();
  await expectVisible(heading(page, 'Two-factor authentication'));
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expectVisible(page.getByRole('img', { name: 'QR code of the two-factor key' }), 'the QR code');
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  assert.match(secret, /^[A-Z2-7]+=*$/, 'the key is base32');
  const step = totpStep();
  await page.getByLabel('Code', { exact: true }).fill(totp(secret, step));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expectVisible(heading(page, 'Recovery codes'));
  const codes = (await main(page).getByRole('listitem').allTextContents()).map((c) => c.trim());
  return { secret, step, codes };
}

/**
 * A TOTP code that has not been used yet: the current step, or the one after `usedStep` if
 * that is still the current one (the demo accepts one step either side, and refuses replays).
 */
export function freshCode(secret, usedStep) {
  return totp(secret, Math.max(totpStep(), usedStep + 1));
}

/** On /2fa: the authenticator-app code field, submitted with Enter. */
export async function submitTotp(page, code) {
  const field = page.getByLabel('Code from your authenticator app');
  await field.fill(code);
  const navigated = page.waitForNavigation();
  await field.press('Enter');
  await navigated;
}

/** On /2fa: a recovery code, submitted with the Continue button. */
export async function submitRecoveryCode(page, code) {
  await page.getByLabel('Or a recovery code').fill(code);
  await page.getByRole('button', { name: 'Continue' }).click();
}

// ------------------------------------------------------------------ OAuth

/**
 * The OpenID provider of scripts/services.sh (scripts/oidc/server.mjs) as the demo's generic
 * "oidc" provider, from LUCIA_OIDC_ISSUER: { id, name, issuer, origin, env } (`env`: the
 * demo's LUCIA_DEMO_OIDC_* variables), or undefined when the variable is unset.
 */
export function oidcProvider(name = 'Example ID') {
  const issuer = process.env.LUCIA_OIDC_ISSUER?.trim().replace(/\/+$/, '');
  if (!issuer) return undefined;
  return {
    id: 'oidc',
    name,
    issuer,
    origin: new URL(issuer).origin,
    env: {
      LUCIA_DEMO_OIDC_ISSUER: issuer,
      LUCIA_DEMO_OIDC_CLIENT_ID: 'lucia-test',
      LUCIA_DEMO_OIDC_CLIENT_SECRET: 'lucia-test-secret',
      LUCIA_DEMO_OIDC_NAME: name,
    },
  };
}

/** The provider's users (scripts/oidc/server.mjs). */
export const ALICE = { login: 'alice', password: 'alice-password', email: 'alice@example.com', sub: 'alice-0001' };
export const BOB = { login: 'bob', password: 'bob-password', email: 'bob@example.com', sub: 'bob-0002' };

/**
 * Clicks `trigger` (a link or button that starts an OAuth flow) and goes through the
 * provider: its "Sign in" form is filled with `user`'s username and password when it shows
 * (it does not when this browser is still signed in at the provider: then the provider sends
 * it straight back). Ends on the demo's page after the callback; returns
 * { providerLogin: whether the provider's form was used }.
 */
export async function throughProvider(page, provider, user, trigger) {
  let navigated = page.waitForNavigation();
  await trigger.click();
  await navigated;
  let providerLogin = false;
  if (new URL(page.url()).origin === provider.origin) {
    await expectVisible(heading(page, 'Sign in'), "the provider's Sign in page");
    await expectVisible(page.getByText(`to continue to lucia-test`), 'the client named on the provider page');
    await page.getByLabel('Username').fill(user.login);
    await page.getByLabel('Password').fill(user.password);
    navigated = page.waitForNavigation();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await navigated;
    providerLogin = true;
  }
  const url = new URL(page.url());
  assert.notEqual(url.origin, provider.origin, `back from the provider (on ${url.href})`);
  return { providerLogin };
}

/**
 * From the log-in page (or `from`, e.g. /signup): "Continue with <Name>" → the provider as
 * `user` → back in the demo. Does not assert the outcome; returns what throughProvider does.
 */
export async function continueWith(page, provider, user, { from = '/login' } = {}) {
  await page.goto(from);
  const link = main(page).getByRole('link', { name: `Continue with ${provider.name}`, exact: true });
  await expectVisible(link, `"Continue with ${provider.name}" on ${from}`);
  assert.equal(await link.getAttribute('href'), `/login/${provider.id}`);
  return throughProvider(page, provider, user, link);
}

/** On /settings: "Connect <Name>" → the provider as `user` → back on /settings. */
export async function connectProvider(page, provider, user) {
  await expectVisible(heading(page, 'Settings'));
  const button = main(page).getByRole('button', { name: `Connect ${provider.name}`, exact: true });
  const result = await throughProvider(page, provider, user, button);
  await expectVisible(heading(page, 'Settings'));
  assert.equal(new URL(page.url()).pathname, '/settings', 'connecting ends on /settings');
  return result;
}

/** On /settings: the "Disconnect <Name>" button (its accessible name). Does not assert the outcome. */
export async function disconnectProvider(page, provider) {
  const navigated = page.waitForNavigation();
  await main(page).getByRole('button', { name: `Disconnect ${provider.name}`, exact: true }).click();
  await navigated;
}

export { expectHidden, expectVisible };
