/**
 * The FileStorage contract: what every blob-storage adapter does the same
 * way, run against each of them (files-local.test.ts, files-postgres.test.ts).
 * What only one adapter can show (sidecars, folders, leases) stays in its
 * own tests.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { HEAD_SIZE } from '../../src/files/meter.js';
import {
  FileNotFound,
  type FileStorage,
  FileTooLarge,
  InvalidFileKey,
  isValidKey,
} from '../../src/files/storage.js';

/** One test's storage and the adapter-specific ways to look at it. */
export interface FileStorageHarness {
  storage: FileStorage;
  /** Another instance over the same blobs, as another process (or node) would open. */
  another(): Promise<FileStorage>;
  /** That instance's process is gone: what it held is left behind. */
  abandon(other: FileStorage): Promise<void>;
  /** The tokens staged now, by anyone. */
  staged(): Promise<string[]>;
  /** Make a staged blob look untouched for `ms`. */
  age(token: string, ms: number): Promise<void>;
  /** Release everything the test used. */
  done(): Promise<void>;
}

const META = { type: 'image/png', originalName: 'cover.png' };
const MiB = 1024 * 1024;

/** A source that delivers `bytes` in chunks of `chunk`. */
export function source(bytes: Buffer, chunk = 1000): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  return Readable.from(parts, { objectMode: false });
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function text(stream: Readable): Promise<string> {
  return (await bytesOf(stream)).toString('latin1');
}

/** `length` random bytes. */
function pattern(length: number): Buffer {
  return randomBytes(length);
}

/** `total` bytes in 64 KiB pieces, made as they are read (a random block, numbered), never all at once. */
function generated(total: number): { stream: Readable; sha1: () => string } {
  const hash = createHash('sha1');
  const block = randomBytes(64 * 1024);
  let at = 0;
  const stream = new Readable({
    read() {
      if (at >= total) {
        this.push(null);
        return;
      }
      const piece = Buffer.from(block.subarray(0, Math.min(block.length, total - at)));
      piece.writeUInt32BE(at / block.length, 0);
      at += piece.length;
      hash.update(piece);
      this.push(piece);
    },
  });
  return { stream, sha1: () => hash.digest('base64url') };
}

/** Peak growth of heap + buffer memory while `work` runs. */
async function peakGrowth(work: () => Promise<void>): Promise<number> {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = used();
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, used());
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return Math.max(peak, used()) - base;
}

