/**
 * Reading what a request asks for, before the service is called: the body
 * of an acceptable media type (415 otherwise), an acceptable response type
 * (406 otherwise), the Idempotency-Key claim and the write preconditions.
 */
import type { FastifyRequest } from 'fastify';
import type { Preconditions } from '../service/preconditions.js';
import { fingerprint, type IdempotencyClaim } from '../service/write-runner.js';
import { negotiate, prefersHtml } from '../util/accept.js';
import { parseIdempotencyKey } from '../util/idempotency-key.js';
import { Problem } from '../util/problem.js';
import { isUnread } from './plugins/body.js';
import { PATCH_TYPES } from './route-table.js';

/** What create and replace routes read. */
export const POST_TYPES = 'application/json, application/x-www-form-urlencoded, multipart/form-data';
/** What routes that take only JSON read. */
export const JSON_ONLY = 'application/json';

const PATCH_MEDIA_TYPES: ReadonlySet<string> = new Set(PATCH_TYPES.split(',').map((s) => s.trim()));

const JSON_ALONE = ['application/json'];
const JSON_OR_HTML = ['application/json', 'text/html'];

/** 406 unless the client accepts JSON (or HTML, where a write can answer with a redirect page). */
export function requireAcceptable(req: FastifyRequest, htmlOffered = false): void {
  if (req.headers.accept === undefined) return; // Anything goes: JSON.
  const offers = htmlOffered ? JSON_OR_HTML : JSON_ALONE;
  if (negotiate(req.headers.accept, offers) === null && !(htmlOffered && prefersHtml(req.headers.accept))) {
    throw new Problem(
      'notAcceptable',
      `This resource is available as ${offers.join(' or ')}; the Accept header rules that out.`,
    );
  }
}

/** The media type of the request body, without parameters. */
export function mediaTypeOf(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function unsupported(req: FastifyRequest, accepted: string, header: 'Accept-Post' | 'Accept-Patch'): Problem {
  const type = mediaTypeOf(req);
  const what = type === '' ? 'A body without a Content-Type' : `Content-Type ${type}`;
  return new Problem('unsupportedMediaType', `${what} is not accepted here; send one of: ${accepted}.`, {
    headers: { [header]: accepted },
  });
}

/** A JSON object body; 415 (with Accept-Post listing `accepted`) for other media types, 400 for anything but an object. */
export function objectBody(req: FastifyRequest, accepted = JSON_ONLY): Record<string, unknown> {
  const body = req.body;
  if (body === undefined && req.headers['content-type'] === undefined) {
    throw new Problem('malformedJson', 'The request has no body; send the record as a JSON object.');
  }
  if (isUnread(body) || mediaTypeOf(req) !== 'application/json')
    throw unsupported(req, accepted, 'Accept-Post');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Problem(
      'malformedJson',
      'The request body must be a JSON object (the record), not an array or a scalar.',
    );
  }
  return body as Record<string, unknown>;
}

/** The PATCH document and its kind; 415 with Accept-Patch for other media types. */
export function patchBody(req: FastifyRequest): { kind: 'merge' | 'json-patch'; document: unknown } {
  const type = mediaTypeOf(req);
  if (req.body === undefined && req.headers['content-type'] === undefined) {
    throw new Problem(
      'malformedJson',
      'The request has no body; send a merge patch or a JSON Patch document.',
    );
  }
  // A form body is parsed (create and replace take forms) but is no patch document.
  if (isUnread(req.body) || !PATCH_MEDIA_TYPES.has(type)) throw unsupported(req, PATCH_TYPES, 'Accept-Patch');
  return { kind: type === 'application/json-patch+json' ? 'json-patch' : 'merge', document: req.body };
}

/** Preconditions of a write, as sent. */
export function preconditionsOf(req: FastifyRequest): Preconditions {
  return {
    ifMatch: req.headers['if-match'],
    ifNoneMatch: req.headers['if-none-match'],
    ifUnmodifiedSince: req.headers['if-unmodified-since'],
  };
}

/** Who the caller is for idempotency scoping: the user, else the client address. */
export function callerScope(req: FastifyRequest): string {
  return req.ctx.auth ? `user:${req.ctx.auth.id}` : `ip:${req.ctx.ip}`;
}

/**
 * The Idempotency-Key claim of a POST or PATCH (null without a key); 400 for
 * a malformed key or, where the collection requires one, a missing key.
 * A form's hidden `_idempotency_key` field counts as the header. `method`
 * is the one a form stands for (`_method`), so its key shares that scope.
 */
export function idempotencyClaim(
  req: FastifyRequest,
  fingerprintBody: unknown,
  required: boolean,
  formKey?: string,
  method = req.method,
): IdempotencyClaim | null {
  const header = req.headers['idempotency-key'];
  const raw = header ?? formKey;
  if (raw === undefined) {
    if (required) {
      throw new Problem(
        'idempotencyKeyRequired',
        'This collection requires an Idempotency-Key header on POST.',
      );
    }
    return null;
  }
  const parsed = parseIdempotencyKey(Array.isArray(raw) ? raw.join(',') : raw);
  if (!parsed.ok)
    throw new Problem('badIdempotencyKey', `The Idempotency-Key is not valid: ${parsed.reason}.`);
  const path = req.url.split('?')[0];
  return {
    scope: `${callerScope(req)} ${method} ${path}`,
    key: parsed.key,
    fingerprint: fingerprint(method, path, withoutPassword(fingerprintBody)),
  };
}

/**
 * A body without its `password` and `oldPassword` members: fingerprints are
 * kept for a day beside the key, and a fast hash of a password is not to be stored.
 */
function withoutPassword(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  if (!Object.hasOwn(body, 'password') && !Object.hasOwn(body, 'oldPassword')) return body;
  const { password: _omitted, oldPassword: _old, ...rest } = body as Record<string, unknown>;
  return rest;
}
