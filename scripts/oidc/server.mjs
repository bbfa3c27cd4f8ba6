// A throwaway OpenID Connect provider (panva's oidc-provider) on loopback for lucia's OAuth
// end-to-end tests. Started by scripts/services.sh; everything it knows is below and in memory.
//
//   node scripts/oidc/server.mjs        (after `npm ci` in scripts/oidc)
//
// Environment:
//   LUCIA_OIDC_PORT       port on 127.0.0.1 (53080); the issuer is http://127.0.0.1:<port>
//   LUCIA_OIDC_JWKS_FILE  optional: keep the signing keys in this file (made on first start), so
//                         a restart keeps them; without it every start makes new keys
//
// Users (the login form takes the username):
//   alice / alice-password  sub alice-0001, alice@example.com (verified), name "Alice Example"
//   bob   / bob-password    sub bob-0002,   bob@example.com (NOT verified), no name
// Clients (redirect URIs http://127.0.0.1:53081/callback, http://localhost:3000/login/oidc/callback,
// http://127.0.0.1:3000/login/oidc/callback, http://127.0.0.1:53090/login/oidc/callback (the
// demo's browser tests); grant types authorization_code + refresh_token):
//   lucia-test         secret lucia-test-secret, client_secret_basic, ID tokens RS256
//   lucia-test-post    secret lucia-test-secret, client_secret_post,  ID tokens RS256
//   lucia-test-public  no secret (token_endpoint_auth_method none),  ID tokens RS256
//   lucia-test-es256   secret lucia-test-secret, client_secret_basic, ID tokens ES256
//   lucia-test-eddsa   secret lucia-test-secret, client_secret_basic, ID tokens EdDSA (Ed25519)
//
// Behaviour worth knowing in tests: PKCE (S256 only) is required from every client; a
// refresh token comes with every authorization_code grant (no offline_access needed);
// authorization codes are single use; ID tokens carry the scope claims (email, name, ...),
// and so does userinfo; consent is granted automatically after login; revocation (RFC 7009)
// and introspection are enabled; all state is in memory and lost on restart.
/* eslint-disable no-console */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

import Provider, { errors } from 'oidc-provider';

const PORT = Number.parseInt(process.env.LUCIA_OIDC_PORT || '53080', 10);
if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  console.error(`oidc: bad LUCIA_OIDC_PORT ${process.env.LUCIA_OIDC_PORT}`);
  process.exit(2);
}
const HOST = '127.0.0.1';
const ISSUER = `http://${HOST}:${PORT}`;

// ------------------------------------------------------------------ accounts
const ACCOUNTS = {
  alice: {
    password: 'alice-password',
    sub: 'alice-0001',
    claims: {
      email: 'alice@example.com', email_verified: true, name: 'Alice Example', preferred_username: 'alice',
    },
  },
  bob: {
    password: 'bob-password',
    sub: 'bob-0002',
    claims: { email: 'bob@example.com', email_verified: false, preferred_username: 'bob' },
  },
};
const BY_SUB = new Map(Object.values(ACCOUNTS).map((a) => [a.sub, a]));

async function findAccount(ctx, sub) {
  const account = BY_SUB.get(sub);
  if (!account) return undefined;
  return {
    accountId: sub,
    // oidc-provider masks these by the granted scopes/claims.
    async claims() {
      return { sub, ...account.claims };
    },
  };
}

// ------------------------------------------------------------------ keys
function generateJwks() {
  const suffix = randomBytes(4).toString('hex');
  const jwk = (kp, kid, alg) => ({
    ...kp.privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig',
  });
  return {
    keys: [
      // The first key of the default alg signs by default: RS256.
      jwk(generateKeyPairSync('rsa', { modulusLength: 2048 }), `rsa-${suffix}`, 'RS256'),
      jwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }), `ec-${suffix}`, 'ES256'),
      jwk(generateKeyPairSync('ed25519'), `ed25519-${suffix}`, 'EdDSA'),
    ],
  };
}

function loadJwks() {
  const file = process.env.LUCIA_OIDC_JWKS_FILE;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const jwks = generateJwks();
  if (file) writeFileSync(file, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600 });
  return jwks;
}

// ------------------------------------------------------------------ provider
const REDIRECT_URIS = [
  'http://127.0.0.1:53081/callback',
  'http://localhost:3000/login/oidc/callback',
  'http://127.0.0.1:3000/login/oidc/callback',
  // The demo's browser tests (scripts/browser/oauth.test.mjs) run the demo on this port.
  'http://127.0.0.1:53090/login/oidc/callback',
];
const SECRET = 'lucia-test-secret';
const client = (clientId, extra) => ({
  client_id: clientId,
  redirect_uris: REDIRECT_URIS,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  ...extra,
});

