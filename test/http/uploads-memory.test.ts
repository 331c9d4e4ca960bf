/**
 * PRODUCT.md, Forms and files: uploads are streamed to storage, never
 * buffered whole in memory. A 100 MiB upload goes to a server in a child
 * process whose resident memory is sampled while the upload runs; the bound
 * is on memory growth. Throughput is printed for information only.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { type ChildServer, NEEDS_PROC, startChildServer } from './child-server.js';
import { streamedUpload } from './multipart.js';
import { PNG } from './upload-helpers.js';

const MiB = 1024 * 1024;
const SIZE = 100 * MiB;
const GROWTH_LIMIT = 30 * MiB;
const CHUNK = 64 * 1024;

/** SHA-1 of the generated file content, computed chunk by chunk like the body is. */
function expectedSha1(head: Buffer, size: number): string {
  const hash = createHash('sha1').update(head);
  const filler = Buffer.alloc(CHUNK, 0x61);
  for (let left = size - head.length; left > 0; left -= CHUNK) {
    hash.update(left >= CHUNK ? filler : filler.subarray(0, left));
  }
  return hash.digest('hex');
}

async function sha1OfFile(path: string): Promise<string> {
  const hash = createHash('sha1');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Streams a generated upload of `size` bytes; resolves with the status and JSON body. */
async function upload(url: string, size: number) {
  const body = streamedUpload([{ name: 'title', value: `${size} bytes` }], {
    name: 'file',
    filename: 'big.bin',
    type: 'application/octet-stream',
    head: PNG,
    size,
  });
  const target = new URL('/api/blobs', url);
  const req = request(target, { method: 'POST', headers: body.headers });
  const response = new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
      );
      res.once('error', reject);
    });
    req.once('error', reject);
  });
  await pipeline(body.stream, req);
  return response;
}

describe('a 100 MiB upload', { skip: NEEDS_PROC }, () => {
  let server: ChildServer;

  before(async () => {
    server = await startChildServer();
  });

  after(() => server.stop());

  test('streams to disk with bounded memory growth', { timeout: 60_000 }, async () => {
    // Warm up: load every module, JIT the upload path and let V8 grow its young generation
    // to what a fast stream of chunks needs (a one-off ~25 MiB, the same for 25 MiB or 200 MiB;
    // it is not the upload being held), so the baseline is the server's steady state.
    const warmBefore = server.rss();
    const warm = await upload(server.url, 32 * MiB);
    assert.equal(warm.status, 201, JSON.stringify(warm.body));
    console.log(
      `32 MiB warm-up upload: child RSS ${(warmBefore / MiB).toFixed(1)} → ${(server.rss() / MiB).toFixed(1)} MiB`,
    );

    const baseline = server.rss();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, server.rss());
    }, 50);
    const started = process.hrtime.bigint();
    let result: Awaited<ReturnType<typeof upload>>;
    try {
      result = await upload(server.url, SIZE);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, server.rss());
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const growth = peak - baseline;
    console.log(
      `100 MiB upload: child RSS ${(baseline / MiB).toFixed(1)} → peak ${(peak / MiB).toFixed(1)} MiB ` +
        `(growth ${(growth / MiB).toFixed(1)} MiB, limit ${GROWTH_LIMIT / MiB} MiB); ` +
        `${(SIZE / MiB / seconds).toFixed(1)} MiB/s in ${seconds.toFixed(2)} s`,
    );

    assert.equal(result.status, 201, JSON.stringify(result.body));
    const name = String(result.body.file);
    assert.match(name, /^big_[a-z0-9]{10}\.png$/, 'typed by its content (a PNG head)');
    const path = join(server.dir, 'files', 'blobs', String(result.body.id), name);
    assert.equal(statSync(path).size, SIZE, 'stored whole');
    assert.equal(await sha1OfFile(path), expectedSha1(PNG, SIZE), 'stored byte for byte');
    const staging = join(server.dir, 'files', '.staging');
    assert.deepEqual(existsSync(staging) ? readdirSync(staging) : [], [], 'nothing left staged');
    assert.ok(growth < GROWTH_LIMIT, `RSS grew ${(growth / MiB).toFixed(1)} MiB while uploading`);
  });
});
