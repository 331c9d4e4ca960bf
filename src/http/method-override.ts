/**
 * The HTML form method override (PRODUCT.md, Details: Forms). Forms can
 * only GET and POST, so a POST with a form body (urlencoded or multipart,
 * never JSON) and a `_method` field of PUT, PATCH or DELETE stands for that
 * method on the same URL, with If-Match taken from an `_etag` field. The
 * decision lives here once, for the API's record routes and custom routes.
 */
import type { FastifyRequest } from 'fastify';
import type { Preconditions } from '../service/preconditions.js';
import { Problem } from '../util/problem.js';
import { isForm } from './plugins/body.js';
import { mediaTypeOf, preconditionsOf } from './request.js';

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
 * Whether a POST's body is a form, the only kind that may carry `_method`:
 * urlencoded (already parsed) or multipart (whose fields are read later).
 * JSON sent as urlencoded (`curl -d '{…}'`) is no form: it is JSON.
 */
export function hasFormBody(req: FastifyRequest): boolean {
  if (isForm(req.body)) return !req.body.jsonLike;
  return mediaTypeOf(req) === 'multipart/form-data';
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

/**
 * The preconditions of an overridden request: as sent, with If-Match from
 * `_etag` unless the request has an If-Match header (the header wins).
 */
export function overridePreconditions(req: FastifyRequest, override: MethodOverride): Preconditions {
  const pre = preconditionsOf(req);
  return pre.ifMatch === undefined && override.etag !== undefined ? { ...pre, ifMatch: override.etag } : pre;
}
