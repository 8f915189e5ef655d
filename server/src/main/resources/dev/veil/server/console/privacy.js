// Privacy: PII findings by type over time, the share of requests under zero retention, and requests policy blocked.
import { get, query } from './api.js';
import { barChart, lineChart } from './chart.js';
import { clear, count, field, h } from './dom.js';
import { labels, rangePicker } from './overview.js';

export async function render(body) {
  const range = rangePicker('privacy-range', () => show());
  const content = h('div', { id: 'privacy-content' });
  body.append(h('div', { class: 'card inline' }, field('Range', range)), content);

  async function show() {
    const s = await get(`/admin/requests/series${query({ minutes: range.value })}`);
    const types = s.pii_by_type.map((p) => p.type);
    const t = s.totals;
    clear(content).append(
      h('div', { class: 'stats' },
        h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'PII findings'),
          h('span', { class: 'stat-value', id: 'pii-total' }, count(s.pii_by_type.reduce((n, p) => n + p.count, 0)))),
        h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'Zero-retention share'),
          h('span', { class: 'stat-value', id: 'zero-retention-share' },
            t.requests ? `${((100 * t.zero_retention) / t.requests).toFixed(1)}%` : '0%')),
        h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'Blocked by policy'),
          h('span', { class: 'stat-value', id: 'blocked' }, count(t.denied)))),
      h('div', { class: 'charts' },
        lineChart('PII findings by type', labels(s), types.length ? types.map((type) => ({ name: type,
          values: s.buckets.map((b) => b.pii[type] || 0) })) : [{ name: 'findings', values: s.buckets.map(() => 0) }]),
        lineChart('Zero retention and blocked requests', labels(s), [
          { name: 'zero retention', values: s.buckets.map((b) => b.zero_retention) },
          { name: 'blocked', values: s.buckets.map((b) => b.denied) }]),
        barChart('PII findings by type', s.pii_by_type.map((p) => ({ label: p.type, value: p.count }))),
        barChart('Blocked requests by reason', s.denials_by_reason.map((d) => ({ label: d.reason, value: d.count })))));
  }

  await show();
}
