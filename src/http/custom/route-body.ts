/**
 * The body of an unsafe custom route, parsed like an API body: a JSON
 * value, or a form's fields (urlencoded, or multipart without files) with
 * the reserved `_…` fields that steer the request taken out.
 */
import type { FastifyRequest } from 'fastify';
import { JSON_BODY_TYPES, MEDIA } from '../../util/media-types.js';
import { type MethodOverride, methodOverride } from '../../util/method-override.js';
import { Problem } from '../../util/problem.js';
import { type FormLimits, readPlainForm } from '../multipart-form.js';
import { isForm, isUnread } from '../plugins/body.js';

/** What a custom route reads: JSON (three JSON media types) and forms. */
export const ROUTE_BODY_TYPES = [...JSON_BODY_TYPES, MEDIA.form, MEDIA.multipart].join(', ');

/** Form fields that steer the request and are no part of ctx.body. */
const RESERVED = ['_idempotency_key', '_redirect', '_method', '_etag'];

export interface RouteInput {
  /** ctx.body: a JSON value, a form's fields (string, or string[] for a repeated name), or undefined. */
  body: unknown;
  /** The form's `_idempotency_key`. */
  idempotencyKey?: string;
  /** The form's `_method` (and `_etag`). */
  override?: MethodOverride;
  /** The form's `_etag`, read as If-Match. */
  etag?: string;
}

function firstValue(values: readonly string[] | undefined): string | undefined {
  const value = values?.[0];
  return value === undefined || value === '' ? undefined : value;
}

/** A form's fields as ctx.body: a null-prototype object, so a field named `__proto__` stays a field. */
function formBody(fields: Record<string, string[]>): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = Object.create(null);
  for (const [name, values] of Object.entries(fields)) {
    if (RESERVED.includes(name) || values.length === 0) continue;
    body[name] = values.length === 1 ? values[0] : [...values];
  }
  return body;
}

/** Whether the request carries a form (read without consuming it). */
export function isFormRequest(req: FastifyRequest): boolean {
  return isForm(req.body) || req.isMultipart();
}

/** Read the body of an unsafe custom route: 415 for a media type it does not take. */
export async function readRouteInput(req: FastifyRequest, limits: FormLimits): Promise<RouteInput> {
  if (isForm(req.body) && req.body.jsonLike) {
    // Say what happened rather than hand the handler a field named `{"title"…`.
    throw new Problem(
      'unsupportedMediaType',
      'This body is JSON but was sent as application/x-www-form-urlencoded; send it with Content-Type: application/json.',
      { headers: acceptHeader(req) },
    );
  }
  const fields = await readPlainForm(req, limits, { files: 'refuse' });
  if (fields !== undefined) {
    return {
      body: formBody(fields),
      idempotencyKey: firstValue(fields._idempotency_key),
      override: req.method === 'POST' ? (methodOverride(fields) ?? undefined) : undefined,
      etag: firstValue(fields._etag),
    };
  }
  if (isUnread(req.body)) {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
    throw new Problem(
      'unsupportedMediaType',
      `Content-Type ${type} is not accepted here; send one of: ${ROUTE_BODY_TYPES}.`,
      { headers: acceptHeader(req) },
    );
  }
  return { body: req.body };
}

/** Accept-Post on POST, Accept-Patch on PATCH: the types this route does take (RFC 9110 §15.5.16). */
function acceptHeader(req: FastifyRequest): Record<string, string> {
  if (req.method === 'POST') return { 'Accept-Post': ROUTE_BODY_TYPES };
  if (req.method === 'PATCH') return { 'Accept-Patch': ROUTE_BODY_TYPES };
  return {};
}
