/** Shared parameters: list paging and filtering, preconditions, Prefer, Range and Idempotency-Key. */

import { DEFAULT_PER_PAGE, DEFAULT_MAX_PER_PAGE as MAX_PER_PAGE } from '../../query/list-params.js';
import { ID_PATTERN } from '../../schema/types.js';
import type { Json } from './names.js';

const query = (name: string, description: string, schema: Json): Json => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const inHeader = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({
  name,
  in: 'header',
  required: false,
  description,
  schema,
});

function idempotencyKey(ttlSeconds: number, required: boolean): Json {
  const hours = ttlSeconds % 3600 === 0 ? ` (${ttlSeconds / 3600} hours)` : '';
  return {
    ...inHeader(
      'Idempotency-Key',
      'A key (1 to 255 characters, quoted or bare) that makes a retry safe: a retry with the same ' +
        'key and body replays the first response with `Idempotent-Replayed: true`; the same key with ' +
        'another body is a 422, and while the first request runs a 409. ' +
        `Keys are kept for ${ttlSeconds} seconds${hours}.` +
        (required ? ' This collection requires one on POST.' : ''),
      { type: 'string', minLength: 1, maxLength: 257 },
    ),
    required,
    'x-idempotency-ttl-seconds': ttlSeconds,
  };
}

/** Parameters shared by many operations. */
export function sharedParameters(ttlSeconds: number): Json {
  const date: Json = { type: 'string', description: 'An IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.' };
  return {
    RecordId: {
      name: 'id',
      in: 'path',
      required: true,
      description: 'The record id.',
      schema: { type: 'string', pattern: ID_PATTERN.source },
    },
    Filter: query(
      'filter',
      'A filter expression, e.g. `year >= 1960 && title ~ "dune"`: at most 4096 characters, 64 levels of ' +
        'parentheses and limits.filterTerms comparisons (shorthand equalities included).',
      {
        type: 'string',
      },
    ),
    Page: query('page', 'The page, from 1. A page past the end is empty.', {
      type: 'integer',
      minimum: 1,
      default: 1,
    }),
    PerPage: query('perPage', `Records per page, 1 to ${MAX_PER_PAGE}.`, {
      type: 'integer',
      minimum: 1,
      maximum: MAX_PER_PAGE,
      default: DEFAULT_PER_PAGE,
    }),
    SkipTotal: query('skipTotal', 'Skip counting: totalItems and totalPages are null, no `last` link.', {
      type: 'boolean',
      default: false,
    }),
    IdempotencyKey: idempotencyKey(ttlSeconds, false),
    IdempotencyKeyRequired: idempotencyKey(ttlSeconds, true),
    Prefer: inHeader('Prefer', '`return=minimal` for no body; `return=representation` is the default.', {
      type: 'string',
      enum: ['return=minimal', 'return=representation'],
    }),
    IfMatch: inHeader('If-Match', 'Change only if the current ETag matches (strong comparison), or `*`.'),
    IfNoneMatch: inHeader(
      'If-None-Match',
      'ETags (or `*`): on reads, 304 when one matches (weak comparison).',
    ),
    IfModifiedSince: inHeader(
      'If-Modified-Since',
      '304 when not modified since (ignored with If-None-Match).',
      date,
    ),
    IfUnmodifiedSince: inHeader(
      'If-Unmodified-Since',
      '412 when modified since (ignored with If-Match).',
      date,
    ),
    Range: inHeader('Range', 'A byte range, e.g. `bytes=0-1023`.'),
  };
}
