/**
 * The Idempotency-Key a write carries (header, or a form's hidden field),
 * read into the claim the idempotent write path takes: scope, key and the
 * request's fingerprint.
 */
import type { FastifyRequest } from 'fastify';
import { fingerprint, type IdempotencyClaim } from '../service/idempotent-write.js';
import { parseIdempotencyKey } from '../util/idempotency-key.js';
import { isPlainObject } from '../util/is-plain-object.js';
import { Problem } from '../util/problem.js';

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
    throw new Problem('invalidIdempotencyKey', `The Idempotency-Key is not valid: ${parsed.reason}.`);
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
  if (!isPlainObject(body)) return body;
  if (!Object.hasOwn(body, 'password') && !Object.hasOwn(body, 'oldPassword')) return body;
  const { password: _omitted, oldPassword: _old, ...rest } = body;
  return rest;
}
