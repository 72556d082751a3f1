// A real OpenID Provider on loopback for the browser journey of sign-in through OIDC: the
// oidc-provider library (an OpenID-certified implementation), with one public client for the SPA
// (authorization code + PKCE, refresh tokens), RS256 JWT access tokens for the Helpdesk API as
// their audience, and one test account whose tokens carry its email, name and roles.
//
//   node e2e/oidc-op.mjs PORT SPA_REDIRECT_URI
//
//   E2E_OIDC_TOKEN_TTL     access token lifetime in seconds (default 600)
//
// The client id, the audience (a resource indicator: an absolute URI) and the test account are
// support.mjs's OIDC_CLIENT_ID, OIDC_AUDIENCE and OIDC_ACCOUNT.
//
// It prints `ready ISSUER` once it listens, and stops on SIGTERM or SIGINT. Its login page is
// its own, plain HTML with no outside resources; consent is granted without asking (the SPA is
// a first-party client).
import crypto from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

import { OIDC_ACCOUNT, OIDC_AUDIENCE, OIDC_CLIENT_ID } from './support.mjs';

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

function loginForm(uid, error) {
  return page(
    'Test Provider sign-in',
    `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<p><label for="email">Email</label> <input id="email" name="email" type="email" autocomplete="username" required></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Continue</button></p>
</form>`,
  );
}

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function claimsOf(account) {
  return { email: account.email, email_verified: true, name: account.name, roles: account.roles };
}

/** Starts the provider; resolves with its issuer URL and a `close()`. */
export async function startProvider({
  port,
  redirectUri,
  clientId = OIDC_CLIENT_ID,
  audience = OIDC_AUDIENCE,
  accessTokenTtl = 600,
  account = OIDC_ACCOUNT,
}) {
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(_ctx, sub) {
      if (sub !== account.sub) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...claimsOf(account) }) };
    },
    // The API reads who and what from the access token itself.
    async extraTokenClaims(_ctx, token) {
      return token.kind === 'AccessToken' && token.accountId === account.sub ? claimsOf(account) : undefined;
    },
    // As Cognito does for an app client: a refresh token with every code, so renewal is silent.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: { AccessToken: accessTokenTtl },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => audience,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: 'openid profile email',
          audience,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p role="alert">${escapeHtml(out.error)}: ${escapeHtml(out.error_description ?? '')}</p>`);
    },
  });

  async function consent(req, res, details) {
    const { prompt, params, session, grantId } = details;
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }

  async function interaction(req, res, action) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'consent') return consent(req, res, details);
    if (action === 'login' && req.method === 'POST') {
      const form = await formBody(req);
      if (form.get('email') === account.email && form.get('password') === account.password) {
        return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
      }
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(loginForm(details.uid, 'Unknown email or wrong password.'));
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return res.end(loginForm(details.uid));
  }

  const callback = provider.callback();
  const server = http.createServer((req, res) => {
    const match = /^\/interaction\/[^/]+(\/login)?$/.exec(new URL(req.url, issuer).pathname);
    if (!match) return callback(req, res);
    interaction(req, res, match[1] ? 'login' : 'show').catch((error) => {
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page('Sign-in error', `<p role="alert">${escapeHtml(error.message)}</p>`));
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { issuer, close: () => new Promise((resolve) => server.close(resolve)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [port, redirectUri] = process.argv.slice(2);
  if (!port || !redirectUri) {
    console.error('usage: node e2e/oidc-op.mjs PORT SPA_REDIRECT_URI');
    process.exit(2);
  }
  const { issuer, close } = await startProvider({
    port: Number(port),
    redirectUri,
    accessTokenTtl: Number(process.env.E2E_OIDC_TOKEN_TTL) || undefined,
  });
  console.log(`ready ${issuer}`);
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => close().then(() => process.exit(0)));
}
