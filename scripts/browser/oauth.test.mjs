// OAuth sign-in, linking and unlinking in a real browser through the real OpenID provider of
// scripts/services.sh (node's oidc-provider, scripts/oidc/server.mjs; LUCIA_OIDC_ISSUER). The
// provider only accepts registered redirect URIs, so these scenarios run the demo on the fixed
// address below (its callback is in server.mjs's list); node --test runs the scenarios of one
// file one after the other, so they never hold the port at the same time. Without
// LUCIA_OIDC_ISSUER they are skipped (with a SKIPPED line), or fail with
// LUCIA_REQUIRE_SERVICES=1.

import assert from 'node:assert/strict';
import { scenario } from './lib.mjs';
import {
  ALICE, BOB, apiMe, connectProvider, continueWith, disconnectProvider, enableTwoFactor,
  expectSecondFactorPending, expectSignedIn, expectSignedOut, expectVisible, freshCode, heading,
  logIn, logOut, oidcProvider, openSettings, sessionCookie, signInMethods, signUp, submitTotp,
  throughProvider, verifyEmail,
} from './flows.mjs';

/** The demo's address for these scenarios: http://<ADDR>/login/oidc/callback is registered. */
export const OAUTH_DEMO_ADDR = '127.0.0.1:53090';

const provider = oidcProvider('Example ID');
const options = {
  requires: ['LUCIA_OIDC_ISSUER'],
  demo: () => ({ addr: OAUTH_DEMO_ADDR, env: provider.env }),
};

/** The sign-in methods row of the provider on /settings, e.g. "Example ID (account alice-0001)". */
const providerRow = (user) => `${provider.name} (account ${user.sub}) Disconnect`;

scenario('OAuth sign-in with the OpenID provider', async (s) => {
  assert.equal(s.base, `http://${OAUTH_DEMO_ADDR}`);
  const page = await s.newPage('alice');

  // Both forms offer the provider.
  await page.goto('/signup');
  await expectVisible(page.getByRole('main').getByRole('link', { name: `Continue with ${provider.name}` }), 'the provider on the sign-up page');

  // Alice, whose address the provider has verified: a new user, signed in, no banner.
  const { providerLogin } = await continueWith(page, provider, ALICE);
  assert.ok(providerLogin, "a fresh browser signs in on the provider's page");
  assert.equal(new URL(page.url()).pathname, '/');
  await expectSignedIn(page, ALICE.email, { verified: true });
  assert.ok(await sessionCookie(page), 'a session cookie');
  assert.ok(
    !(await page.context().cookies()).some((c) => c.name === 'lucia_oauth_flow' || c.name === 'demo_oauth_link'),
    'the flow cookies are gone after the callback',
  );

  // /settings: verified, and the provider is the only sign-in method.
  await openSettings(page);
  await expectVisible(page.getByRole('main').getByText(`Email: ${ALICE.email} (verified)`));
  assert.deepEqual(await signInMethods(page), [providerRow(ALICE)], 'only the provider, no password');
  assert.equal(await page.getByRole('main').getByRole('button', { name: /^Connect / }).count(), 0, 'nothing left to connect');

  // It cannot be disconnected: it is the only way in.
  await disconnectProvider(page, provider);
  await expectVisible(heading(page, 'Cannot disconnect'));
  await expectVisible(page.getByRole('alert').filter({ hasText: 'This is your only way to sign in' }));
  await page.getByRole('main').getByRole('link', { name: 'Back to settings' }).click();
  await expectVisible(heading(page, 'Settings'));
  assert.deepEqual(await signInMethods(page), [providerRow(ALICE)], 'still connected');

  // Out and in again: the same user (no second account for the same provider account).
  const { id } = (await apiMe(page)).body;
  await logOut(page);
  await continueWith(page, provider, ALICE);
  await expectSignedIn(page, ALICE.email, { verified: true });
  assert.equal((await apiMe(page)).body.id, id, 'the same user');

  // The address is taken: signing up with it and a password is refused.
  const signup = await s.newPage('signup');
  await signup.goto('/signup');
  await signup.getByLabel('Email').fill(ALICE.email);
  const field = signup.getByLabel('Password');
  await field.fill(s.password());
  await field.press('Enter');
  await expectVisible(signup.getByRole('alert').filter({ hasText: 'This email address is already registered.' }));
  assert.equal(await sessionCookie(signup), undefined);

  // Cancelled at the provider: the demo says so and offers to try again.
  const cancel = await s.newPage('cancel');
  await cancel.goto('/login');
  let navigated = cancel.waitForNavigation();
  await cancel.getByRole('main').getByRole('link', { name: `Continue with ${provider.name}` }).click();
  await navigated;
  await expectVisible(heading(cancel, 'Sign in'), "the provider's Sign in page");
  navigated = cancel.waitForNavigation();
  await cancel.getByRole('button', { name: 'Cancel' }).click();
  await navigated;
  assert.ok(s.isDemo(cancel.url()), `back in the demo: ${cancel.url()}`);
  await expectVisible(heading(cancel, 'Sign-in failed'));
  await expectVisible(cancel.getByRole('alert').filter({ hasText: `You cancelled signing in with ${provider.name}.` }));
  await expectVisible(cancel.getByRole('main').getByRole('link', { name: 'Try again' }));
  assert.equal(await sessionCookie(cancel), undefined, 'no session after a cancelled sign-in');

  // The callback URL used again (a reload, a replayed link): refused, the session untouched.
  const callbacks = [];
  cancel.on('request', (r) => { if (new URL(r.url()).pathname === `/login/${provider.id}/callback`) callbacks.push(r.url()); });
  await continueWith(cancel, provider, ALICE);
  await expectSignedIn(cancel, ALICE.email);
  assert.equal(callbacks.length, 1, 'one callback');
  const session = (await sessionCookie(cancel)).value;
  await cancel.goto(callbacks[0]);
  await expectVisible(heading(cancel, 'Sign-in failed'));
  await expectVisible(cancel.getByRole('alert').filter({ hasText: 'This sign-in link has expired or was not started in this browser.' }));
  assert.equal((await sessionCookie(cancel))?.value, session, 'the session is untouched');
  await cancel.goto('/');
  await expectSignedIn(cancel, ALICE.email);

  // With two-factor on, the provider is only the first step.
  const { secret, step } = await enableTwoFactor(page);
  await logOut(page);
  await continueWith(page, provider, ALICE);
  await expectSecondFactorPending(page);
  await submitTotp(page, freshCode(secret, step));
  await expectSignedIn(page, ALICE.email, { verified: true });

  // Bob's address is not verified at the provider: refused, nobody signed in.
  const other = await s.newPage('bob');
  await continueWith(other, provider, BOB);
  await expectVisible(heading(other, 'Sign-in failed'));
  await expectVisible(other.getByRole('alert').filter({
    hasText: 'Your account at this provider has no verified email address, so it cannot create an account here.',
  }));
  assert.equal(await sessionCookie(other), undefined, 'no session for Bob');
  assert.equal((await apiMe(other)).status, 401);
  await other.goto('/');
  await expectSignedOut(other);
  s.finalPage(page);
}, options);

