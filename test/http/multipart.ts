/**
 * multipart/form-data bodies for tests (RFC 7578): text parts and file
 * parts built as one Buffer, or a file part of any size generated as a
 * stream (for uploads too large to hold in memory).
 */
import { Readable } from 'node:stream';

/** A text field, or a file when `filename` is set. */
export type Part =
  | { name: string; value: string }
  | { name: string; filename: string; data: Buffer | string; type?: string };

const BOUNDARY = '----methodical-test-boundary-7MA4YWxkTrZu0gW';

/** The Content-Type of a body built here. */
export const MULTIPART_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** Part headers as bytes: a filename is sent as raw UTF-8, as browsers do. */
function partHead(part: Part): Buffer {
  const disposition =
    'filename' in part
      ? `form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type ?? 'application/octet-stream'}`
      : `form-data; name="${part.name}"`;
  return Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n\r\n`, 'utf8');
}

const CLOSE = Buffer.from(`--${BOUNDARY}--\r\n`);

/** A whole multipart body and the headers that go with it. */
export function multipart(parts: readonly Part[]): { payload: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(partHead(part));
    const data = 'filename' in part ? part.data : part.value;
    chunks.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, Buffer.from('\r\n'));
  }
  chunks.push(CLOSE);
  const payload = Buffer.concat(chunks);
  return { payload, headers: { 'content-type': MULTIPART_TYPE, 'content-length': String(payload.length) } };
}

/** Text fields as parts. */
export function fields(values: Record<string, string | string[]>): Part[] {
  return Object.entries(values).flatMap(([name, v]) =>
    (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })),
  );
}

/** A urlencoded body (repeated names for arrays) and its headers. */
export function urlencoded(values: Record<string, string | string[]>): {
  payload: string;
  headers: Record<string, string>;
} {
  const params = new URLSearchParams();
  for (const [name, v] of Object.entries(values)) {
    for (const value of Array.isArray(v) ? v : [v]) params.append(name, value);
  }
  return { payload: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

/**
 * A body with text parts and one file part of `size` bytes that starts with
 * `head` and is generated chunk by chunk: the file never exists as one Buffer.
 */
export function streamedUpload(
  before: readonly Part[],
  file: { name: string; filename: string; type?: string; head: Buffer; size: number },
  chunkSize = 64 * 1024,
): { stream: Readable; length: number; headers: Record<string, string> } {
  const prefix = multipart(before).payload.subarray(0, -CLOSE.length);
  const fileHead = partHead({ ...file, data: '' });
  const tail = Buffer.concat([Buffer.from('\r\n'), CLOSE]);
  const length = prefix.length + fileHead.length + file.size + tail.length;
  const filler = Buffer.alloc(chunkSize, 0x61);
  async function* generate() {
    yield prefix;
    yield fileHead;
    yield file.head;
    let left = file.size - file.head.length;
    while (left > 0) {
      const n = Math.min(left, chunkSize);
      yield n === chunkSize ? filler : filler.subarray(0, n);
      left -= n;
    }
    yield tail;
  }
  return {
    stream: Readable.from(generate(), { objectMode: false }),
    length,
    headers: { 'content-type': MULTIPART_TYPE, 'content-length': String(length) },
  };
}
