// The one way the console puts anything into the page. Every value is set as text or as an attribute through
// setAttribute, never parsed as HTML: host names, summaries and topology names come from packets and files that an
// attacker may have written (a host named `<img src=x onerror=alert(1)>` must show as those characters).

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An HTML element: el('a', {href: '#/alerts', class: 'x'}, 'text', child, [more]). */
export function el(tag, attributes = {}, ...children) {
  return fill(document.createElement(tag), attributes, children);
}

/** The same for SVG (the ladder): text children become text nodes of e.g. <text>. */
export function svg(tag, attributes = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attributes, children);
}

/** Replaces an element's children. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
  return parent;
}

function fill(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (/^on/i.test(name)) throw new Error(`event handler attributes are not allowed: ${name}`);
    if ((name === 'href' || name === 'src') && !isOwnUrl(String(value))) {
      throw new Error(`only links within the console: ${value}`);
    }
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// A link built from server data (an alert id) can only point into this console or its API.
function isOwnUrl(url) {
  return url.startsWith('#') || (url.startsWith('/') && !url.startsWith('//')) || url.startsWith('./');
}
