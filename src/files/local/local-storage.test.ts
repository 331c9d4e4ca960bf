import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FileNotFound, FileTooLarge, InvalidFileKey, isValidKey } from '../storage.js';
import { LocalFileStorage } from './local-storage.js';
import { HEAD_SIZE } from './meter.js';

const META = { type: 'image/png', originalName: 'cover.png' };

let root: string;
let storage: LocalFileStorage;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'methodical-files-'));
  storage = new LocalFileStorage(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function staged(): string[] {
  const dir = join(root, '.staging');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** A source that delivers `bytes` in chunks of `chunk`. */
function source(bytes: Buffer, chunk = 1000): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  return Readable.from(parts, { objectMode: false });
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('latin1');
}

describe('LocalFileStorage.stage', () => {
  it('accepts exactly maxSize bytes, with size, sha1 and head', async () => {
    const bytes = Buffer.alloc(10_000, 'a');
    const file = await storage.stage(source(bytes), 10_000);
    assert.equal(file.size, 10_000);
    assert.equal(file.sha1, createHash('sha1').update(bytes).digest('base64url'));
    assert.equal(file.head.length, HEAD_SIZE);
    assert.deepEqual(file.head, bytes.subarray(0, HEAD_SIZE));
    assert.deepEqual(staged(), [file.token]);
  });

  it('keeps the whole of a small file as its head', async () => {
    const file = await storage.stage(source(Buffer.from('hello')), 100);
    assert.equal(file.head.toString(), 'hello');
  });

  it('stops at maxSize + 1 with FileTooLarge and leaves no staged file', async () => {
    await assert.rejects(storage.stage(source(Buffer.alloc(10_001)), 10_000), (error) => {
      assert.ok(error instanceof FileTooLarge);
      assert.equal(error.maxSize, 10_000);
      return true;
    });
    assert.deepEqual(staged(), []);
  });

  it('stops reading an endless source once past maxSize', async () => {
    let served = 0;
    const endless = new Readable({
      read() {
        served += 1024;
        this.push(Buffer.alloc(1024));
      },
    });
    await assert.rejects(storage.stage(endless, 4096), FileTooLarge);
    assert.ok(served < 64 * 1024, `read ${served} bytes`);
    assert.ok(endless.destroyed);
    assert.deepEqual(staged(), []);
  });

  it('rejects and leaves no file when the source is aborted midway', async () => {
    const body = new PassThrough();
    const pending = storage.stage(body, 1_000_000);
    body.write(Buffer.alloc(5000));
    setImmediate(() => body.destroy(new Error('aborted')));
    await assert.rejects(pending, /aborted/);
    assert.deepEqual(staged(), []);
  });

  it('rejects when the source closes without ending', async () => {
    const body = new PassThrough();
    const pending = storage.stage(body, 1_000_000);
    body.write('partial');
    setImmediate(() => body.destroy());
    await assert.rejects(pending, { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    assert.deepEqual(staged(), []);
  });

  it('survives a source that failed before staging began', async () => {
    const body = new PassThrough();
    body.destroy(new Error('early'));
    await assert.rejects(storage.stage(body, 100), /early|premature/i);
    assert.deepEqual(staged(), []);
  });

  it('discard removes a staged file and is quiet when it is gone', async () => {
    const file = await storage.stage(source(Buffer.from('x')), 10);
    await storage.discard(file.token);
    await storage.discard(file.token);
    assert.deepEqual(staged(), []);
    await assert.rejects(storage.discard('../../etc/passwd'), InvalidFileKey);
  });
});

describe('LocalFileStorage.commit, stat, read, remove', () => {
  it('moves the staged blob under its key with its metadata', async () => {
    const file = await storage.stage(source(Buffer.from('0123456789')), 100);
    await storage.commit(file.token, 'books/abc123/cover_k3j9x0q2ab.png', META);
    assert.deepEqual(staged(), []);
    assert.equal(readFileSync(join(root, 'books/abc123/cover_k3j9x0q2ab.png'), 'utf8'), '0123456789');
    const info = await storage.stat('books/abc123/cover_k3j9x0q2ab.png');
    assert.ok(info);
    assert.equal(info.size, 10);
    assert.equal(info.etag, `"${file.sha1}"`);
    assert.equal(info.type, 'image/png');
    assert.equal(info.originalName, 'cover.png');
    assert.ok(info.mtime instanceof Date);
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

  it('hashes the blob itself when another instance staged it', async () => {
    const bytes = Buffer.from('made elsewhere');
    const file = await storage.stage(source(bytes), 100);
    await new LocalFileStorage(root).commit(file.token, 'x/y/z.bin', META);
    assert.equal((await storage.stat('x/y/z.bin'))?.etag, `"${file.sha1}"`);
  });

  it('falls back to a size+mtime tag and octet-stream without a sidecar', async () => {
    const file = await storage.stage(source(Buffer.from('abc')), 100);
    await storage.commit(file.token, 'x/y/z.bin', META);
    rmSync(join(root, 'x/y/.z.bin.meta.json'));
    const info = await storage.stat('x/y/z.bin');
    assert.ok(info);
    assert.match(info.etag, /^"[0-9a-z]+-[0-9a-z]+"$/);
    assert.equal(info.type, 'application/octet-stream');
    assert.equal(info.originalName, 'z.bin');
  });

  it('refuses an unknown token', async () => {
    await assert.rejects(storage.commit('A'.repeat(22), 'a/b/c', META), FileNotFound);
    await assert.rejects(storage.commit('../x', 'a/b/c', META), InvalidFileKey);
  });

  it('remove deletes blob and sidecar, prunes empty folders, and is quiet when missing', async () => {
    const file = await storage.stage(source(Buffer.from('abc')), 100);
    await storage.commit(file.token, 'books/r1/a.png', META);
    await storage.remove('books/r1/a.png');
    assert.equal(await storage.stat('books/r1/a.png'), undefined);
    assert.equal(existsSync(join(root, 'books')), false);
    await storage.remove('books/r1/a.png');
    assert.ok(existsSync(root));
  });

  it('stat of a missing key or a folder is undefined', async () => {
    const file = await storage.stage(source(Buffer.from('abc')), 100);
    await storage.commit(file.token, 'books/r1/a.png', META);
    assert.equal(await storage.stat('books/r1/b.png'), undefined);
    assert.equal(await storage.stat('books/r1'), undefined);
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
  for (const key of bad) {
    it(`refuses ${JSON.stringify(key)}`, async () => {
      assert.equal(isValidKey(key), false);
      await assert.rejects(storage.stat(key), InvalidFileKey);
      await assert.rejects(storage.read(key), InvalidFileKey);
      await assert.rejects(storage.remove(key), InvalidFileKey);
      const file = await storage.stage(source(Buffer.from('x')), 10);
      await assert.rejects(storage.commit(file.token, key, META), InvalidFileKey);
    });
  }

  it('accepts collection/id/name keys', () => {
    for (const key of ['books/abc123/cover_k3j9x0q2ab.png', 'a', 'A-b_c/x.y.z', 'b/-id/f..g']) {
      assert.equal(isValidKey(key), true, key);
    }
  });
});

describe('LocalFileStorage.sweep', () => {
  /** Blobs a process left in staging: staged by another instance over the same folder. */
  async function leftovers(...bodies: string[]): Promise<string[]> {
    const previous = new LocalFileStorage(root);
    const tokens = [];
    for (const body of bodies) tokens.push((await previous.stage(source(Buffer.from(body)), 10)).token);
    return tokens;
  }

  it('with idleMs 0 (at start) removes every leftover, however fresh', async () => {
    const tokens = await leftovers('a', 'b');
    writeFileSync(join(root, '.staging', `${tokens[0]}.meta`), '{}');
    assert.equal(await storage.sweep({ idleMs: 0 }), 3);
    assert.deepEqual(staged(), []);
  });

  it('on a timer removes only leftovers idle for idleMs', async () => {
    const [old, fresh] = await leftovers('old', 'new');
    const past = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(root, '.staging', old), past, past);
    writeFileSync(join(root, '.staging', 'stray.meta'), '{}');
    utimesSync(join(root, '.staging', 'stray.meta'), past, past);
    assert.equal(await storage.sweep({ idleMs: 3600_000 }), 2);
    assert.deepEqual(staged(), [fresh]);
    await assert.rejects(storage.commit(old, 'a/b/c', META), FileNotFound);
  });

  it('never removes what this process staged and still holds, nor tokens it is told to keep', async () => {
    const mine = await storage.stage(source(Buffer.from('mine')), 10);
    const [pending, stray] = await leftovers('pending', 'stray');
    assert.equal(await storage.sweep({ idleMs: 0, keep: new Set([pending]) }), 1);
    assert.deepEqual(staged().sort(), [mine.token, pending].sort());
    await storage.commit(mine.token, 'a/b/mine', META);
    assert.equal(readFileSync(join(root, 'a', 'b', 'mine'), 'utf8'), 'mine');
    assert.ok(!staged().includes(stray));
  });

  it('sweeps a blob once this process discarded it', async () => {
    const mine = await storage.stage(source(Buffer.from('mine')), 10);
    await storage.discard(mine.token);
    writeFileSync(join(root, '.staging', mine.token), 'recreated');
    assert.equal(await storage.sweep({ idleMs: 0 }), 1);
  });

  it('does nothing before anything was staged', async () => {
    assert.equal(await storage.sweep({ idleMs: 0 }), 0);
    assert.deepEqual(readdirSync(root), []);
  });
});

describe('LocalFileStorage.health', () => {
  it('is writable on a disk with room, even before its folder exists', async () => {
    const fresh = new LocalFileStorage(join(root, 'not', 'yet'));
    assert.deepEqual(await fresh.health(), { writable: true });
  });
});
