import { hash } from 'node:crypto';

/** A strong entity tag for a representation's bytes. */
export function etagOf(body: string | Buffer): string {
  // One-shot hashing: no Hash object per response.
  return `"${hash('sha1', body, 'base64url')}"`;
}

/** One parsed entity tag of an If-Match / If-None-Match list. */
export interface EntityTag {
  weak: boolean;
  /** The tag including its quotes, as it appears in an ETag header. */
  tag: string;
}

/**
 * Parse an If-Match / If-None-Match value: `*`, or a comma-separated list of
 * entity tags. Malformed members are skipped, so they never match.
 */
export function parseEntityTags(value: string): '*' | EntityTag[] {
  const trimmed = value.trim();
  if (trimmed === '*') return '*';
  const tags: EntityTag[] = [];
  const re = /\s*(W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/gy;
  let match: RegExpExecArray | null = re.exec(trimmed);
  while (match !== null && match[0] !== '') {
    tags.push({ weak: match[1] !== undefined, tag: match[2] });
    match = re.exec(trimmed);
  }
  return tags;
}

/** Strong comparison (RFC 9110 §8.8.3.2): both strong and identical. */
export function strongMatch(list: '*' | EntityTag[], etag: string): boolean {
  if (list === '*') return true;
  return list.some((t) => !t.weak && t.tag === etag);
}

/** Weak comparison: the opaque tags are identical, weak or not. */
export function weakMatch(list: '*' | EntityTag[], etag: string): boolean {
  if (list === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  return list.some((t) => t.tag === opaque);
}
