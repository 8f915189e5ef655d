// Sign-in through the company IdP: OpenID Connect authorization code with PKCE (S256). The browser holds the
// verifier for the one round trip; Veil's server exchanges the code, checks the token with its veil.auth.jwt issuer
// and seals it into the session cookie: the page never sees it.
import { h } from './dom.js';

const PENDING = 'veil.console.sso';

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_')
    .replace(/=+$/, '');
}

function random() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function settings() {
  try {
    const response = await fetch('/console/oidc', { credentials: 'omit', cache: 'no-store' });
    return response.ok ? response.json() : { enabled: false };
  } catch {
    return { enabled: false };
  }
}

/** The button that starts the IdP's sign-in, or null when Veil has no veil.console.oidc. */
export async function ssoButton() {
  const oidc = await settings();
  if (!oidc.enabled) return null;
  return h('button', { type: 'button', id: 'sso', class: 'secondary', onclick: async () => {
    const state = random();
    const verifier = random();
    const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier }));
    const url = new URL(oidc.authorization_endpoint);
    url.search = new URLSearchParams({ response_type: 'code', client_id: oidc.client_id,
      redirect_uri: oidc.redirect_uri, scope: oidc.scope, state, code_challenge: challenge,
      code_challenge_method: 'S256' }).toString();
    location.assign(url.toString());
  } }, `Sign in with ${oidc.name || 'your company account'}`);
}

/**
 * Completes a sign-in the IdP redirected back from: null when it succeeded or there was none, else why it failed.
 */
export async function finishSso() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', '/console/');
  if (params.has('error')) return `The sign-in was not completed: ${params.get('error')}`;
  if (!pending || params.get('state') !== pending.state) return 'The sign-in was not started here; try again.';
  const response = await fetch('/console/oidc/token', {
    method: 'POST', credentials: 'same-origin', cache: 'no-store', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code: params.get('code'), code_verifier: pending.verifier }),
  });
  let body = null;
  try { body = await response.json(); } catch { /* the status says enough */ }
  if (!response.ok) return `Not signed in: ${body?.error?.message || `HTTP ${response.status}`}`;
  return null;
}
