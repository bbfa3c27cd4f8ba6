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

/** Signed in as `email`: the home page greets them, the header names them, /api/me agrees. */
export async function expectSignedIn(page, email) {
  await expectVisible(heading(page, 'Welcome back'), 'the "Welcome back" heading');
  await expectVisible(main(page).getByText(`You are signed in as ${email}.`), `"You are signed in as ${email}."`);
  await expectVisible(header(page).getByText(email, { exact: true }), 'the email in the header');
  await expectVisible(header(page).getByRole('button', { name: 'Log out' }), 'the Log out button in the header');
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

/** From the home page: Sign up → the form → "Create account". Lands signed in. */
export async function signUp(page, email, password) {
  await page.goto('/');
  await main(page).getByRole('link', { name: 'Sign up' }).click();
  await expectVisible(heading(page, 'Sign up'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expectSignedIn(page, email);
}

/**
 * The log-in form, submitted by pressing Enter in the password field (the keyboard path) or by
 * clicking the button (`{ enter: false }`). Does not assert the outcome.
 */
export async function submitLogIn(page, email, password, { enter = true } = {}) {
  await page.goto('/login');
  await expectVisible(heading(page, 'Log in'));
  await page.getByLabel('Email').fill(email);
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

/** Logs in with a right password on an account with two-factor on: lands on /2fa, pending. */
export async function logInToSecondFactor(page, email, password, options) {
  await submitLogIn(page, email, password, options);
  await expectVisible(heading(page, 'Two-factor authentication'));
  assert.equal(new URL(page.url()).pathname, '/2fa');
  assert.equal((await apiMe(page)).status, 401, 'a session waiting for its second factor does not count yet');
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
 * /settings/2fa: reads the key shown on the page, enters the current code, and returns
 * { secret, step, codes } (`step`: the time step of the code used, which cannot be used again).
 */
export async function enableTwoFactor(page) {
  await page.goto('/');
  await main(page).getByRole('link', { name: 'Two-factor authentication' }).click();
  await expectVisible(heading(page, 'Two-factor authentication'));
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

export { expectHidden, expectVisible };
