// Keys: list, create (the secret shown once), rotate, revoke, and budgets. Every change is an admin API call, so it
// lands in the admin audit under the signed-in principal.
import { get, post } from './api.js';
import { clear, field, h, money, table, when } from './dom.js';

function secretPanel(region, title, answer) {
  const value = h('input', { type: 'text', id: 'new-secret', readonly: true, value: answer.key, size: 60,
    'aria-describedby': 'new-secret-note' });
  clear(region).append(h('div', { class: 'card notice' },
    h('h2', {}, title),
    h('p', { id: 'new-secret-note' }, `Copy the key of ${answer.name || answer.id} now: Veil keeps only its hash `
      + 'and will not show it again.'),
    field('Secret', value),
    h('button', { type: 'button', id: 'copy-secret', onclick: async () => {
      value.select();
      try { await navigator.clipboard.writeText(answer.key); } catch { /* selected for a manual copy instead */ }
    } }, 'Copy')));
  value.focus();
  value.select();
}

function problem(region, error) {
  clear(region).append(h('p', { role: 'alert', class: 'error' }, error.message));
}

export async function render(body, me) {
  const notice = h('div', { id: 'key-notice', 'aria-live': 'polite' });
  const list = h('section', { 'aria-labelledby': 'keys-heading' }, h('h2', { id: 'keys-heading' }, 'Keys'));
  const budgets = h('section', { 'aria-labelledby': 'budgets-heading' },
    h('h2', { id: 'budgets-heading' }, 'Budgets'));
  body.append(notice, createForm(me, notice, () => refresh()), list, budgets);

  async function refresh() {
    const [keys, limits] = await Promise.all([get('/admin/keys'), get('/admin/budgets')]);
    const byKey = new Map(limits.data.filter((b) => b.scope === 'key').map((b) => [b.key_id, b]));
    clear(list).append(h('h2', { id: 'keys-heading' }, 'Keys'), table(`${keys.data.length} keys`, [
      { label: 'Name', value: (k) => k.name || '(unnamed)' },
      { label: 'Id', value: (k) => h('code', {}, k.id) },
      { label: 'Tenant / team', value: (k) => `${k.tenant} / ${k.team}` },
      { label: 'Scope', value: (k) => k.scope },
      { label: 'Status', value: (k) => h('span', { class: `status ${k.status}` }, k.status) },
      { label: 'Limits', value: (k) => `${k.limits.rpm || '∞'} rpm · ${k.limits.tpm || '∞'} tpm` },
      { label: 'Budget', value: (k) => byKey.has(k.id) ? `${money(byKey.get(k.id).spent_usd)} of `
        + `${money(byKey.get(k.id).limit_usd)} / ${byKey.get(k.id).period}` : '' },
      { label: 'Created', value: (k) => when(k.created_at) },
      { label: 'Actions', value: (k) => k.status === 'revoked' ? '' : h('span', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', 'data-action': 'rotate',
          'aria-label': `Rotate key ${k.name || k.id}`, onclick: async () => {
            try { secretPanel(notice, 'Key rotated', await post(`/admin/keys/${k.id}/rotate`)); await refresh(); }
            catch (error) { problem(notice, error); }
          } }, 'Rotate'),
        h('button', { type: 'button', class: 'danger', 'data-action': 'revoke',
          'aria-label': `Revoke key ${k.name || k.id}`, onclick: async () => {
            if (!window.confirm(`Revoke key ${k.name || k.id}? Calls with it are refused at once.`)) return;
            try {
              await post(`/admin/keys/${k.id}/revoke`);
              clear(notice).append(h('p', { role: 'status', id: 'revoked' }, `Key ${k.name || k.id} revoked.`));
              await refresh();
            } catch (error) { problem(notice, error); }
          } }, 'Revoke')) },
    ], keys.data, { id: 'keys-table', rowId: (k) => k.id, empty: 'No keys yet.' }));
    clear(budgets).append(h('h2', { id: 'budgets-heading' }, 'Budgets'), table('Budgets and what is left', [
      { label: 'Scope', value: (b) => b.scope },
      { label: 'Of', value: (b) => b.key_id || [b.tenant, b.team].filter(Boolean).join(' / ') },
      { label: 'Period', value: (b) => b.period },
      { label: 'Limit', numeric: true, value: (b) => Number(b.limit_usd) ? money(b.limit_usd) : 'none' },
      { label: 'Spent', numeric: true, value: (b) => money(b.spent_usd) },
      { label: 'Left', numeric: true, value: (b) => Number(b.limit_usd)
        ? money(Math.max(0, b.limit_usd - b.spent_usd - b.reserved_usd)) : '' },
    ], limits.data, { id: 'budgets-table' }), budgetForm(me, notice, refresh));
  }

  await refresh();
}

