/**
 * The Idempotency-Key header: a structured-field string (`"abc"`, RFC 8941
 * §3.3.3) or, leniently, a bare run of visible characters. 1 to 255 chars.
 */

export type ParsedKey = { ok: true; key: string } | { ok: false; reason: string };

const BARE = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/;

/** Parse the header value; `"abc"` and `abc` give the same key. */
export function parseIdempotencyKey(value: string): ParsedKey {
  const raw = value.trim();
  let key: string;
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"')) return { ok: false, reason: 'the quoted string is not closed' };
    key = '';
    for (let i = 1; i < raw.length - 1; i++) {
      const c = raw[i];
      const code = c.charCodeAt(0);
      if (code < 0x20 || code > 0x7e)
        return { ok: false, reason: 'it may only hold printable ASCII characters' };
      if (c === '"') return { ok: false, reason: 'a quote inside the key must be escaped as \\"' };
      if (c === '\\') {
        const next = raw[i + 1];
        if ((next !== '"' && next !== '\\') || i + 1 === raw.length - 1) {
          return { ok: false, reason: 'only \\" and \\\\ are valid escapes' };
        }
        key += next;
        i++;
      } else key += c;
    }
  } else {
    if (!BARE.test(raw))
      return {
        ok: false,
        reason: 'use a quoted string ("…") or visible ASCII characters without spaces, quotes or commas',
      };
    key = raw;
  }
  if (key.length < 1 || key.length > 255) return { ok: false, reason: 'it must be 1 to 255 characters long' };
  return { ok: true, key };
}
