// The demo in a real browser: one scenario per flow, each with its own demo process and SQLite
// file (see lib.mjs), run by scripts/browser-test.sh.

import assert from 'node:assert/strict';
import { scenario } from './lib.mjs';
import {
  apiMe, enableTwoFactor, expectSignedIn, expectSignedOut, expectVisible, freshCode, heading,
  logIn, logInToSecondFactor, logOut, requestPasswordReset, sessionCookie, signUp, submitLogIn,
  submitRecoveryCode, submitTotp,
} from './flows.mjs';

scenario('sign up', async (s) => {
  const page = await s.newPage();
  const email = s.email('ada');
  await page.goto('/');
  await expectSignedOut(page);
  await signUp(page, email, s.password());
  assert.ok(await sessionCookie(page), 'a session cookie is set');

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
  await page.reload();
  await expectSignedIn(page, email);
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

  // The right one, submitted with Enter in the password field.
  await logIn(page, email, password, { enter: true });
  await page.goto('/');
  await expectSignedIn(page, email);
});

scenario('forgot password', async (s) => {
  const email = s.email('ada');
  const oldPassword = s.password();
  const newPassword = s.password();
  const old = await s.newPage('old-device');
  await signUp(old, email, oldPassword);

  // Someone who forgot the password, on another device.
  const page = await s.newPage('reset-device');
  s.finalPage(page);
  await requestPasswordReset(page, email);
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
  const { secret, step, codes } = await enableTwoFactor(page);
  assert.equal(codes.length, 10, 'ten recovery codes are shown');
  assert.equal(new Set(codes).size, 10, 'all different');
  await page.getByRole('link', { name: 'Done' }).click();
  await expectSignedIn(page, email);
  await page.goto('/settings/2fa');
  await expectVisible(page.getByRole('main').getByText('Two-factor authentication is on.'));

  // Password, then the code from the app.
  await logOut(page);
  await logInToSecondFactor(page, email, password);
  await submitTotp(page, freshCode(secret, step));
  await expectSignedIn(page, email);

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
