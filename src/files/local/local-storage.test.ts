/**
 * What only a folder shows: paths, sidecars, pruned folders, stray staging
 * files. What every adapter does is in test/contract/file-storage-contract.ts.
 */
import assert from 'node:assert/strict';
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
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FileNotFound } from '../storage.js';
import { LocalFileStorage } from './local-storage.js';

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

describe('LocalFileStorage on disk', () => {
  it('moves the staged blob to its key path, with a hidden sidecar beside it', async () => {
    const file = await storage.stage(source(Buffer.from('0123456789')), 100);
    await storage.commit(file.token, 'books/abc123/cover_k3j9x0q2ab.png', META);
    assert.deepEqual(staged(), []);
    assert.equal(readFileSync(join(root, 'books/abc123/cover_k3j9x0q2ab.png'), 'utf8'), '0123456789');
    const sidecar = JSON.parse(
      readFileSync(join(root, 'books/abc123/.cover_k3j9x0q2ab.png.meta.json'), 'utf8'),
    );
    assert.deepEqual(sidecar, { ...META, sha1: file.sha1, size: 10 });
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

  it('remove deletes blob and sidecar and prunes empty folders, never the root', async () => {
    const file = await storage.stage(source(Buffer.from('abc')), 100);
    await storage.commit(file.token, 'books/r1/a.png', META);
    await storage.remove('books/r1/a.png');
    assert.equal(existsSync(join(root, 'books')), false);
    await storage.remove('books/r1/a.png');
    assert.ok(existsSync(root));
  });

  it('stat and read of a folder find nothing', async () => {
    const file = await storage.stage(source(Buffer.from('abc')), 100);
    await storage.commit(file.token, 'books/r1/a.png', META);
    assert.equal(await storage.stat('books/r1'), undefined);
    await assert.rejects(storage.read('books'), FileNotFound);
  });
});

describe('LocalFileStorage.sweep on disk', () => {
  /** Blobs a process left in staging: staged by another instance over the same folder. */
  async function leftovers(...bodies: string[]): Promise<string[]> {
    const previous = new LocalFileStorage(root);
    const tokens = [];
    for (const body of bodies) tokens.push((await previous.stage(source(Buffer.from(body)), 10)).token);
    return tokens;
  }

  it('with idleMs 0 also removes stray sidecars of an interrupted commit', async () => {
    const tokens = await leftovers('a', 'b');
    writeFileSync(join(root, '.staging', `${tokens[0]}.meta`), '{}');
    assert.equal(await storage.sweep({ idleMs: 0 }), 3);
    assert.deepEqual(staged(), []);
  });

  it('on a timer takes stray sidecars by their own age', async () => {
    const [fresh] = await leftovers('new');
    const past = new Date(Date.now() - 2 * 3600_000);
    writeFileSync(join(root, '.staging', 'stray.meta'), '{}');
    utimesSync(join(root, '.staging', 'stray.meta'), past, past);
    assert.equal(await storage.sweep({ idleMs: 3600_000 }), 1);
    assert.deepEqual(staged(), [fresh]);
  });

  it('sweeps a blob once this process discarded it', async () => {
    const mine = await storage.stage(source(Buffer.from('mine')), 10);
    await storage.discard(mine.token);
    writeFileSync(join(root, '.staging', mine.token), 'recreated');
    assert.equal(await storage.sweep({ idleMs: 0 }), 1);
  });

  it('creates nothing when nothing was staged', async () => {
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
