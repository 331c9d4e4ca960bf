// Large-file helpers for the upload case: a multipart body streamed from a generator (the bench
// never holds the file in memory), a download that only counts and hashes, and an RSS sampler
// that reads another process's /proc/<pid>/status.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const MiB = 1024 * 1024;
const CHUNK = MiB;

/**
 * A file of `bytes` bytes made of one random 1 MiB block repeated (the last one cut short): cheap
 * to produce at any size, and its SHA-256 is known before it is sent.
 */
export function syntheticFile(bytes) {
  const block = randomBytes(CHUNK);
  const hash = createHash('sha256');
  for (let left = bytes; left > 0; left -= CHUNK)
    hash.update(left >= CHUNK ? block : block.subarray(0, left));
  return {
    bytes,
    sha256: hash.digest('hex'),
    *chunks() {
      for (let left = bytes; left > 0; left -= CHUNK) yield left >= CHUNK ? block : block.subarray(0, left);
    },
  };
}

/**
 * POSTs `fields` and one file part as multipart/form-data, streamed with node:http (a known
 * Content-Length, no chunked encoding). Resolves with the status, the response text and the
 * seconds from the first byte sent to the last byte of the answer.
 */
export async function uploadMultipart(url, { fields, fileField, filename, file, headers = {} }) {
  const boundary = `----methodical-bench-${randomBytes(12).toString('hex')}`;
  let head = '';
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${filename}"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n';
  const tail = `\r\n--${boundary}--\r\n`;
  const length = Buffer.byteLength(head) + file.bytes + Buffer.byteLength(tail);
  function* body() {
    yield Buffer.from(head);
    yield* file.chunks();
    yield Buffer.from(tail);
  }
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(length),
        accept: 'application/json',
      },
      timeout: 120_000,
    });
    req.on('timeout', () => req.destroy(new Error(`POST ${url}: no answer in 120 s`)));
    req.on('response', (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          text: Buffer.concat(parts).toString(),
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
          sent: length,
        }),
      );
    });
    // A server that answers early (e.g. 413) may close the socket mid-body: the answer above
    // still wins, so a write error after it is ignored.
    pipeline(Readable.from(body(), { objectMode: false }), req).catch((err) => {
      if (!req.res) reject(err);
    });
  });
}

/** GETs `url`, counting and hashing the bytes without keeping them. */
export function download(url, headers = {}) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, timeout: 120_000 }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (c) => {
        bytes += c.length;
        hash.update(c);
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          bytes,
          sha256: hash.digest('hex'),
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in 120 s`)));
    req.on('error', reject);
  });
}

/** The resident set size of process `pid` in bytes (VmRSS), or null where /proc is not there. */
export function readRss(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Samples `pid`'s RSS every `intervalMs` until `stop()`, which returns { baseline, peak, samples }
 * (bytes): baseline is the first sample, taken when the sampler starts.
 */
export function sampleRss(pid, intervalMs = 50) {
  const baseline = readRss(pid);
  if (baseline === null) return { available: false, stop: () => null };
  let peak = baseline;
  let samples = 1;
  const timer = setInterval(() => {
    const rss = readRss(pid);
    if (rss === null) return;
    samples++;
    if (rss > peak) peak = rss;
  }, intervalMs);
  return {
    available: true,
    stop() {
      clearInterval(timer);
      const last = readRss(pid);
      if (last !== null) {
        samples++;
        if (last > peak) peak = last;
      }
      return { baseline, peak, samples };
    },
  };
}
