// Hand-written SVG charts: a line chart of one or more series over time, and horizontal bars. Colours come from
// presentation attributes, not style attributes, so the console's policy needs no inline styles.
const NS = 'http://www.w3.org/2000/svg';
const PALETTE = ['#1d4ed8', '#b91c1c', '#047857', '#a16207', '#7e22ce', '#0f766e', '#be185d'];

function el(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function nice(max) {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function short(value) {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 1 ? 3 : 1);
}

/**
 * A line chart. series: [{name, values: [number]}], all as long as labels; the chart's accessible name says what
 * it shows and its latest values, and the figure has a visible legend.
 */
export function lineChart(title, labels, series, unit = '') {
  const width = 560; const height = 200; const left = 48; const right = 12; const top = 12; const bottom = 28;
  const max = nice(Math.max(0, ...series.flatMap((s) => s.values)));
  const x = (i) => left + (labels.length <= 1 ? 0 : (i * (width - left - right)) / (labels.length - 1));
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const latest = series.map((s) => `${s.name} ${short(s.values.at(-1) ?? 0)}${unit}`).join(', ');
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${title}: latest ${latest}`,
    class: 'chart', 'data-max': Math.max(0, ...series.flatMap((s) => s.values)) });
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    svg.append(el('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: '#d4d4d8', 'stroke-width': 1 }));
    svg.append(el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#3f3f46' },
      short(v)));
  }
  const step = Math.max(1, Math.ceil(labels.length / 6));
  labels.forEach((label, i) => {
    if (i % step === 0) {
      svg.append(el('text', { x: x(i), y: height - 8, 'text-anchor': 'middle', 'font-size': 11, fill: '#3f3f46' },
        label));
    }
  });
  series.forEach((s, n) => {
    const colour = PALETTE[n % PALETTE.length];
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    svg.append(el('polyline', { points, fill: 'none', stroke: colour, 'stroke-width': 2,
      'data-series': s.name }));
    s.values.forEach((v, i) => {
      if (v > 0) svg.append(el('circle', { cx: x(i), cy: y(v), r: 2.5, fill: colour }));
    });
  });
  return figure(title, svg, series.map((s, n) => [s.name, PALETTE[n % PALETTE.length]]));
}

/** Horizontal bars: items [{label, value}], largest first. */
export function barChart(title, items, format = short) {
  const rows = items.slice(0, 12);
  const width = 560; const bar = 22; const left = 200; const height = Math.max(1, rows.length) * (bar + 6) + 8;
  const max = Math.max(0, ...rows.map((r) => r.value)) || 1;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart bars',
    'aria-label': `${title}: ${rows.map((r) => `${r.label} ${format(r.value)}`).join(', ') || 'none'}`,
    'data-max': Math.max(0, ...rows.map((r) => r.value)) });
  rows.forEach((r, i) => {
    const top = 4 + i * (bar + 6);
    svg.append(el('text', { x: left - 8, y: top + bar / 2 + 4, 'text-anchor': 'end', 'font-size': 12,
      fill: '#18181b' }, r.label.length > 30 ? `${r.label.slice(0, 29)}…` : r.label));
    const w = Math.max(1, ((width - left - 80) * r.value) / max);
    svg.append(el('rect', { x: left, y: top, width: w, height: bar, fill: PALETTE[0], rx: 2 }));
    svg.append(el('text', { x: left + w + 6, y: top + bar / 2 + 4, 'font-size': 12, fill: '#18181b' },
      format(r.value)));
  });
  if (rows.length === 0) {
    svg.append(el('text', { x: 8, y: 20, 'font-size': 12, fill: '#3f3f46' }, 'No data in this range.'));
  }
  return figure(title, svg, []);
}

function figure(title, svg, legend) {
  const fig = document.createElement('figure');
  fig.className = 'figure';
  const caption = document.createElement('figcaption');
  caption.textContent = title;
  fig.append(caption, svg);
  if (legend.length > 1) {
    const list = document.createElement('ul');
    list.className = 'legend';
    for (const [name, colour] of legend) {
      const item = document.createElement('li');
      const swatch = el('svg', { width: 12, height: 12, 'aria-hidden': 'true' });
      swatch.append(el('rect', { width: 12, height: 12, fill: colour }));
      item.append(swatch, document.createTextNode(` ${name}`));
      list.append(item);
    }
    fig.append(list);
  }
  return fig;
}
