// Overview: traffic, errors, latency, tokens and cost over the last hour (or a chosen range), per provider and
// model, with policy denials by reason: all from GET /admin/requests/series.
import { get, query } from './api.js';
import { barChart, lineChart } from './chart.js';
import { clear, count, field, h, money, table, when } from './dom.js';

export const RANGES = { 60: 'Last hour', 360: 'Last 6 hours', 1440: 'Last day', 10080: 'Last week' };

export function rangePicker(id, onchange) {
  const select = h('select', { id }, Object.entries(RANGES).map(([value, label]) => h('option', { value }, label)));
  select.addEventListener('change', onchange);
  return select;
}

export function labels(series) {
  return series.buckets.map((b) => b.start.slice(11, 16));
}

function stat(label, value, id) {
  return h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value', id },
    value));
}

export async function render(body) {
  const range = rangePicker('overview-range', () => show());
  const content = h('div', { id: 'overview-content' });
  body.append(h('div', { class: 'card inline' }, field('Range', range)), content);

  async function show() {
    const s = await get(`/admin/requests/series${query({ minutes: range.value })}`);
    const seconds = Number(s.bucket_seconds);
    const t = s.totals;
    const x = labels(s);
    clear(content).append(
      h('div', { class: 'stats' },
        stat('Requests', count(t.requests), 'total-requests'),
        stat('Error rate', t.requests ? `${((100 * t.errors) / t.requests).toFixed(1)}%` : '0%', 'error-rate'),
        stat('Denied by policy', count(t.denied), 'total-denied'),
        stat('Latency p50 / p99', `${t.p50_ms.toFixed(0)} / ${t.p99_ms.toFixed(0)} ms`, 'latency'),
        stat('Tokens', count(t.tokens), 'total-tokens'),
        stat('Cost', money(t.cost_usd), 'total-cost'),
        s.audit_queued === undefined ? null
          : stat('Audit log queue (records)', count(s.audit_queued), 'audit-queued')),
      h('div', { class: 'charts' },
        lineChart('Requests per second', x, [{ name: 'req/s', values: s.buckets.map((b) => b.requests / seconds) }]),
        lineChart('Error rate', x, [{ name: 'errors %', values: s.buckets.map((b) => (b.requests
          ? (100 * b.errors) / b.requests : 0)) }, { name: 'denied %', values: s.buckets.map((b) => (b.requests
          ? (100 * b.denied) / b.requests : 0)) }], '%'),
        lineChart('Latency (ms)', x, [{ name: 'p50', values: s.buckets.map((b) => b.p50_ms) },
          { name: 'p99', values: s.buckets.map((b) => b.p99_ms) }], ' ms'),
        lineChart('Tokens', x, [{ name: 'tokens', values: s.buckets.map((b) => b.tokens) }]),
        lineChart('Cost (USD)', x, [{ name: 'cost', values: s.buckets.map((b) => Number(b.cost_usd)) }]),
        barChart('Policy denials by reason', s.denials_by_reason.map((d) => ({ label: d.reason, value: d.count })))),
      table('Per provider (health from its latest answers)', [
        { label: 'Provider', value: (p) => p.provider },
        { label: 'State', value: (p) => h('span', { class: `status ${health(p)}` }, health(p)) },
        { label: 'Requests', numeric: true, value: (p) => count(p.requests) },
        { label: 'Errors', numeric: true, value: (p) => count(p.errors) },
        { label: 'Last answer', value: (p) => `${p.last_status} at ${when(p.last_at)}` },
      ], s.providers, { id: 'providers-health' }),
      table('Per model', [
        { label: 'Model', value: (m) => m.model },
        { label: 'Requests', numeric: true, value: (m) => count(m.requests) },
        { label: 'Tokens', numeric: true, value: (m) => count(m.tokens) },
        { label: 'Cost', numeric: true, value: (m) => money(m.cost_usd) },
      ], s.models, { id: 'models-table' }),
      h('p', { class: 'muted' }, `From ${when(s.from)} to ${when(s.to)}, ${seconds} s buckets, from the audit log's `
        + `latest ${count(s.scanned_max)} records at most.`));
  }

  await show();
}

/** A provider's state from its recent answers: down when its latest failed, degraded when some did. */
export function health(p) {
  if (p.last_status >= 500) return 'down';
  if (p.errors > 0) return 'degraded';
  return 'healthy';
}
