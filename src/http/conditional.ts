/**
 * Preconditions on reads (RFC 9110 §13.2.2 order): If-Match, then
 * If-Unmodified-Since without If-Match, then If-None-Match, then
 * If-Modified-Since without If-None-Match. Writes evaluate theirs in the
 * service, inside the transaction: here they are only read off the request.
 */
import type { FastifyRequest } from 'fastify';
import type { Preconditions } from '../service/preconditions.js';
import { parseEntityTags, strongMatch, weakMatch } from '../util/etag.js';
import { parseHttpDate, toSeconds } from '../util/http-date.js';

export type ReadDecision = 'ok' | 'not-modified' | 'precondition-failed';

/** What a GET/HEAD should answer given its preconditions and the representation's validators. */
export function evaluateRead(
  headers: FastifyRequest['headers'],
  etag: string,
  lastModified: string | undefined,
): ReadDecision {
  const ifMatch = headers['if-match'];
  const ifNoneMatch = headers['if-none-match'];
  if (
    ifMatch === undefined &&
    ifNoneMatch === undefined &&
    headers['if-modified-since'] === undefined &&
    headers['if-unmodified-since'] === undefined
  ) {
    return 'ok'; // The common case, decided without parsing a date.
  }
  const lastSeconds = lastModified ? toSeconds(Date.parse(lastModified)) : undefined;
  if (ifMatch !== undefined) {
    if (!strongMatch(parseEntityTags(ifMatch), etag)) return 'precondition-failed';
  } else {
    const since = headers['if-unmodified-since'];
    const date = since ? parseHttpDate(since) : undefined;
    if (date !== undefined && lastSeconds !== undefined && lastSeconds > toSeconds(date)) {
      return 'precondition-failed';
    }
  }
  if (ifNoneMatch !== undefined) {
    return weakMatch(parseEntityTags(ifNoneMatch), etag) ? 'not-modified' : 'ok';
  }
  const modifiedSince = headers['if-modified-since'];
  const date = modifiedSince ? parseHttpDate(modifiedSince) : undefined;
  if (date !== undefined && lastSeconds !== undefined && lastSeconds <= toSeconds(date))
    return 'not-modified';
  return 'ok';
}

/** Preconditions of a write, as sent. */
export function preconditionsOf(req: FastifyRequest): Preconditions {
  return {
    ifMatch: req.headers['if-match'],
    ifNoneMatch: req.headers['if-none-match'],
    ifUnmodifiedSince: req.headers['if-unmodified-since'],
  };
}
