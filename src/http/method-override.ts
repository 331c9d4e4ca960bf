/**
 * The HTML form method override (PRODUCT.md, Details: Forms). Forms can
 * only GET and POST, so a POST with a form body (urlencoded or multipart,
 * never JSON) and a `_method` field of PUT, PATCH or DELETE stands for that
 * method on the same URL, with If-Match taken from an `_etag` field. What
 * a request carries is decided here; the fields are read by the one parser
 * in util/method-override.ts, for the API's record routes and custom routes.
 */
import type { FastifyRequest } from 'fastify';
import type { Preconditions } from '../service/preconditions.js';
import type { MethodOverride } from '../util/method-override.js';
import { preconditionsOf } from './conditional.js';
import { isForm } from './plugins/body.js';
import { mediaTypeOf } from './request-body.js';

export {
  type FormFields,
  type MethodOverride,
  methodOverride,
  OVERRIDE_METHODS,
  type OverrideMethod,
} from '../util/method-override.js';

import { MEDIA } from '../util/media-types.js';

/**
 * Whether a POST's body is a form, the only kind that may carry `_method`:
 * urlencoded (already parsed) or multipart (whose fields are read later).
 * JSON sent as urlencoded (`curl -d '{…}'`) is no form: it is JSON.
 */
export function hasFormBody(req: FastifyRequest): boolean {
  if (isForm(req.body)) return !req.body.jsonLike;
  return mediaTypeOf(req) === MEDIA.multipart;
}

/**
 * The preconditions of an overridden request: as sent, with If-Match from
 * `_etag` unless the request has an If-Match header (the header wins).
 */
export function overridePreconditions(req: FastifyRequest, override: MethodOverride): Preconditions {
  const pre = preconditionsOf(req);
  return pre.ifMatch === undefined && override.etag !== undefined ? { ...pre, ifMatch: override.etag } : pre;
}
