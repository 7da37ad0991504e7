// Small DOM helpers: the pages build their elements with h() instead of HTML strings, so no text from the server
// is ever parsed as markup.

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

// h('a', {href: '/x', class: 'button', onclick: handler}, 'text', child…). Attributes named on* add listeners;
// true sets an empty attribute, false/null/undefined leaves it out.
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {},
                                                         ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces everything inside `parent` with `children`.
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

// A message box in the style of Django's messages framework: level success, warning or error.
export function message(level: 'success' | 'warning' | 'error' | 'info', text: string): HTMLElement {
  return h('p', {class: `message message-${level}`, role: level === 'error' ? 'alert' : 'status'}, text);
}

let uniqueCounter = 0;

// A fresh element id, for <label for=…>.
export function uniqueId(prefix: string): string {
  return `${prefix}-${++uniqueCounter}`;
}
