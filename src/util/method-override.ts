/**
 * Method override for HTML forms, which can only GET and POST (PRODUCT.md,
 * Details: Forms): a POST whose form body carries `_method` of PUT, PATCH or
 * DELETE is that method, with If-Match taken from an `_etag` field. One
 * parser for every route that takes forms: the API's, aliases and custom
 * routes. It reads form fields, never a request; JSON bodies never override.
 */
import { Problem } from './problem.js';

export const OVERRIDE_METHODS = ['PUT', 'PATCH', 'DELETE'] as const;

export type OverrideMethod = (typeof OVERRIDE_METHODS)[number];

export interface MethodOverride {
  method: OverrideMethod;
  /** The form's `_etag`, to be read as If-Match. */
  ifMatch?: string;
}

/** Form fields as the body parsers give them: name → every value sent. */
export type FormFields = Readonly<Record<string, readonly string[]>>;

function first(fields: FormFields, name: string): string | undefined {
  const value = Object.hasOwn(fields, name) ? fields[name][0] : undefined;
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The method a form POST stands for, or undefined without `_method`;
 * any `_method` but PUT, PATCH or DELETE (in any case) is a 400.
 */
export function methodOverride(fields: FormFields): MethodOverride | undefined {
  const raw = first(fields, '_method');
  if (raw === undefined) return undefined;
  const method = raw.trim().toUpperCase();
  if (!(OVERRIDE_METHODS as readonly string[]).includes(method)) {
    throw new Problem(
      'badRequest',
      `The form's _method ${JSON.stringify(raw)} is not one a form may stand for; use PUT, PATCH or DELETE.`,
    );
  }
  const ifMatch = first(fields, '_etag');
  return ifMatch === undefined
    ? { method: method as OverrideMethod }
    : { method: method as OverrideMethod, ifMatch };
}
