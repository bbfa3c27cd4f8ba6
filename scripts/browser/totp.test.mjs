// The TOTP generator used by the browser tests, against RFC 6238's test vectors.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base32Decode, hotp, totp, totpStep } from './lib.mjs';

const seed = Buffer.from('12345678901234567890'); // RFC 6238 appendix B, SHA-1

test('RFC 6238 SHA-1 test vectors (8 digits)', () => {
  for (const [seconds, code] of [[59, '94287082'], [1111111109, '07081804'], [1234567890, '89005924'], [20000000000, '65353130']]) {
    assert.equal(hotp(seed, totpStep(seconds * 1000), 8), code, `T=${seconds}`);
  }
});

test('RFC 4226 HOTP test vectors (6 digits)', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, counter) => assert.equal(hotp(seed, counter), code, `counter ${counter}`));
});

test('base32 secrets, as the demo shows them', () => {
  // "12345678901234567890" in base32 (RFC 4648), with and without padding, any case.
  const b32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.deepEqual(base32Decode(b32), seed);
  assert.deepEqual(base32Decode(`${b32.toLowerCase()}`), seed);
  assert.deepEqual(base32Decode('MZXW6YQ='), Buffer.from('foob'));
  assert.equal(totp(b32, 1), '287082');
  assert.throws(() => base32Decode('not base32!'), /not base32/);
});
