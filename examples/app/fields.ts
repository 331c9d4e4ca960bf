/** Form controls with their labels, the way every form of the example writes them. */
import type { Html, RouteContext } from 'methodical-server';

export interface InputOptions {
  type?: string;
  value?: unknown;
  required?: boolean;
  /** Extra attributes, already safe (e.g. `min="0"`); values come from the page, never from users. */
  attrs?: Record<string, string | number>;
  hint?: string;
  /** Makes the control's id unique when a page has several forms with this field. */
  scope?: string;
}

function controlId(name: string, scope?: string): string {
  return scope ? `f-${scope}-${name}` : `f-${name}`;
}

function attributes(ctx: RouteContext, attrs: Record<string, string | number> = {}): Html[] {
  return Object.entries(attrs).map(([k, v]) => ctx.html` ${k}="${v}"`);
}

/** A labelled input; the empty `.field-error` is where the page script puts this field's problem. */
export function input(ctx: RouteContext, name: string, label: string, options: InputOptions = {}): Html {
  const id = controlId(name, options.scope);
  const value = options.value === null || options.value === undefined ? '' : String(options.value);
  return ctx.html`<p class="field">
  <label for="${id}">${label}</label>
  <input id="${id}" name="${name}" type="${options.type ?? 'text'}" value="${value}"${options.required ? ctx.html` required` : ''}${attributes(ctx, options.attrs)}>
  ${options.hint ? ctx.html`<small>${options.hint}</small>` : ''}
  <span class="field-error" data-field="${name}" aria-live="polite"></span>
</p>`;
}

/** A labelled textarea. */
export function textarea(
  ctx: RouteContext,
  name: string,
  label: string,
  value: unknown = '',
  scope?: string,
): Html {
  const id = controlId(name, scope);
  const rows = 4;
  return ctx.html`<p class="field">
  <label for="${id}">${label}</label>
  <textarea id="${id}" name="${name}" rows="${rows}">${value ?? ''}</textarea>
  <span class="field-error" data-field="${name}" aria-live="polite"></span>
</p>`;
}

/** A labelled select; `choices` are [value, label] pairs. */
export function select(
  ctx: RouteContext,
  name: string,
  label: string,
  choices: readonly (readonly [string, string])[],
  current: unknown = '',
  required = false,
  /** The values are numbers: the page script sends them as JSON numbers. */
  numeric = false,
  scope?: string,
): Html {
  const id = controlId(name, scope);
  const options = choices.map(([value, text]) =>
    String(current) === value
      ? ctx.html`<option value="${value}" selected>${text}</option>`
      : ctx.html`<option value="${value}">${text}</option>`,
  );
  return ctx.html`<p class="field">
  <label for="${id}">${label}</label>
  <select id="${id}" name="${name}"${required ? ctx.html` required` : ''}${numeric ? ctx.html` data-number` : ''}>${options}</select>
  <span class="field-error" data-field="${name}" aria-live="polite"></span>
</p>`;
}

/** Where the page script shows a form's problem (its detail) when JavaScript is on. */
export function formError(ctx: RouteContext): Html {
  return ctx.html`<p class="form-error" role="alert" hidden></p>`;
}
