/**
 * Reading a write's body, before the service is called: a body of an
 * acceptable media type (415 otherwise, with Accept-Post or Accept-Patch),
 * a JSON object for a record (400 otherwise), or a patch document.
 */
import type { FastifyRequest } from 'fastify';
import { isPlainObject } from '../util/is-plain-object.js';
import { MEDIA, PATCH_TYPES } from '../util/media-types.js';
import { Problem } from '../util/problem.js';
import { isUnread } from './plugins/body.js';

const PATCH_MEDIA_TYPES: ReadonlySet<string> = new Set(PATCH_TYPES.split(',').map((s) => s.trim()));

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
export function objectBody(req: FastifyRequest, accepted: string = MEDIA.json): Record<string, unknown> {
  const body = req.body;
  if (body === undefined && req.headers['content-type'] === undefined) {
    throw new Problem('malformedJson', 'The request has no body; send the record as a JSON object.');
  }
  if (isUnread(body) || mediaTypeOf(req) !== MEDIA.json) throw unsupported(req, accepted, 'Accept-Post');
  if (!isPlainObject(body)) {
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
  return { kind: type === MEDIA.jsonPatch ? 'json-patch' : 'merge', document: req.body };
}
