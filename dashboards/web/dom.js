// Building DOM from agent data. Everything the agent sends is attacker-influenced (container
// names, labels, command lines, paths, DNS names), so it only ever becomes textContent or an
// attribute value: no innerHTML anywhere on the page.

/** el('td', { className: 'sev', text: alert.severity, data: { id } }, ...children) */
export function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  if (options.title) node.title = String(options.title);
  for (const [key, value] of Object.entries(options.data ?? {})) node.dataset[key] = String(value);
  for (const [key, value] of Object.entries(options.attrs ?? {})) node.setAttribute(key, String(value));
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
export const dateTime = (iso) => (iso ? new Date(iso).toLocaleString() : '');

/** 1536 → "1.5 KiB": edge labels stay short on a wall screen. */
export function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Number(n) || 0;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Runs fn at most once per `ms`, the last call winning; errors are the caller's to show. */
export function throttled(fn, ms) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      Promise.resolve(fn()).catch(() => undefined);
    }, ms);
  };
}
