type Props = Record<string, string | boolean | number | undefined | ((event: any) => void)>

/**
 * A tiny element builder: `h('button', { class: 'x', onclick: fn, 'data-testid': 'new' }, 'New')`.
 * Keys starting with "on" become listeners, other values attributes (`true` -> present, false/undefined -> absent).
 */
export function h<K extends keyof HTMLElementTagNameMap> (
  tag: K,
  props: Props = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === 'function') el.addEventListener(key.slice(2), value)
    else if (value === true) el.setAttribute(key, '')
    else if (value !== false && value !== undefined) el.setAttribute(key, String(value))
  }
  el.append(...children)
  return el
}
