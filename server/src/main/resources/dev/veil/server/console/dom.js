// Builds DOM nodes: text is always set as text, never parsed as HTML, so nothing from the API can inject markup.
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function table(caption, columns, rows, options = {}) {
  return h('div', { class: 'scroll' },
    h('table', { id: options.id },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label)))),
      h('tbody', {}, rows.length === 0
        ? h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, options.empty || 'Nothing yet.'))
        : rows.map((row) => h('tr', { 'data-id': options.rowId ? options.rowId(row) : null },
          columns.map((c) => h('td', { class: c.numeric ? 'num' : null }, c.value(row))))))));
}

export function field(label, input) {
  const id = input.id || `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}

export function money(value) {
  const number = Number(value || 0);
  return `$${number.toFixed(number !== 0 && Math.abs(number) < 0.01 ? 6 : 2)}`;
}

export function count(value) {
  return Number(value || 0).toLocaleString('en-US');
}

export function when(iso) {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}
