// The console's shell: sign-in, the pages the caller's roles open, and hash routing between them. The admin API
// enforces every role; hiding a page here only spares the caller a refusal.
import { ApiError, get, signIn, signOut } from './api.js';
import { clear, field, h } from './dom.js';
import { finishSso, ssoButton } from './sso.js';
import * as overview from './overview.js';
import * as keys from './keys.js';
import * as spend from './spend.js';
import * as decisions from './decisions.js';
import * as providers from './providers.js';
import * as privacy from './privacy.js';

const USAGE = ['admin', 'auditor', 'viewer'];
const PAGES = [
  { id: 'overview', title: 'Overview', roles: USAGE, page: overview },
  { id: 'keys', title: 'Keys', roles: ['admin', 'key-admin'], page: keys },
  { id: 'spend', title: 'Spend', roles: USAGE, page: spend },
  { id: 'decisions', title: 'Decisions', roles: ['admin', 'auditor'], page: decisions },
  { id: 'providers', title: 'Providers and routes', roles: ['admin', 'key-admin', 'auditor', 'viewer'],
    page: providers },
  { id: 'privacy', title: 'Privacy', roles: USAGE, page: privacy },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let me = null;

function allowed(page) {
  return me !== null && page.roles.some((role) => me.roles.includes(role));
}

function showNav(current) {
  clear(nav);
  nav.hidden = false;
  nav.append(h('ul', {}, PAGES.filter(allowed).map((page) => h('li', {},
    h('a', { href: `#/${page.id}`, id: `nav-${page.id}`, 'aria-current': page.id === current ? 'page' : null },
      page.title)))));
  clear(who);
  who.append(h('span', { id: 'principal' }, `${me.user || me.key_id} · ${me.roles.join(', ')}`
    + (me.tenant ? ` · tenant ${me.tenant}` : '')),
  h('button', { type: 'button', id: 'sign-out', class: 'link', onclick: async () => {
    await signOut();
    me = null;
    loginPage();
  } }, 'Sign out'));
}

function loginPage(problem) {
  nav.hidden = true;
  clear(who);
  const secret = h('input', { type: 'password', id: 'login-key', name: 'key', autocomplete: 'off', required: true });
  const form = h('form', { id: 'login', class: 'card narrow' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Use your company sign-in, or an admin key (the master key, or a virtual key with scope admin).'),
    problem ? h('p', { role: 'alert', class: 'error', id: 'login-error' }, problem) : null,
    field('Admin key', secret),
    h('button', { type: 'submit', id: 'login-submit' }, 'Sign in with key'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await signIn(secret.value.trim());
    } catch (error) {
      loginPage(`Not signed in: ${error.message}`);
      return;
    }
    await start();
  });
  clear(main).append(form);
  ssoButton().then((button) => { if (button) form.append(h('hr'), button); });
  document.title = 'Sign in · Veil console';
}

async function start() {
  try {
    me = await get('/admin/whoami');
  } catch (error) {
    me = null;
    loginPage(error instanceof ApiError && (error.status === 401 || error.status === 403)
      ? null : `Veil could not be reached: ${error.message}`);
    return;
  }
  route();
}

async function route() {
  if (me === null) {
    await start();
    return;
  }
  const wanted = location.hash.replace(/^#\//, '').split('?')[0];
  const open = PAGES.filter(allowed);
  const page = open.find((p) => p.id === wanted);
  if (!page) {
    if (open.length > 0 && wanted === '') { location.replace(`#/${open[0].id}`); return; }
    showNav('');
    clear(main).append(h('h1', {}, 'Not available'), h('p', { id: 'not-allowed' }, open.some((p) => p.id === wanted)
      ? '' : `Your roles (${me.roles.join(', ')}) do not open this page.`));
    return;
  }
  showNav(page.id);
  document.title = `${page.title} · Veil console`;
  clear(main).append(h('h1', {}, page.title));
  const body = h('div', { id: `page-${page.id}`, 'aria-busy': 'true' });
  main.append(body);
  try {
    await page.page.render(body, me);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) { me = null; loginPage(error.message); return; }
    body.append(h('p', { role: 'alert', class: 'error' }, error.message));
  } finally {
    body.setAttribute('aria-busy', 'false');
    body.setAttribute('data-ready', 'true');
  }
}

window.addEventListener('hashchange', () => { route(); main.focus(); });
finishSso().then((problem) => (problem ? loginPage(problem) : route()));
