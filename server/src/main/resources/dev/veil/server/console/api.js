// The admin API as the console calls it. The credential (an admin key or an IdP token) lives in this tab's
// sessionStorage only: it is gone when the tab closes, and it is sent as a header, never a cookie, so no other site
// can make the browser use it.
const STORE = 'veil.console.credential';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code || '';
  }
}

export function credential() {
  return sessionStorage.getItem(STORE);
}

export function signIn(secret) {
  sessionStorage.setItem(STORE, secret);
}

export function signOut() {
  sessionStorage.removeItem(STORE);
}

async function call(method, path, body, accept = 'application/json') {
  const headers = { Accept: accept };
  const secret = credential();
  if (secret) headers.Authorization = `Bearer ${secret}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) {
    let parsed = null;
    try { parsed = await response.json(); } catch { /* not JSON: the status says enough */ }
    throw new ApiError(response.status, parsed);
  }
  return response;
}

export async function get(path) {
  return (await call('GET', path)).json();
}

export async function post(path, body = {}) {
  return (await call('POST', path, body)).json();
}

export async function text(path, accept) {
  return (await call('GET', path, undefined, accept)).text();
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
