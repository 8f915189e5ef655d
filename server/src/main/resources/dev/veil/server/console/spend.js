// Spend: cost and tokens from GET /admin/usage over a range, grouped by tenant, team, user, key or model; budgets
// and what is left where the caller may read them; and the same rows as a CSV download.
import { ApiError, get, query, text } from './api.js';
import { barChart } from './chart.js';
import { clear, count, field, h, money, table } from './dom.js';

const DIMENSIONS = { tenant: 'Tenant', team: 'Team', user: 'User', key_id: 'Key', model: 'Model' };

function day(offset) {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

export async function render(body, me) {
  const from = h('input', { type: 'date', id: 'spend-from', value: day(-6) });
  const to = h('input', { type: 'date', id: 'spend-to', value: day(0) });
  const by = h('select', { id: 'spend-by' }, Object.entries(DIMENSIONS).map(([value, label]) =>
    h('option', { value }, label)));
  const results = h('div', { id: 'spend-results', 'aria-live': 'polite' });
  const form = h('form', { id: 'spend-form', class: 'card inline' }, field('From', from), field('To', to),
    field('Group by', by), h('button', { type: 'submit' }, 'Show'),
    h('button', { type: 'button', id: 'spend-csv', class: 'secondary', onclick: () => download() },
      'Download CSV'));
  const csvLink = h('a', { id: 'spend-csv-link', hidden: true }, 'veil-usage.csv');
  body.append(form, csvLink, results);
  form.addEventListener('submit', (event) => { event.preventDefault(); show(); });

  function range() {
    return { from: from.value, to: to.value };
  }

  async function download() {
    const csv = await text(`/admin/usage${query({ ...range(), format: 'csv' })}`, 'text/csv');
    const blob = new Blob([csv], { type: 'text/csv' });
    if (csvLink.href) URL.revokeObjectURL(csvLink.href);
    csvLink.href = URL.createObjectURL(blob);
    csvLink.download = `veil-usage-${from.value}-${to.value}.csv`;
    csvLink.dataset.csv = csv;
    csvLink.hidden = false;
    csvLink.click();
  }

  async function show() {
    const usage = await get(`/admin/usage${query(range())}`);
    const dimension = by.value;
    const groups = new Map();
    for (const row of usage.data) {
      const name = row[dimension] || (dimension === 'user' ? '(keys, no user)' : '(none)');
      const group = groups.get(name) || { name, requests: 0, tokens: 0, cost: 0 };
      group.requests += row.requests;
      group.tokens += row.prompt_tokens + row.completion_tokens;
      group.cost += Number(row.cost_usd);
      groups.set(name, group);
    }
    const rows = [...groups.values()].sort((a, b) => b.cost - a.cost || b.tokens - a.tokens);
    clear(results).append(
      h('p', { id: 'spend-total' }, `${count(usage.total_requests)} requests, ${money(usage.total_cost_usd)} `
        + `from ${from.value} to ${to.value}.`),
      barChart(`Cost by ${DIMENSIONS[dimension].toLowerCase()}`, rows.map((r) => ({ label: r.name, value: r.cost })),
        money),
      table(`Spend by ${DIMENSIONS[dimension].toLowerCase()}`, [
        { label: DIMENSIONS[dimension], value: (r) => r.name },
        { label: 'Requests', numeric: true, value: (r) => count(r.requests) },
        { label: 'Tokens', numeric: true, value: (r) => count(r.tokens) },
        { label: 'Cost', numeric: true, value: (r) => money(r.cost) },
      ], rows, { id: 'spend-table' }));
    results.append(await budgets(me));
  }

  await show();
}

async function budgets(me) {
  const section = h('section', { 'aria-labelledby': 'spend-budgets' }, h('h2', { id: 'spend-budgets' }, 'Budgets'));
  if (!me.roles.some((role) => role === 'admin' || role === 'key-admin')) {
    section.append(h('p', { class: 'muted' }, 'Budgets are shown to the admin and key-admin roles.'));
    return section;
  }
  try {
    const list = await get('/admin/budgets');
    section.append(table('Budgets in their current period', [
      { label: 'Scope', value: (b) => b.scope },
      { label: 'Of', value: (b) => b.key_id || [b.tenant, b.team].filter(Boolean).join(' / ') },
      { label: 'Period from', value: (b) => (b.period_start || '').slice(0, 10) },
      { label: 'Limit', numeric: true, value: (b) => Number(b.limit_usd) ? money(b.limit_usd) : 'none' },
      { label: 'Spent', numeric: true, value: (b) => money(b.spent_usd) },
      { label: 'Left', numeric: true, value: (b) => Number(b.limit_usd)
        ? money(Math.max(0, b.limit_usd - b.spent_usd - b.reserved_usd)) : '' },
    ], list.data));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    section.append(h('p', { class: 'muted' }, error.message));
  }
  return section;
}
