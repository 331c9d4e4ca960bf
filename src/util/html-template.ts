/**
 * The `html` tagged template of custom routes and error pages: every
 * interpolated value is escaped, except HTML that this template built
 * itself. That HTML is recognised by a private brand, never by its shape,
 * so a record holding `{ "html": "<script>…" }` is escaped like any text.
 */

/** HTML built by `html`: its values are escaped once, and never again when nested. */
export interface Html {
  readonly html: string;
}

const BRAND: unique symbol = Symbol('methodical html');

/** HTML built by `html` (or `trustedHtml`): inserted as it is when nested. */
class SafeHtml implements Html {
  readonly [BRAND] = true;
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** Escape text for HTML content and attribute values: & < > " and '. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Whether a value is HTML built by this template (not merely an object with an `html` member). */
export function isHtml(value: unknown): value is Html {
  return value instanceof SafeHtml;
}

/** Markup the server itself wrote, to be inserted unescaped. Never for text that came from a request or a record. */
export function trustedHtml(markup: string): Html {
  return new SafeHtml(markup);
}

/** One interpolated value as HTML: escaped text, nested HTML as it is, arrays joined, nothing for null/undefined/false. */
function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.html;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** The tagged template: html`<h1>${title}</h1>`. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}
