// The admin API as the console calls it. The credential a person signs in with is sealed by Veil into an HttpOnly,
// SameSite=Strict session cookie sent to /admin/ only: no script here ever holds it. Each admin call adds the
// X-Veil-Console header, without which Veil ignores the cookie, so that no other site can make the browser use it.
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code || '';
  }
}

async function call(method, path, body, accept = 'application/json') {
  const headers = { Accept: accept, 'X-Veil-Console': '1' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin',
    cache: 'no-store',
  });
  if (!response.ok) {
    let parsed = null;
    try { parsed = await response.json(); } catch { /* not JSON: the status says enough */ }
    throw new ApiError(response.status, parsed);
  }
  return response;
}

/** Opens a session on an admin key or token; refused as the admin API would refuse it. */
export async function signIn(credential) {
  await call('POST', '/console/session', { credential });
}

export async function signOut() {
  await fetch('/console/session', { method: 'DELETE', credentials: 'same-origin' });
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
