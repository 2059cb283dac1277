// Building the page: elements made with h(), text always as text nodes (never innerHTML), so whatever the API
// returns is shown, not run.

/** An element: h('td', {class: 'x', onclick: f}, 'text', child, [more]); null, false and undefined are left out. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name === 'width') el.style.width = value; // through the CSSOM: allowed by the page's CSP
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** How long ago, as kubectl says it: 42s, 5m, 3h, 2d. */
export function age(timestamp, now = Date.now()) {
  if (!timestamp) return '';
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** A bar filled to value/max, with its text beside it. */
export function bar(value, max, text, kind = '') {
  const fraction = max > 0 ? Math.min(1, value / max) : 0;
  return h('span', {class: `bar ${kind}`, title: text},
    h('span', {class: 'track'}, h('span', {class: 'fill', width: `${Math.round(fraction * 100)}%`})),
    h('span', {class: 'bar-text'}, text));
}