const provider = new Provider(ISSUER, {
  clients: [
    client('lucia-test', { client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' }),
    client('lucia-test-post', { client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' }),
    client('lucia-test-public', { token_endpoint_auth_method: 'none' }),
    client('lucia-test-es256', {
      client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'ES256',
    }),
    client('lucia-test-eddsa', {
      client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'EdDSA',
    }),
  ],
  jwks: loadJwks(),
  findAccount,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  // Like most real providers, put the scope claims into the ID token too, not only userinfo.
  conformIdTokenClaims: false,
  responseTypes: ['code'],
  pkce: { methods: ['S256'], required: () => true },
  // A refresh token with every code grant of a client allowed to refresh, offline_access or not;
  // it does not die with the provider's login session.
  issueRefreshToken: async (ctx, c) => c.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
  features: {
    devInteractions: { enabled: false }, // ours are below: they check passwords
    revocation: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
  },
  interactions: { url: async (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: {
    keys: ['lucia-test-oidc-cookie-key'],
    // Plain http on loopback: the cookies cannot be Secure, so do not ask for SameSite=None.
    long: { signed: true, httpOnly: true, sameSite: 'lax' },
    short: { signed: true, httpOnly: true, sameSite: 'lax' },
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: 600,
    RefreshToken: 24 * 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 24 * 3600,
  },
});

for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error',
  'revocation.error', 'introspection.error', 'jwks.error', 'discovery.error']) {
  provider.on(event, (ctx, err) => {
    const why = [err?.error_description, err?.error_detail].filter(Boolean).join('; ');
    console.error(`oidc: ${event}: ${err?.name}: ${err?.message}${why ? ` (${why})` : ''}`);
  });
}

// ------------------------------------------------------------------ interactions
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, status, title, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body><h1>${esc(title)}</h1>
${body}
</body></html>
`);
}

function loginForm(res, status, uid, clientId, error) {
  page(res, status, 'Sign in', `${error ? `<p class="error" id="error">${esc(error)}</p>\n` : ''}<p>to continue to <code>${esc(clientId)}</code></p>
<form method="post" action="/interaction/${esc(uid)}/login">
  <label>Username <input type="text" name="login" autocomplete="username" autofocus></label>
  <label>Password <input type="password" name="password" autocomplete="current-password"></label>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${esc(uid)}/abort">
  <button type="submit">Cancel</button>
</form>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Consent is automatic: grant exactly what the pending request is missing.
async function grantConsent(req, res, details) {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  const consent = details.grantId ? {} : { grantId };
  await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

async function interaction(req, res, url) {
  const m = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login|abort))?$/);
  if (!m) return page(res, 404, 'Not found', '');
  const [, uid, action] = m;
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, 'Interaction mismatch', '<p>stale interaction</p>');
  const clientId = details.params.client_id;

  if (req.method === 'GET' && !action) {
    if (details.prompt.name === 'login') return loginForm(res, 200, uid, clientId);
    if (details.prompt.name === 'consent') return grantConsent(req, res, details);
    return page(res, 400, 'Unsupported prompt', `<p>${esc(details.prompt.name)}</p>`);
  }
  if (req.method === 'POST' && action === 'login') {
    if (details.prompt.name !== 'login') return page(res, 400, 'Not a login prompt', '');
    const form = await readForm(req);
    const account = Object.hasOwn(ACCOUNTS, form.get('login') ?? '') ? ACCOUNTS[form.get('login')] : undefined;
    if (!account || account.password !== form.get('password')) {
      console.error(`oidc: login failed for ${JSON.stringify(form.get('login'))}`);
      return loginForm(res, 401, uid, clientId, 'Invalid username or password.');
    }
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, {
      mergeWithLastSubmission: false,
    });
  }
  if (req.method === 'POST' && action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }
  return page(res, 405, 'Method not allowed', '');
}

// ------------------------------------------------------------------ server
const providerCallback = provider.callback();
const server = http.createServer((req, res) => {
  const started = Date.now();
  res.on('finish', () => {
    console.log(`oidc: ${req.method} ${req.url} -> ${res.statusCode} (${Date.now() - started} ms)`);
  });
  const url = new URL(req.url, ISSUER);
  if (url.pathname.startsWith('/interaction/')) {
    interaction(req, res, url).catch((err) => {
      const expired = err instanceof errors.SessionNotFound;
      console.error(`oidc: interaction error: ${err?.name}: ${err?.message}`);
      if (!res.headersSent) {
        page(res, expired ? 400 : 500, expired ? 'Interaction expired' : 'Server error', `<p>${esc(err?.message)}</p>`);
      } else {
        res.end();
      }
    });
    return;
  }
  providerCallback(req, res);
});

server.on('error', (err) => {
  console.error(`oidc: ${err.message}`);
  process.exit(1);
});
server.listen(PORT, HOST, () => {
  console.log(`oidc: oidc-provider listening, issuer ${ISSUER}, pid ${process.pid}`);
});

function shutdown(signal) {
  console.log(`oidc: ${signal}, shutting down`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