function createForm(me, notice, refresh) {
  const tenant = h('input', { type: 'text', value: me.tenant || 'default', required: true, id: 'key-tenant' });
  const team = h('input', { type: 'text', value: 'default', id: 'key-team' });
  const name = h('input', { type: 'text', id: 'key-name', required: true });
  const scope = h('select', { id: 'key-scope' }, h('option', { value: 'chat' }, 'chat (model calls)'),
    h('option', { value: 'admin' }, 'admin (admin API of its tenant)'));
  const models = h('input', { type: 'text', id: 'key-models', placeholder: 'all; or e.g. gpt-4o*, smart' });
  const rpm = h('input', { type: 'number', id: 'key-rpm', min: 0, value: 0 });
  const tpm = h('input', { type: 'number', id: 'key-tpm', min: 0, value: 0 });
  const budget = h('input', { type: 'number', id: 'key-budget', min: 0, step: '0.01', placeholder: 'none' });
  const period = h('select', { id: 'key-period' }, h('option', { value: 'month' }, 'month'),
    h('option', { value: 'day' }, 'day'));
  const form = h('form', { id: 'create-key', class: 'card' },
    h('h2', {}, 'Create a key'),
    h('div', { class: 'grid' }, field('Tenant', tenant), field('Team', team), field('Name', name),
      field('Scope', scope), field('Models allowed', models), field('Requests per minute (0: no limit)', rpm),
      field('Tokens per minute (0: no limit)', tpm), field('Budget in USD', budget), field('Budget period', period)),
    h('button', { type: 'submit', id: 'create-key-submit' }, 'Create key'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const request = { tenant: tenant.value.trim(), team: team.value.trim() || 'default', name: name.value.trim(),
      scope: scope.value, limits: { rpm: Number(rpm.value || 0), tpm: Number(tpm.value || 0) } };
    const allowed = models.value.split(',').map((m) => m.trim()).filter(Boolean);
    if (allowed.length) request.models = allowed;
    if (budget.value) request.budget = { limit_usd: Number(budget.value), period: period.value };
    try {
      secretPanel(notice, 'Key created', await post('/admin/keys', request));
      name.value = '';
      await refresh();
    } catch (error) { problem(notice, error); }
  });
  return form;
}

function budgetForm(me, notice, refresh) {
  const scope = h('select', { id: 'budget-scope' }, h('option', { value: 'key' }, 'key'),
    h('option', { value: 'team' }, 'team'), h('option', { value: 'tenant' }, 'tenant'));
  const tenant = h('input', { type: 'text', id: 'budget-tenant', value: me.tenant || 'default' });
  const team = h('input', { type: 'text', id: 'budget-team', value: 'default' });
  const key = h('input', { type: 'text', id: 'budget-key', placeholder: 'key id, for a key budget' });
  const limit = h('input', { type: 'number', id: 'budget-limit', min: 0, step: '0.01', required: true });
  const period = h('select', { id: 'budget-period' }, h('option', { value: 'month' }, 'month'),
    h('option', { value: 'day' }, 'day'));
  const form = h('form', { id: 'set-budget', class: 'card' }, h('h3', {}, 'Set a budget'),
    h('div', { class: 'grid' }, field('Scope', scope), field('Tenant', tenant), field('Team', team),
      field('Key id', key), field('Limit in USD', limit), field('Period', period)),
    h('button', { type: 'submit' }, 'Set budget'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const request = { scope: scope.value, limit_usd: Number(limit.value), period: period.value };
    if (scope.value === 'key') request.key_id = key.value.trim();
    else request.tenant = tenant.value.trim();
    if (scope.value === 'team') request.team = team.value.trim();
    try {
      await post('/admin/budgets', request);
      clear(notice).append(h('p', { role: 'status' }, 'Budget set.'));
      await refresh();
    } catch (error) { problem(notice, error); }
  });
  return form;
}
