/** Accept header parsing and selection (RFC 9110 §12.5.1). Takes strings, not requests. */
import { MEDIA } from './media-types.js';

export interface MediaRange {
  type: string;
  subtype: string;
  q: number;
  /** Position in the header, to break ties. */
  index: number;
}

/** Parse an Accept value into media ranges; malformed members are skipped. */
export function parseAccept(value: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  value.split(',').forEach((member, index) => {
    const [range, ...params] = member.split(';').map((s) => s.trim());
    const slash = range.indexOf('/');
    if (slash <= 0 || slash === range.length - 1) return;
    let q = 1;
    for (const param of params) {
      const [k, v] = param.split('=').map((s) => s.trim());
      if (k.toLowerCase() === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) && /^[0-9.]+$/.test(v) ? Math.min(Math.max(n, 0), 1) : 1;
      }
    }
    ranges.push({
      type: range.slice(0, slash).toLowerCase(),
      subtype: range.slice(slash + 1).toLowerCase(),
      q,
      index,
    });
  });
  return ranges;
}

/** The quality a media type gets from the most specific matching range (0 when none matches). */
export function quality(ranges: readonly MediaRange[], mediaType: string): number {
  const [type, subtype] = mediaType.toLowerCase().split('/');
  let best: MediaRange | undefined;
  let specificity = -1;
  for (const r of ranges) {
    const s =
      r.type === type && r.subtype === subtype
        ? 2
        : r.type === type && r.subtype === '*'
          ? 1
          : r.type === '*'
            ? 0
            : -1;
    if (s > specificity) {
      specificity = s;
      best = r;
    }
  }
  return best ? best.q : 0;
}

/**
 * The offered type the client prefers, or null when it accepts none of them.
 * A missing or empty Accept accepts anything (the first offer wins ties).
 */
export function negotiate(accept: string | undefined, offers: readonly string[]): string | null {
  if (accept === undefined || accept.trim() === '') return offers[0] ?? null;
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return offers[0] ?? null;
  let best: string | null = null;
  let bestQ = 0;
  for (const offer of offers) {
    const q = quality(ranges, offer);
    if (q > bestQ) {
      best = offer;
      bestQ = q;
    }
  }
  return best;
}

/** True when Accept ranks text/html above JSON (a browser navigating or submitting a form). */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = parseAccept(accept);
  return quality(ranges, MEDIA.html) > Math.max(quality(ranges, MEDIA.json), 0);
}
