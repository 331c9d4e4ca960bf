/**
 * Conditional writes (RFC 9110 §13.2.2), evaluated inside the write's
 * transaction against the stored record, so they cannot race.
 */
import { parseEntityTags, strongMatch, weakMatch } from '../util/etag.js';
import { parseHttpDate, toSeconds } from '../util/http-date.js';
import { Problem } from '../util/problem.js';

export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifUnmodifiedSince?: string;
}

export interface CurrentState {
  etag: string;
  /** ISO time of the last change. */
  updated: string;
}

function failed(detail: string): Problem {
  return new Problem('preconditionFailed', detail);
}

/** Throws 412 when a precondition fails for a write to `current` (undefined: no record). */
export function checkWritePreconditions(pre: Preconditions, current: CurrentState | undefined): void {
  if (pre.ifMatch !== undefined) {
    const tags = parseEntityTags(pre.ifMatch);
    if (!current) throw failed('If-Match cannot match: the record does not exist.');
    if (!strongMatch(tags, current.etag)) {
      throw failed(`If-Match does not match the current ETag ${current.etag}: the record has changed.`);
    }
  } else if (pre.ifUnmodifiedSince !== undefined && current) {
    const since = parseHttpDate(pre.ifUnmodifiedSince);
    if (since !== undefined && toSeconds(Date.parse(current.updated)) > toSeconds(since)) {
      throw failed('The record was modified after If-Unmodified-Since.');
    }
  }
  if (pre.ifNoneMatch !== undefined && current) {
    const tags = parseEntityTags(pre.ifNoneMatch);
    if (weakMatch(tags, current.etag)) {
      throw failed(
        tags === '*'
          ? 'If-None-Match: * failed: the record already exists.'
          : 'If-None-Match matches the current ETag.',
      );
    }
  }
}

/** Throws 428 when the collection requires If-Match on changes to an existing record. */
export function requireIfMatch(required: boolean, pre: Preconditions, exists: boolean, method: string): void {
  if (required && exists && pre.ifMatch === undefined) {
    throw new Problem(
      'preconditionRequired',
      `This collection requires If-Match on ${method}: GET the record, then resend the request with If-Match set to its ETag.`,
    );
  }
}
