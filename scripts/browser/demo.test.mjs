// The demo in a real browser: one scenario per flow, each with its own demo process and SQLite
// file (see lib.mjs), run by scripts/browser-test.sh.

import assert from 'node:assert/strict';
import { scenario } from './lib.mjs';
import {
  apiMe, enableTwoFactor, expectSecondFactorPending, expectSignedIn, expectSignedOut,
  expectVisible, freshCode, heading, logIn, logInToSecondFactor, logOut, openMail, openSettings,
  readVerificationCode, requestPasswordReset, resendVerificationCode, sessionCookie, signUp,
  submitLogIn, submitRecoveryCode, submitTotp, submitVerificationCode, verificationBanner,
  verifyEmail,
} from './flows.mjs';

const DAY = 24 * 3600;

/** A code of the same shape as `code` that is not `code`. */
const wrongCode = (code) => `${code[0] === 'A' ? 'B' : 'A'}${code.slice(1)}`;

scenario('sign up and verify the email address', async (s) => {
  const page = await s.newPage();
  const email = s.email('ada');
  await page.goto('/');
  await expectSignedOut(page);
  await signUp(page, email, s.password());
  assert.ok(await sessionCookie(page), 'a session cookie is set');

  // Unverified: the banner on every page, /settings says so.
  await openSettings(page);
  await expectVisible(verificationBanner(page), 'the banner on /settings');
  await expectVisible(page.getByRole('main').getByText(`Email: ${email} (not verified — verify it)`), '"not verified" on /settings');
  const first = await readVerificationCode(page, email);

  // A wrong code: the error, still unverified.
  await submitVerificationCode(page, wrongCode(first));
  await expectVisible(page.getByRole('alert').filter({ hasText: 'That code is not right. Check the mail and try again.' }));
  await expectVisible(heading(page, 'Verify your email'));
  await expectVisible(verificationBanner(page), 'the banner after a wrong code');

  // "Send a new code": a new mail, and the first code no longer works.
  await resendVerificationCode(page);
  await expectVisible(page.getByRole('status').filter({ hasText: 'We sent a new code. The previous one no longer works.' }));
  const second = await readVerificationCode(page, email);
  assert.notEqual(second, first, 'a new code is mailed');
  await submitVerificationCode(page, first);
  await expectVisible(page.getByRole('alert').filter({ hasText: 'That code is not right.' }), 'the old code is refused');

  // Resends are throttled: three, then "wait".
  await resendVerificationCode(page);
  await resendVerificationCode(page);
  const third = await readVerificationCode(page, email);
  await resendVerificationCode(page);
  await expectVisible(page.getByRole('alert').filter({ hasText: 'Please wait before asking for another code.' }), 'the fourth resend is throttled');
  assert.equal(await readVerificationCode(page, email), third, 'no mail for a throttled resend');

  // The newest code: verified, the banner is gone everywhere.
  await submitVerificationCode(page, third);
  assert.equal(new URL(page.url()).pathname, '/');
  await expectSignedIn(page, email, { verified: true });
  await openSettings(page);
  await expectVisible(page.getByRole('main').getByText(`Email: ${email} (verified)`), '"verified" on /settings');
  assert.equal(await verificationBanner(page).count(), 0, 'no banner on /settings');
  await page.goto('/verify-email');
  assert.equal(new URL(page.url()).pathname, '/settings', '/verify-email sends a verified user to /settings');

  // The same address again, from another browser: refused, and that browser stays anonymous.
  const other = await s.newPage('other');
  await other.goto('/signup');
  await other.getByLabel('Email').fill(email.toUpperCase());
  const password = other.getByLabel('Password');
  await password.fill(s.password());
  await password.press('Enter');
  await expectVisible(other.getByRole('alert').filter({ hasText: 'This email address is already registered.' }));
  await expectVisible(heading(other, 'Sign up'));
  assert.equal(await other.getByLabel('Email').inputValue(), email.toUpperCase(), 'the form keeps the address typed');
  assert.equal(await sessionCookie(other), undefined, 'no session for a refused sign-up');
  await page.goto('/');
  await expectSignedIn(page, email, { verified: true });
});

