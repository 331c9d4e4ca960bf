/**
 * Byte ranges (RFC 9110 §14): one `bytes=` range is served as a 206; several
 * ranges, other units and anything malformed are ignored, which means the
 * whole representation with a 200, as the RFC allows.
 */
import { parseEntityTags } from './etag.js';
import { parseHttpDate, toSeconds } from './http-date.js';

/** What a Range header asks of a representation of `size` bytes. */
export type RangeRequest =
  | { kind: 'none' }
  | { kind: 'ok'; start: number; end: number }
  | { kind: 'unsatisfiable' }
  | { kind: 'ignore' };

const SPEC = /^(?:(\d+)-(\d*)|-(\d+))$/;

/** Parse a Range header for a representation of `size` bytes; `end` is inclusive and within the size. */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'none' };
  const match = /^bytes=(.*)$/is.exec(header.trim());
  if (!match) return { kind: 'ignore' };
  // A list may carry empty elements (RFC 9110 §5.6.1); they do not count as ranges.
  const specs = match[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length !== 1) return { kind: 'ignore' };
  const spec = SPEC.exec(specs[0]);
  if (!spec) return { kind: 'ignore' };
  const [, first, last, suffix] = spec;
  if (suffix !== undefined) {
    const length = Number(suffix);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'ok', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return { kind: 'ignore' };
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'ok', start, end };
}

/**
 * Whether a Range still applies given If-Range (RFC 9110 §13.1.5): with no
 * If-Range it does; an entity tag must match strongly, a date must equal
 * Last-Modified exactly. Otherwise the client's copy is stale: send it all.
 */
export function rangeStillValid(ifRange: string | undefined, etag: string, lastModified?: string): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) {
    const tags = parseEntityTags(value);
    return tags !== '*' && tags.length === 1 && !tags[0].weak && tags[0].tag === etag;
  }
  const date = parseHttpDate(value);
  if (date === undefined || lastModified === undefined) return false;
  return toSeconds(date) === toSeconds(Date.parse(lastModified));
}
