/**
 * Method override for HTML forms, which can only GET and POST (PRODUCT.md,
 * Details: Forms): a POST whose form body carries `_method` of PUT, PATCH or
 * DELETE is that method, with If-Match taken from an `_etag` field. One
 * parser for every route that takes forms: the API's, aliases and custom
 * routes. It reads form fields, never a request; JSON bodies never override.
 */
import { Problem } from './problem.js';

/** The methods a form may stand for. */
export const OVERRIDE_METHODS = ['PUT', 'PATCH', 'DELETE'] as const;
export type OverrideMethod = (typeof OVERRIDE_METHODS)[number];

/** What a form POST stands for. */
export interface MethodOverride {
  method: OverrideMethod;
  /** The `_etag` field as an entity tag (a bare one gets its quotes), for If-Match; absent without one. */
  etag?: string;
}

/** Form fields as the body parsers give them: name → values (or one string per name, as custom routes see them). */
export type FormFields = Readonly<Record<string, string | readonly string[] | undefined>>;

function first(fields: FormFields, name: string): string | undefined {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * The method a form's fields stand for: null without a `_method` field (the
 * POST is then a plain POST); a 400 for any value but PUT, PATCH or DELETE
 * (in any case, as Rails and Laravel read it), an empty one included.
 */
export function methodOverride(fields: FormFields): MethodOverride | null {
  const raw = first(fields, '_method');
  if (raw === undefined) return null;
  const method = raw.trim().toUpperCase();
  if (!(OVERRIDE_METHODS as readonly string[]).includes(method)) {
    throw new Problem(
      'badRequest',
      `A form's _method may be PUT, PATCH or DELETE; this one says ${JSON.stringify(raw)}.`,
    );
  }
  const etag = entityTag(first(fields, '_etag'));
  return etag === undefined
    ? { method: method as OverrideMethod }
    : { method: method as OverrideMethod, etag };
}

/** `_etag` as If-Match takes it: `"…"`, `W/"…"` and `*` as sent, a bare tag quoted; empty is none. */
function entityTag(value: string | undefined): string | undefined {
  const tag = value?.trim();
  if (tag === undefined || tag === '') return undefined;
  if (tag === '*' || tag.startsWith('"') || tag.startsWith('W/"')) return tag;
  return `"${tag}"`;
}
