/** Tiny DOM helpers: typed lookups by id and one-line notices. No framework: the panel is a handful of elements. */

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`panel: #${id} is missing from index.html`);
  return el as T;
}

/** Shows `text` in a notice element (kind sets its colour), or hides it when text is empty. */
export function notice(el: HTMLElement, text: string, kind: 'error' | 'warn' | 'info' = 'warn'): void {
  el.textContent = text;
  el.hidden = !text;
  el.classList.toggle('error', kind === 'error');
  el.classList.toggle('info', kind === 'info');
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

/** The last segment of a path (either separator). */
export function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}
