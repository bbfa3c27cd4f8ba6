// The harness checks themselves: a page with known faults must be reported, a good one not.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scenario, startDemo, useBrowser } from './lib.mjs';

useBrowser();

const BAD = `<!doctype html><html><head></head><body>
<h1>One</h1><h1>Two</h1>
<form action="/x" method="post">
  <input name="unlabelled">
  <label for="f-for">By for</label><input id="f-for" name="by-for">
  <label>Wrapped <input name="wrapped"></label>
  <input name="by-aria" aria-label="By aria">
  <span id="lbl">By labelledby</span><input name="by-labelledby" aria-labelledby="lbl">
  <input type="hidden" name="hidden">
  <label></label><input name="empty-label" aria-label="  ">
</form>
<form action="/y" method="post"><label>Ok <input name="ok"></label><button type="submit">Go</button></form>
<script>console.error('boom from the page'); setTimeout(() => { throw new Error('kaboom'); });</script>
</body></html>`;

const GOOD = `<!doctype html><html lang="en"><head><title>Good</title></head><body>
<h1>Good</h1><form action="/z" method="post"><label>Name <input name="n"></label>
<input type="hidden" name="h"><button>Send</button></form></body></html>`;

test('the harness reports console errors, page errors, 5xx pages and accessibility faults', async (t) => {
  const s = new Scenario('harness self-test', t, await startDemo());
  s.screenshot = false;
  const page = await s.newPage('fixture');
  await page.route('**/fixture/**', (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/fixture/bad') return route.fulfill({ contentType: 'text/html', body: BAD });
    if (path === '/fixture/good') return route.fulfill({ contentType: 'text/html', body: GOOD });
    if (path === '/fixture/missing') return route.fulfill({ status: 404, contentType: 'text/html', body: GOOD });
    return route.fulfill({ status: 500, contentType: 'text/html', body: GOOD });
  });
  await page.goto('/fixture/good');
  await page.goto('/fixture/missing');
  await page.goto('/fixture/broken');
  await page.goto('/fixture/bad');
  await page.waitForTimeout(200); // the thrown error is async
  const problems = await s.finish();
  const has = (re) => assert.ok(problems.some((p) => re.test(p)), `${re} in:\n${problems.join('\n')}`);
  has(/\/fixture\/bad: 2 <h1> elements/);
  has(/\/fixture\/bad: <html> has no lang/);
  has(/\/fixture\/bad: no <title>/);
  has(/unlabelled field <input name="unlabelled"/);
  has(/unlabelled field <input name="empty-label"/);
  has(/form <form action="\/x"> has no submit button/);
  has(/console error on .*\/fixture\/bad: boom from the page/);
  has(/page error on .*\/fixture\/bad: kaboom/);
  has(/GET .*\/fixture\/broken answered 500/);
  // A 500 document is reported once as such, and its console line too.
  has(/console error on .*fixture\/broken.*status of 500/);
  for (const name of ['by-for', 'wrapped', 'by-aria', 'by-labelledby', 'hidden', 'ok']) {
    assert.ok(!problems.some((p) => p.includes(`name="${name}"`)), `${name} is labelled or exempt`);
  }
  assert.ok(!problems.some((p) => p.includes('/fixture/good')), 'the good page passes');
  assert.ok(!problems.some((p) => p.includes('/fixture/missing')), 'a deliberate 404 page does not count');
  assert.ok(!problems.some((p) => p.includes('/y')), 'a form with a submit button passes');
});

test("another site's pages (the OAuth provider's) are reported as diagnostics, not counted", async (t) => {
  const s = new Scenario('harness self-test, another site', t, await startDemo());
  s.screenshot = false;
  const page = await s.newPage('fixture');
  await page.route('http://provider.test/**', (route) => route.fulfill({ contentType: 'text/html', body: BAD }));
  await page.goto('http://provider.test/login');
  await page.waitForTimeout(200); // the thrown error is async
  await page.goto('/');
  const problems = await s.finish();
  assert.deepEqual(problems, [], "the demo's own page is fine and the other site's faults do not count");
  const has = (re) => assert.ok(s.foreign.some((p) => re.test(p)), `${re} in:\n${s.foreign.join('\n')}`);
  has(/accessibility, http:\/\/provider\.test\/login: 2 <h1> elements/);
  has(/console error on http:\/\/provider\.test\/login: boom from the page/);
  has(/page error on http:\/\/provider\.test\/login: kaboom/);
});
