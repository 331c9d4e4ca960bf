/**
 * Post/Redirect/Get for plain browser forms: a successful write answers
 * 303 See Other to the form's `_redirect` (same-origin paths only) or to the
 * record, so a reload never resubmits. Other clients get the usual answer.
 * `{id}` in `_redirect` stands for the written record's id.
 */
import type { FastifyRequest } from 'fastify';
import type { StoredResponse } from '../service/idempotent-write.js';
import type { WriteOutcome } from '../service/record-writes.js';
import { prefersHtml } from '../util/accept.js';
import { safeRedirect, type WriteBody } from './form-body.js';
import { recordPath, renderWrite } from './respond.js';

/**
 * Where a form sends the browser after writing record `id`: its `_redirect`
 * with `{id}` replaced by that id (URL-encoded), when the value is a
 * same-origin path both as sent and once substituted; else undefined.
 */
export function redirectTarget(value: string | undefined, id: string | undefined): string | undefined {
  if (value === undefined || safeRedirect(value) === undefined) return undefined;
  return safeRedirect(id === undefined ? value : value.replaceAll('{id}', encodeURIComponent(id)));
}

/**
 * The write's answer: 303 for a browser form (to `_redirect`, else to the
 * record; a delete without `_redirect` answers 204, leaving the page as it
 * is), else the JSON representation. `id` names the record a delete removed.
 */
export function renderFormWrite(
  req: FastifyRequest,
  collection: string,
  outcome: WriteOutcome,
  input: WriteBody,
  id?: string,
): StoredResponse {
  if (!input.form || !prefersHtml(req.headers.accept)) return renderWrite(req, collection, outcome);
  const record = outcome.record;
  const location =
    redirectTarget(input.redirect, record?.id ?? id) ??
    (record ? recordPath(collection, record.id) : undefined);
  if (location === undefined) return renderWrite(req, collection, outcome);
  const headers: Record<string, string> = { location, 'cache-control': 'no-store' };
  if (outcome.etag) headers.etag = outcome.etag;
  return { status: 303, headers, body: '' };
}

/**
 * What an Idempotency-Key's fingerprint covers for this body: uploaded
 * files count by their content, not by the random names they are stored
 * under, so a double-clicked upload replays instead of conflicting.
 */
export function fingerprintBody(input: WriteBody): unknown {
  if (input.uploads.length === 0) return input.body;
  const body: Record<string, unknown> = { ...input.body };
  for (const upload of input.uploads) {
    const value = body[upload.field];
    body[upload.field] = Array.isArray(value)
      ? value.map((v) => (v === upload.storedName ? upload.sha1 : v))
      : value === upload.storedName
        ? upload.sha1
        : value;
  }
  return body;
}
