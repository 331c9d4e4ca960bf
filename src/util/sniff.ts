/**
 * Media types by content, never by name: an upload's first bytes decide what
 * it is (magic numbers for binary formats, UTF-8 validity for text), so a
 * PNG named `photo.txt` is a PNG and a script named `cat.png` is not one.
 */

/** A detected media type and the file extension that goes with it. */
export interface SniffedType {
  type: string;
  ext: string;
}

const OCTET_STREAM: SniffedType = { type: 'application/octet-stream', ext: 'bin' };

function startsWith(head: Buffer, bytes: readonly number[], at = 0): boolean {
  if (head.length < at + bytes.length) return false;
  return bytes.every((b, i) => head[at + i] === b);
}

function ascii(head: Buffer, start: number, end: number): string {
  return head.length >= end ? head.toString('latin1', start, end) : '';
}

/** ISO base media files (MP4, AVIF, HEIC…): the `ftyp` box's major and compatible brands. */
function isoBrands(head: Buffer): string[] | undefined {
  if (ascii(head, 4, 8) !== 'ftyp' || head.length < 12) return undefined;
  const boxSize = Math.min(head.readUInt32BE(0), head.length);
  const brands = [ascii(head, 8, 12)];
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(head, at, at + 4));
  return brands;
}

function isoType(brands: readonly string[]): SniffedType {
  if (brands.some((b) => b === 'avif' || b === 'avis')) return { type: 'image/avif', ext: 'avif' };
  if (brands.some((b) => ['heic', 'heix', 'heim', 'heis'].includes(b)))
    return { type: 'image/heic', ext: 'heic' };
  if (brands[0] === 'qt  ') return { type: 'video/quicktime', ext: 'mov' };
  if (brands[0] === 'M4A ') return { type: 'audio/mp4', ext: 'm4a' };
  return { type: 'video/mp4', ext: 'mp4' };
}

/** An MPEG audio frame header: sync bits, a defined version and layer, a usable bitrate and rate. */
function isMpegFrame(head: Buffer): boolean {
  if (head.length < 4 || head[0] !== 0xff || (head[1] & 0xe0) !== 0xe0) return false;
  const version = (head[1] >> 3) & 0b11;
  const layer = (head[1] >> 1) & 0b11;
  const bitrate = head[2] >> 4;
  const rate = (head[2] >> 2) & 0b11;
  // Layer 0 is reserved (and is what AAC's ADTS uses), so AAC is not taken for MP3.
  return version !== 0b01 && layer !== 0b00 && bitrate !== 0b1111 && rate !== 0b11;
}

// Bytes no text file contains (the WHATWG MIME Sniffing "binary data bytes"):
// C0 controls other than tab, newlines, form feed and escape.
function hasBinaryByte(head: Buffer): boolean {
  for (const b of head) {
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return true;
  }
  return false;
}

/** The head as text when it is UTF-8; a sequence cut off at the end of the head is allowed. */
function utf8Text(head: Buffer): string | undefined {
  if (hasBinaryByte(head)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    return undefined;
  }
}

const SVG = /^(?:<\?xml[^>]*>|<!--[\s\S]*?-->|<!doctype[^>[]*(?:\[[\s\S]*?\])?\s*>|\s)*<svg[\s>/]/i;

function textType(text: string): SniffedType {
  const body = text.replace(/^\uFEFF/, '');
  if (SVG.test(body)) return { type: 'image/svg+xml', ext: 'svg' };
  const trimmed = body.trim();
  // Only a document that is an object or an array counts as JSON: a bare `42` is as much text.
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      JSON.parse(trimmed);
      return { type: 'application/json', ext: 'json' };
    } catch {
      // Not JSON (or cut off at the end of the head): plain text.
    }
  }
  return { type: 'text/plain', ext: 'txt' };
}

/** The media type of content from its first bytes (pass up to 4100 of them). */
export function sniffType(head: Buffer): SniffedType {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { type: 'image/png', ext: 'png' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { type: 'image/jpeg', ext: 'jpg' };
  const six = ascii(head, 0, 6);
  if (six === 'GIF87a' || six === 'GIF89a') return { type: 'image/gif', ext: 'gif' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP')
    return { type: 'image/webp', ext: 'webp' };
  const brands = isoBrands(head);
  if (brands) return isoType(brands);
  if (ascii(head, 0, 5) === '%PDF-') return { type: 'application/pdf', ext: 'pdf' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    return { type: 'application/zip', ext: 'zip' };
  }
  if (ascii(head, 0, 3) === 'ID3' || isMpegFrame(head)) return { type: 'audio/mpeg', ext: 'mp3' };
  const text = utf8Text(head);
  return text === undefined ? OCTET_STREAM : textType(text);
}

/** Whether a type may be shown `inline`: raster images only (SVG can carry scripts). */
export function isInlineImage(type: string): boolean {
  return type.startsWith('image/') && type !== 'image/svg+xml';
}

/** Whether a media type is in an accept list of exact types, `type/*` and `*\/*` (case-insensitive). */
export function acceptMatches(type: string, accept: readonly string[]): boolean {
  const wanted = type.split(';')[0].trim().toLowerCase();
  const major = wanted.split('/')[0];
  return accept.some((entry) => {
    const range = entry.split(';')[0].trim().toLowerCase();
    return range === '*/*' || range === wanted || range === `${major}/*`;
  });
}
