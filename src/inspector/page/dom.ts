/** Small DOM and SVG builders: the page uses no framework, and never `innerHTML`. */

/** Attribute values; `false` and `undefined` leave the attribute out. */
export type Attrs = Readonly<Record<string, string | number | boolean | undefined>>;

/** A child: a node, a text, or nothing. */
export type Child = Node | string | number | null | undefined | false;

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(element: Element, attrs: Attrs | undefined, children: readonly Child[]): void {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
}

/** Creates an HTML element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, attrs, children);
  return element;
}

/** Creates an SVG element with attributes and children. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, attrs, children);
  return element;
}

/**
 * The element with this id, of this type (`HTMLElement` unless given);
 * throws if the page lacks it, a mistake in index.html rather than a
 * runtime condition.
 */
export function byId<T extends HTMLElement>(id: string, type: abstract new () => T): T;
export function byId(id: string): HTMLElement;
export function byId(id: string, type: abstract new () => HTMLElement = HTMLElement): HTMLElement {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`The page has no #${id} of type ${type.name}`);
  return element;
}

/** Sets an element's text only when it changed, so that a re-render touches nothing that stayed. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

function morphNode(current: ChildNode, next: Node): void {
  if (current.nodeType === Node.TEXT_NODE && next.nodeType === Node.TEXT_NODE) {
    if (current.nodeValue !== next.nodeValue) current.nodeValue = next.nodeValue;
    return;
  }
  if (!(current instanceof Element) || !(next instanceof Element) || current.tagName !== next.tagName) {
    current.replaceWith(next);
    return;
  }
  for (const { name } of [...current.attributes]) if (!next.hasAttribute(name)) current.removeAttribute(name);
  for (const { name, value } of next.attributes) {
    if (current.getAttribute(name) !== value) current.setAttribute(name, value);
  }
  morphChildren(current, [...next.childNodes]);
}

/**
 * Makes `parent`'s children look like `next` in place: text and attributes
 * that did not change are left alone, and an element keeps its identity
 * where its tag stays, so a row that a re-render left as it was can still
 * be clicked while messages stream in.
 */
export function morphChildren(parent: Element, next: readonly Node[]): void {
  const current = [...parent.childNodes];
  next.forEach((node, index) => {
    const existing = current[index];
    if (existing === undefined) parent.append(node);
    else morphNode(existing, node);
  });
  for (const extra of current.slice(next.length)) extra.remove();
}
