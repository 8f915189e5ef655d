// Providers and routes: the running config as it is (read only: config stays code, changed in its file and
// reloaded), with each provider's health from its recent answers where the caller may read usage.
import { ApiError, get } from './api.js';
import { clear, h, table, when } from './dom.js';
import { health } from './overview.js';

export async function render(body, me) {
  const config = await get('/admin/config');
  let recent = new Map();
  if (me.roles.some((role) => ['admin', 'auditor', 'viewer'].includes(role))) {
    try {
      recent = new Map((await get('/admin/requests/series')).providers.map((p) => [p.provider, p]));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
  }
  clear(body).append(
    h('p', { id: 'config-revision' }, 'Running config revision ', h('code', {}, config.revision),
      `, serving since ${when(config.loaded_at)}. Policy: ${config.policy}. Audit log: ${config.audit ? 'on' : 'off'}.`),
    h('p', { class: 'muted' }, 'Routing, providers and policies are code: change them in the config file or Rego '
      + 'under version control and reload. The console shows them and never edits them.'),
    table('Providers', [
      { label: 'Name', value: (p) => p.name },
      { label: 'Kind', value: (p) => p.preset ? `${p.kind} (${p.preset})` : p.kind },
      { label: 'Endpoint', value: (p) => p.base_url || 'default' },
      { label: 'Region', value: (p) => p.region || '' },
      { label: 'Zero retention', value: (p) => (p.zero_retention ? 'yes' : 'no') },
      { label: 'Health (last hour)', value: (p) => recent.has(p.name)
        ? h('span', { class: `status ${health(recent.get(p.name))}` }, health(recent.get(p.name))) : 'no traffic' },
    ], config.providers, { id: 'providers-table' }),
    table('Model aliases and their targets, in failover order', [
      { label: 'Alias', value: (m) => m.name },
      { label: 'Targets', value: (m) => m.targets.map((t) => `${t.provider}/${t.model}`
        + (t.zero_retention ? ' (zero retention)' : '')).join(' → ') },
    ], config.models, { id: 'aliases-table' }),
    table('Plugin chain', [
      { label: 'Plugin', value: (p) => p.name },
      { label: 'On failure', value: (p) => (p.fail_open ? 'fail open' : 'fail closed') },
    ], config.plugins, { id: 'plugins-table', empty: 'No plugins configured.' }));
}
