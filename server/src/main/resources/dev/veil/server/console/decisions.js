// Decisions: the latest requests' policy outcomes with their reasons, from the audit log's metadata; one click from
// a request id to its whole audit record (content appears only when the record holds any).
import { get, query, text } from './api.js';
import { clear, field, h, table, when } from './dom.js';

function principalOf(row) {
  const p = row.principal || {};
  return [p.user, p.key_id, p.tenant && `${p.tenant}/${p.team || ''}`].filter(Boolean).join(' · ');
}

// Content is shown to the auditor role only, whose job it is; metadata to everyone this page opens for.
function content(prompt, response, me) {
  if (prompt === undefined && response === undefined) {
    return h('p', { class: 'muted' }, 'This record holds no content (zero retention, or content is not kept).');
  }
  if (!me.roles.includes('auditor')) {
    return h('p', { class: 'muted', id: 'content-withheld' }, 'This record holds content; the console shows it to '
      + 'the auditor role.');
  }
  return [h('h3', {}, 'Content'), h('pre', { id: 'record-content' }, JSON.stringify({ prompt, response }, null, 2))];
}

export async function render(body, me) {
  const hash = new URLSearchParams(location.hash.split('?')[1] || '');
  const model = h('input', { type: 'text', id: 'filter-model', value: hash.get('model') || '' });
  const principal = h('input', { type: 'text', id: 'filter-principal', value: hash.get('principal') || '' });
  const outcome = h('select', { id: 'filter-outcome' }, ['', 'allowed', 'denied', 'error'].map((value) =>
    h('option', { value, selected: value === (hash.get('outcome') || '') }, value || 'any')));
  const requestId = hash.get('request_id') || '';
  const results = h('div', { id: 'decisions-results' });
  const detail = h('section', { id: 'record-detail', 'aria-live': 'polite', tabindex: '-1' });
  const form = h('form', { id: 'decisions-form', class: 'card inline' }, field('Model', model),
    field('Principal (user, key, tenant or team)', principal), field('Outcome', outcome),
    h('button', { type: 'submit' }, 'Filter'));
  body.append(form, results, detail);
  form.addEventListener('submit', (event) => { event.preventDefault(); show(''); });

  async function open(row) {
    const lines = await text(`/admin/audit/records${query({ from: row.seq, to: row.seq })}`, 'application/x-ndjson');
    const record = lines.split('\n').filter(Boolean).map((line) => JSON.parse(line))
      .find((line) => line.seq === row.seq)?.record || {};
    const { prompt, response, ...metadata } = record;
    clear(detail).append(h('h2', {}, `Audit record ${row.seq}: request ${row.request_id}`),
      h('dl', { class: 'record' }, Object.entries(metadata).map(([name, value]) => [h('dt', {}, name),
        h('dd', {}, typeof value === 'object' ? JSON.stringify(value) : String(value))])),
      ...[content(prompt, response, me)].flat());
    detail.focus();
  }

  async function show(id) {
    const list = await get(`/admin/requests${query({ model: model.value.trim(), principal: principal.value.trim(),
      outcome: outcome.value, request_id: id, limit: 200 })}`);
    clear(results).append(table(`${list.data.length} latest requests`, [
      { label: 'Time', value: (r) => when(r.time) },
      { label: 'Request', value: (r) => h('button', { type: 'button', class: 'link', 'data-request-id': r.request_id,
        'aria-label': `Open the audit record of request ${r.request_id}`, onclick: () => open(r) },
      h('code', {}, r.request_id)) },
      { label: 'Principal', value: principalOf },
      { label: 'Model', value: (r) => r.requested_model || '' },
      { label: 'Outcome', value: (r) => h('span', { class: `status ${r.outcome}` }, r.outcome) },
      { label: 'Status', numeric: true, value: (r) => r.status },
      { label: 'Reasons', value: (r) => (r.reasons || []).join('; ') || (r.error || '') },
    ], list.data, { id: 'decisions-table', rowId: (r) => r.request_id, empty: 'No request matches.' }));
    if (id && list.data.length === 1) await open(list.data[0]);
  }

  await show(requestId);
}