export function fileStorageContract(name: string, setup: () => Promise<FileStorageHarness>): void {
  describe(`FileStorage contract: ${name}`, () => {
    let h: FileStorageHarness;
    let storage: FileStorage;
    beforeEach(async () => {
      h = await setup();
      storage = h.storage;
    });
    afterEach(() => h.done());

    describe('stage', () => {
      it('accepts exactly maxSize bytes, with size, sha1 and head', async () => {
        const bytes = Buffer.alloc(10_000, 'a');
        const file = await storage.stage(source(bytes), 10_000);
        assert.equal(file.size, 10_000);
        assert.equal(file.sha1, createHash('sha1').update(bytes).digest('base64url'));
        assert.equal(file.head.length, HEAD_SIZE);
        assert.deepEqual(file.head, bytes.subarray(0, HEAD_SIZE));
        assert.deepEqual(await h.staged(), [file.token]);
      });

      it('keeps the whole of a small file as its head, and stages an empty one', async () => {
        const file = await storage.stage(source(Buffer.from('hello')), 100);
        assert.equal(file.head.toString(), 'hello');
        const empty = await storage.stage(Readable.from([]), 100);
        assert.equal(empty.size, 0);
        await storage.commit(empty.token, 'a/b/empty', META);
        assert.equal((await storage.stat('a/b/empty'))?.size, 0);
        assert.equal((await bytesOf(await storage.read('a/b/empty'))).length, 0);
      });

      it('stops at maxSize + 1 with FileTooLarge and leaves no staged file', async () => {
        await assert.rejects(storage.stage(source(Buffer.alloc(10_001)), 10_000), (error) => {
          assert.ok(error instanceof FileTooLarge);
          assert.equal(error.maxSize, 10_000);
          return true;
        });
        assert.deepEqual(await h.staged(), []);
      });

      it('stops reading an endless source once past maxSize, mid-stream, leaving nothing', async () => {
        let served = 0;
        const endless = new Readable({
          read() {
            served += 64 * 1024;
            this.push(Buffer.alloc(64 * 1024, 1));
          },
        });
        await assert.rejects(storage.stage(endless, 3 * MiB), FileTooLarge);
        assert.ok(served < 4 * MiB, `read ${served} bytes`);
        assert.ok(endless.destroyed);
        assert.deepEqual(await h.staged(), []);
      });

      it('rejects and leaves no file when the source is aborted midway', async () => {
        const body = new PassThrough();
        const pending = storage.stage(body, 10 * MiB);
        body.write(Buffer.alloc(MiB, 2));
        setTimeout(() => body.destroy(new Error('aborted')), 20);
        await assert.rejects(pending, /aborted/);
        assert.deepEqual(await h.staged(), []);
      });

      it('rejects when the source closes without ending', async () => {
        const body = new PassThrough();
        const pending = storage.stage(body, 1_000_000);
        body.write('partial');
        setImmediate(() => body.destroy());
        await assert.rejects(pending, { code: 'ERR_STREAM_PREMATURE_CLOSE' });
        assert.deepEqual(await h.staged(), []);
      });

      it('survives a source that failed before staging began', async () => {
        const body = new PassThrough();
        body.destroy(new Error('early'));
        await assert.rejects(storage.stage(body, 100), /early|premature/i);
        assert.deepEqual(await h.staged(), []);
      });

      it('discard removes a staged file and is quiet when it is gone', async () => {
        const file = await storage.stage(source(Buffer.from('x')), 10);
        await storage.discard(file.token);
        await storage.discard(file.token);
        assert.deepEqual(await h.staged(), []);
        await assert.rejects(storage.commit(file.token, 'a/b/c', META), FileNotFound);
        await assert.rejects(storage.discard('../../etc/passwd'), InvalidFileKey);
      });
    });

    describe('commit, stat, read, remove', () => {
      it('makes the staged blob readable under its key with its metadata', async () => {
        const file = await storage.stage(source(Buffer.from('0123456789')), 100);
        await storage.commit(file.token, 'books/abc123/cover_k3j9x0q2ab.png', META);
        assert.deepEqual(await h.staged(), []);
        assert.equal(await text(await storage.read('books/abc123/cover_k3j9x0q2ab.png')), '0123456789');
        const info = await storage.stat('books/abc123/cover_k3j9x0q2ab.png');
        assert.ok(info);
        assert.equal(info.size, 10);
        assert.equal(info.etag, `"${file.sha1}"`);
        assert.equal(info.type, 'image/png');
        assert.equal(info.originalName, 'cover.png');
        assert.ok(info.mtime instanceof Date);
        assert.ok(Math.abs(info.mtime.getTime() - Date.now()) < 60_000);
      });

      it('reads the whole blob or an inclusive range', async () => {
        const file = await storage.stage(source(Buffer.from('0123456789')), 100);
        await storage.commit(file.token, 'a/b/c.txt', META);
        assert.equal(await text(await storage.read('a/b/c.txt')), '0123456789');
        assert.equal(await text(await storage.read('a/b/c.txt', { start: 2, end: 4 })), '234');
        assert.equal(await text(await storage.read('a/b/c.txt', { start: 9, end: 9 })), '9');
        await assert.rejects(storage.read('a/b/missing.txt'), FileNotFound);
        await assert.rejects(storage.read('a/b'), FileNotFound);
      });

      it('reads ranges of a multi-MiB blob exactly, across chunk boundaries', async () => {
        const size = 3 * MiB + 12_345;
        const bytes = pattern(size);
        const file = await storage.stage(source(bytes, 100_000), size);
        await storage.commit(file.token, 'big/r1/data.bin', META);
        const ranges = [
          [0, 0],
          [0, size - 1],
          [262_140, 262_150],
          [MiB - 1, 2 * MiB],
          [size - 10, size - 1],
          [123_456, 123_456 + 300_000],
        ];
        for (const [start, end] of ranges) {
          const got = await bytesOf(await storage.read('big/r1/data.bin', { start, end }));
          assert.equal(got.length, end - start + 1, `${start}-${end}`);
          assert.ok(got.equals(bytes.subarray(start, end + 1)), `${start}-${end}`);
        }
      });

      it('gives the same strong ETag from another instance, also when that one commits', async () => {
        const bytes = Buffer.from('made elsewhere');
        const file = await storage.stage(source(bytes), 100);
        const other = await h.another();
        await other.commit(file.token, 'x/y/z.bin', META);
        const here = await storage.stat('x/y/z.bin');
        assert.equal(here?.etag, `"${createHash('sha1').update(bytes).digest('base64url')}"`);
        assert.deepEqual(await other.stat('x/y/z.bin'), here);
        assert.equal(await text(await other.read('x/y/z.bin')), 'made elsewhere');
        await h.abandon(other);
      });

      it('refuses an unknown or malformed token', async () => {
        await assert.rejects(storage.commit('A'.repeat(22), 'a/b/c', META), FileNotFound);
        await assert.rejects(storage.commit('../x', 'a/b/c', META), InvalidFileKey);
      });

      it('commit over an existing key replaces its blob', async () => {
        const first = await storage.stage(source(Buffer.from('first')), 100);
        await storage.commit(first.token, 'a/b/c', META);
        const second = await storage.stage(source(Buffer.from('second!')), 100);
        await storage.commit(second.token, 'a/b/c', { type: 'text/plain', originalName: 'c.txt' });
        const info = await storage.stat('a/b/c');
        assert.equal(info?.size, 7);
        assert.equal(info?.etag, `"${second.sha1}"`);
        assert.equal(info?.type, 'text/plain');
        assert.equal(await text(await storage.read('a/b/c')), 'second!');
      });

      it('remove deletes the blob and is quiet when missing', async () => {
        const file = await storage.stage(source(Buffer.from('abc')), 100);
        await storage.commit(file.token, 'books/r1/a.png', META);
        await storage.remove('books/r1/a.png');
        assert.equal(await storage.stat('books/r1/a.png'), undefined);
        await assert.rejects(storage.read('books/r1/a.png'), FileNotFound);
        await storage.remove('books/r1/a.png');
      });

      it('a read already under way finishes after the blob is removed', async () => {
        const bytes = pattern(2 * MiB);
        const file = await storage.stage(source(bytes, 64 * 1024), 2 * MiB);
        await storage.commit(file.token, 'a/b/big', META);
        const stream = await storage.read('a/b/big');
        const chunks: Buffer[] = [];
        let removed = false;
        for await (const chunk of stream) {
          chunks.push(chunk as Buffer);
          if (!removed) {
            removed = true;
            await storage.remove('a/b/big');
            await storage.sweep({ idleMs: 0 });
          }
        }
        assert.ok(Buffer.concat(chunks).equals(bytes));
        assert.equal(await storage.stat('a/b/big'), undefined);
      });

      it('stat of a missing key or a prefix is undefined', async () => {
        const file = await storage.stage(source(Buffer.from('abc')), 100);
        await storage.commit(file.token, 'books/r1/a.png', META);
        assert.equal(await storage.stat('books/r1/b.png'), undefined);
        assert.equal(await storage.stat('books/r1'), undefined);
      });
    });

    describe('large files', () => {
      it('streams 20 MiB in and out with bounded memory', async () => {
        const size = 20 * MiB;
        const input = generated(size);
        let file: Awaited<ReturnType<FileStorage['stage']>> | undefined;
        const staging = await peakGrowth(async () => {
          file = await storage.stage(input.stream, size);
        });
        assert.ok(file);
        assert.equal(file.size, size);
        assert.equal(file.sha1, input.sha1());
        await storage.commit(file.token, 'big/r1/twenty.bin', META);
        const hash = createHash('sha1');
        let read = 0;
        const reading = await peakGrowth(async () => {
          for await (const chunk of await storage.read('big/r1/twenty.bin')) {
            hash.update(chunk as Buffer);
            read += (chunk as Buffer).length;
          }
        });
        assert.equal(read, size);
        assert.equal(hash.digest('base64url'), file.sha1);
        // Loose on purpose (garbage collection is not ours to time): a whole copy would be 20 MiB and more.
        assert.ok(staging < 16 * MiB, `staging grew memory by ${(staging / MiB).toFixed(1)} MiB`);
        assert.ok(reading < 16 * MiB, `reading grew memory by ${(reading / MiB).toFixed(1)} MiB`);
      });
    });

    describe('keys', () => {
      const bad = [
        '',
        '/etc/passwd',
        '../x',
        'a/../b',
        'a/./b',
        'a//b',
        'a/b/',
        '.staging/x',
        'a/.hidden',
        'a\\b',
        'a/b c',
        'a/b\0c',
        'a/é',
        'C:/x',
      ];
      it('refuses unsafe keys everywhere', async () => {
        const file = await storage.stage(source(Buffer.from('x')), 10);
        for (const key of bad) {
          assert.equal(isValidKey(key), false, key);
          await assert.rejects(storage.stat(key), InvalidFileKey, key);
          await assert.rejects(storage.read(key), InvalidFileKey, key);
          await assert.rejects(storage.remove(key), InvalidFileKey, key);
          await assert.rejects(storage.commit(file.token, key, META), InvalidFileKey, key);
        }
        // Refused before anything happened: the upload is still there to commit.
        await storage.commit(file.token, 'a/b/ok', META);
      });
    });

    describe('sweep', () => {
      /** Blobs a process left in staging: staged by another instance, which then went away. */
      async function leftovers(...bodies: string[]): Promise<string[]> {
        const previous = await h.another();
        const tokens = [];
        for (const body of bodies) tokens.push((await previous.stage(source(Buffer.from(body)), 10)).token);
        await h.abandon(previous);
        return tokens;
      }

      it('with idleMs 0 (at start) removes every leftover, however fresh', async () => {
        await leftovers('a', 'b');
        assert.equal(await storage.sweep({ idleMs: 0 }), 2);
        assert.deepEqual(await h.staged(), []);
      });

      it('on a timer removes only leftovers idle for idleMs', async () => {
        const [old, fresh] = await leftovers('old', 'new');
        await h.age(old, 2 * 3600_000);
        assert.equal(await storage.sweep({ idleMs: 3600_000 }), 1);
        assert.deepEqual(await h.staged(), [fresh]);
        await assert.rejects(storage.commit(old, 'a/b/c', META), FileNotFound);
        await storage.commit(fresh, 'a/b/fresh', META);
        assert.equal(await text(await storage.read('a/b/fresh')), 'new');
      });

      it('never removes what this instance staged and still holds, nor tokens it is told to keep', async () => {
        const mine = await storage.stage(source(Buffer.from('mine')), 10);
        await h.age(mine.token, 2 * 3600_000);
        const [pending, stray] = await leftovers('pending', 'stray');
        assert.equal(await storage.sweep({ idleMs: 0, keep: new Set([pending]) }), 1);
        assert.deepEqual((await h.staged()).sort(), [mine.token, pending].sort());
        await storage.commit(mine.token, 'a/b/mine', META);
        assert.equal(await text(await storage.read('a/b/mine')), 'mine');
        await storage.commit(pending, 'a/b/pending', META);
        assert.ok(!(await h.staged()).includes(stray));
      });

      it('does nothing before anything was staged, and leaves committed files alone', async () => {
        assert.equal(await storage.sweep({ idleMs: 0 }), 0);
        const file = await storage.stage(source(Buffer.from('kept')), 10);
        await storage.commit(file.token, 'a/b/kept', META);
        assert.equal(await storage.sweep({ idleMs: 0 }), 0);
        assert.equal(await text(await storage.read('a/b/kept')), 'kept');
      });
    });

    describe('health', () => {
      it('is writable', async () => {
        assert.deepEqual(await storage.health(), { writable: true });
      });
    });
  });
}
