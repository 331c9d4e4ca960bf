/**
 * Names of uploaded files: the client's name cleaned for display, the safe
 * generated name a file is stored under, and the Content-Disposition that
 * gives the original name back (RFC 6266, with RFC 8187 for non-ASCII).
 */
import { randomId } from './id.js';

const MAX_DISPLAY = 100;
const MAX_BASE = 60;
const FALLBACK = 'file';

// C0/C1 controls (NUL included), lone surrogates, and the bidi overrides that
// can make `gpj.exe` display as `exe.jpg`.
const UNSAFE = /[\p{Cc}\p{Cs}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const EDGES = /^[.\s]+|[.\s]+$/gu;

/** Split off a short extension (`.pdf`, `.tar.gz` keeps only `.gz`); none for dotfiles. */
function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return [name, ''];
  const ext = name.slice(dot);
  return ext.length <= 11 && /^\.[\p{L}\p{N}]+$/u.test(ext) ? [name.slice(0, dot), ext] : [name, ''];
}

/** The client's file name made safe to show and to send back: no path, no controls, ≤ 100 characters. */
export function sanitizeFilename(original: string): string {
  const last = Math.max(original.lastIndexOf('/'), original.lastIndexOf('\\'));
  const name = original
    .slice(last + 1)
    .replace(UNSAFE, '')
    .normalize('NFC')
    .replace(EDGES, '');
  // Counted in code points, so a cut never splits a surrogate pair (the result stays valid UTF-8).
  const chars = Array.from(name);
  if (chars.length <= MAX_DISPLAY) return name === '' ? FALLBACK : name;
  const [base, ext] = splitExtension(name);
  const kept = Array.from(base)
    .slice(0, MAX_DISPLAY - Array.from(ext).length)
    .join('')
    .replace(EDGES, '');
  return kept === '' ? FALLBACK : kept + ext;
}

/**
 * The ASCII a name reads as: compatibility-decomposed (NFKD), combining marks
 * dropped, so `évil` is `evil` and `ﬁ` is `fi`; any other non-printable-ASCII
 * character becomes `_`. Both the stored name and the ASCII `filename` of
 * Content-Disposition are made by this one function, so they agree.
 */
export function asciiFilename(name: string): string {
  return Array.from(name.normalize('NFKD').replace(/\p{M}/gu, ''), (c) =>
    c >= ' ' && c <= '~' ? c : '_',
  ).join('');
}

/** The name a file is stored under: `<safe base>_<10 random [a-z0-9]>.<ext>`, e.g. `cover_k3j9x0q2ab.png`. */
export function storedFilename(original: string, ext: string): string {
  const [base] = splitExtension(sanitizeFilename(original));
  const safe = asciiFilename(base) // `résumé` → `resume` rather than `r_sum_`
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_BASE)
    .replace(/_+$/, '');
  const cleanExt = ext.toLowerCase().replace(/[^a-z0-9]/g, '');
  const name = `${safe === '' ? FALLBACK : safe}_${randomId(10)}`;
  return cleanExt === '' ? name : `${name}.${cleanExt}`;
}

/** RFC 8187 value characters (attr-char); everything else is percent-encoded. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A Content-Disposition value carrying the original name as an ASCII `filename` and a UTF-8 `filename*`. */
export function contentDisposition(kind: 'attachment' | 'inline', original: string): string {
  const name = sanitizeFilename(original);
  const fallback = asciiFilename(name).replace(/["\\]/g, '\\$&');
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(name)}`;
}