scenario('OAuth link and unlink a provider account', async (s) => {
  const page = await s.newPage();
  const password = s.password();

  // A password account with the address the provider has for Alice (verified here too).
  await signUp(page, ALICE.email, password);
  await verifyEmail(page, ALICE.email);
  await logOut(page);

  // "Continue with" as Alice: refused, accounts are never merged by email address.
  await continueWith(page, provider, ALICE);
  await expectVisible(heading(page, 'Account exists'));
  await expectVisible(page.getByRole('alert').filter({
    hasText: 'An account with this email address already exists. Log in with your password, then connect this provider in settings.',
  }));
  assert.equal(await sessionCookie(page), undefined, 'not signed in');
  assert.equal((await apiMe(page)).status, 401);

  // Log in with the password, connect the provider from /settings.
  await page.getByRole('main').getByRole('link', { name: 'Log in' }).click();
  await expectVisible(heading(page, 'Log in'));
  await logIn(page, ALICE.email, password);
  const { id } = (await apiMe(page)).body;
  await openSettings(page);
  assert.deepEqual(await signInMethods(page), ['Email and password'], 'only the password so far');
  await connectProvider(page, provider, ALICE);
  assert.deepEqual(await signInMethods(page), ['Email and password', providerRow(ALICE)], 'the provider is listed');
  assert.equal(await page.getByRole('main').getByRole('button', { name: `Connect ${provider.name}`, exact: true }).count(), 0, 'no Connect for a connected provider');
  await s.snapshot(page, 'settings', { docs: 'docs/demo.png' });

  // Another user cannot connect the same provider account.
  const other = await s.newPage('other-user');
  const otherEmail = s.email('eve');
  await signUp(other, otherEmail, s.password());
  await openSettings(other);
  const otherButton = other.getByRole('main').getByRole('button', { name: `Connect ${provider.name}`, exact: true });
  const { providerLogin } = await throughProvider(other, provider, ALICE, otherButton);
  assert.ok(providerLogin, 'another browser signs in at the provider');
  await expectVisible(heading(other, 'Already connected'));
  await expectVisible(other.getByRole('alert').filter({ hasText: 'That account is already connected to a user of this demo' }));
  await other.getByRole('main').getByRole('link', { name: 'Back to settings' }).click();
  await expectVisible(heading(other, 'Settings'));
  assert.deepEqual(await signInMethods(other), ['Email and password'], 'nothing connected to the other user');
  assert.equal((await apiMe(other)).body.email, otherEmail, 'still signed in as themselves');

  // Log out; "Continue with" now signs in as the same user.
  await logOut(page);
  await continueWith(page, provider, ALICE);
  await expectSignedIn(page, ALICE.email, { verified: true });
  assert.equal((await apiMe(page)).body.id, id, 'the provider signs in the password user it was connected to');

  // Disconnect: gone from the list, "Connect" is back; the password still works.
  await openSettings(page);
  await disconnectProvider(page, provider);
  await expectVisible(heading(page, 'Settings'));
  assert.deepEqual(await signInMethods(page), ['Email and password'], 'the provider is gone');
  await expectVisible(page.getByRole('main').getByRole('button', { name: `Connect ${provider.name}`, exact: true }), 'Connect is offered again');

  // A disconnected provider account is a stranger again: refused as before.
  await logOut(page);
  await continueWith(page, provider, ALICE);
  await expectVisible(heading(page, 'Account exists'));
  assert.equal(await sessionCookie(page), undefined);
  await logIn(page, ALICE.email, password);
  await openSettings(page);
}, options);