scenario('log out and log in', async (s) => {
  const page = await s.newPage();
  const email = s.email('ada');
  const password = s.password();
  await signUp(page, email, password);
  await logOut(page);
  assert.equal(await sessionCookie(page), undefined, 'log out clears the cookie');

  // A wrong password: the generic message, the form again, no session.
  await submitLogIn(page, email, `${password}-wrong`, { enter: false });
  await expectVisible(page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' }));
  await expectVisible(heading(page, 'Log in'));
  assert.equal(await page.getByLabel('Email').inputValue(), email);
  assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is not sent back');
  assert.equal(await sessionCookie(page), undefined, 'no session after a wrong password');
  assert.equal((await apiMe(page)).status, 401);

  // The right one, submitted with Enter in the password field; no "remember me": one day.
  await logIn(page, email, password, { enter: true });
  await page.goto('/');
  await expectSignedIn(page, email);
  expectCookieLifetime(await sessionCookie(page), DAY, 'without "remember me"');

  // With "remember me" ticked: thirty days.
  await logOut(page);
  await logIn(page, email, password, { remember: true });
  expectCookieLifetime(await sessionCookie(page), 30 * DAY, 'with "remember me"');
  await page.reload();
  await expectSignedIn(page, email);
});

/** The cookie is persistent and expires `seconds` from now (give or take two minutes). */
function expectCookieLifetime(cookie, seconds, what) {
  assert.ok(cookie, `a session cookie ${what}`);
  assert.ok(cookie.expires > 0, `a persistent cookie ${what} (expires ${cookie.expires})`);
  const left = cookie.expires - Date.now() / 1000;
  assert.ok(Math.abs(left - seconds) < 120, `the cookie ${what} expires in ${(left / DAY).toFixed(3)} days, want ${seconds / DAY}`);
}

scenario('forgot password', async (s) => {
  const email = s.email('ada');
  const oldPassword = s.password();
  const newPassword = s.password();
  const old = await s.newPage('old-device');
  await signUp(old, email, oldPassword);

  // A forged request naming another host (reset-link poisoning): the mailed link still
  // points at the demo's public URL.
  const page = await s.newPage('reset-device');
  s.finalPage(page);
  const forged = await page.request.post('/forgot-password', {
    form: { email },
    headers: { Host: 'evil.example', Origin: 'http://evil.example' },
    maxRedirects: 0,
  });
  assert.equal(forged.status(), 200, 'the forged request is answered (it passes the origin check)');
  const poisoned = await openMail(page, email, 'Reset your password');
  const forgedLink = await poisoned.getByRole('link', { name: /\/reset-password\// }).getAttribute('href');
  assert.ok(forgedLink.startsWith(`${s.base}/reset-password/`), `the link uses the public URL, not the Host header: ${forgedLink}`);

  // Someone who forgot the password, on another device.
  const link = await requestPasswordReset(page, email);
  assert.ok(link.startsWith(`${s.base}/reset-password/`), link);
  assert.notEqual(link, forgedLink, 'a new link for the new request');
  const field = page.getByLabel('New password');
  await field.fill(newPassword);
  await field.press('Enter');
  await expectVisible(heading(page, 'Log in'));
  assert.equal(new URL(page.url()).pathname, '/login', 'a reset ends on the log-in page');

  // Every old session is signed out.
  await old.reload();
  await expectSignedOut(old);

  // The old password no longer works, the new one does.
  await submitLogIn(page, email, oldPassword);
  await expectVisible(page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' }));
  assert.equal(await sessionCookie(page), undefined);
  await logIn(page, email, newPassword);
});

scenario('two-factor authentication', async (s) => {
  const page = await s.newPage();
  const email = s.email('ada');
  const password = s.password();
  await signUp(page, email, password);

  // Not before the address is verified.
  await page.goto('/settings/2fa');
  await expectVisible(page.getByRole('alert').filter({
    hasText: 'Verify your email address before turning on two-factor authentication.',
  }));
  assert.equal(await page.locator('#totp-secret').count(), 0, 'no key offered');
  await page.getByRole('main').getByRole('link', { name: 'Verify it now' }).click();
  await expectVisible(heading(page, 'Verify your email'));
  await verifyEmail(page, email);

  const { secret, step, codes } = await enableTwoFactor(page);
  assert.equal(codes.length, 10, 'ten recovery codes are shown');
  assert.equal(new Set(codes).size, 10, 'all different');
  await page.getByRole('link', { name: 'Done' }).click();
  await expectSignedIn(page, email);
  await page.goto('/settings/2fa');
  await expectVisible(page.getByRole('main').getByText('Two-factor authentication is on.'));
  await openSettings(page);
  await expectVisible(page.getByRole('main').getByText('Two-factor authentication: on'));

  // Password ("remember me" ticked), then the code from the app: the session keeps its
  // 30 days through the second step.
  await logOut(page);
  await logInToSecondFactor(page, email, password, { remember: true });
  await page.goto('/settings');
  assert.equal(new URL(page.url()).pathname, '/2fa', '/settings sends a pending session to /2fa');
  await submitTotp(page, freshCode(secret, step));
  await expectSignedIn(page, email);
  expectCookieLifetime(await sessionCookie(page), 30 * DAY, 'after the second factor with "remember me"');

  // Password, then a recovery code.
  await logOut(page);
  await logInToSecondFactor(page, email, password);
  await submitRecoveryCode(page, codes[0]);
  await expectSignedIn(page, email);

  // The same recovery code again: refused, still pending; another one still works.
  await logOut(page);
  await logInToSecondFactor(page, email, password);
  await submitRecoveryCode(page, codes[0]);
  await expectVisible(page.getByRole('alert').filter({ hasText: 'That code is not valid.' }));
  await expectVisible(heading(page, 'Two-factor authentication'));
  assert.equal((await apiMe(page)).status, 401, 'a used recovery code does not complete the sign-in');
  await page.goto('/settings/sessions');
  assert.equal(new URL(page.url()).pathname, '/2fa', 'pages for signed-in users send a pending session to /2fa');
  await submitRecoveryCode(page, codes[1]);
  await expectSignedIn(page, email);

  // A pending session can only log out (the one button in its header).
  await logOut(page);
  await logInToSecondFactor(page, email, password);
  await page.goto('/');
  await expectSecondFactorPending(page, { path: '/' });
  await expectVisible(page.getByRole('main').getByRole('link', { name: 'enter the code from your authenticator app' }));
  await logOut(page);
  assert.equal(await sessionCookie(page), undefined, 'log out while pending clears the cookie');
});

scenario('sessions page', async (s) => {
  const email = s.email('ada');
  const password = s.password();
  const laptop = await s.newPage('laptop');
  await signUp(laptop, email, password);
  const phone = await s.newPage('phone');
  await logIn(phone, email, password);

  await laptop.getByRole('banner').getByRole('link', { name: 'Sessions' }).click();
  await expectVisible(heading(laptop, 'Your sessions'));
  const rows = laptop.getByRole('main').getByRole('row').filter({ hasText: 'lucia-test/' });
  assert.equal(await rows.count(), 2, 'two sessions listed');
  const laptopRow = rows.filter({ hasText: 'lucia-test/laptop' });
  const phoneRow = rows.filter({ hasText: 'lucia-test/phone' });
  await expectVisible(laptopRow.getByText('This device', { exact: true }), 'the current session marked');
  assert.equal(await laptopRow.getByRole('button', { name: 'Revoke' }).count(), 0, 'no Revoke on the current session');
  await expectVisible(phoneRow.getByText('127.0.0.1'), 'the address of the other session');

  const reloaded = laptop.waitForNavigation();
  await phoneRow.getByRole('button', { name: 'Revoke' }).click();
  await reloaded;
  await expectVisible(heading(laptop, 'Your sessions'));
  await expectVisible(rows.filter({ hasText: 'lucia-test/laptop' }), 'the current session is still listed');
  assert.equal(await rows.count(), 1, 'one session left');

  await phone.reload();
  await expectSignedOut(phone);
  await laptop.goto('/');
  await expectSignedIn(laptop, email);
});
