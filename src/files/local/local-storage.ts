/**
 * Blob storage in a folder (`<data>/files`). Uploads stream into
 * `.staging/<token>`; commit renames them to `<collection>/<id>/<name>`,
 * which is atomic on one filesystem. Beside each blob a hidden sidecar
 * `.<name>.meta.json` keeps the detected type, the original name and the
 * SHA-1 taken while staging: the ETag is that hash, so it is strong, stable
 * across copies and backups, and costs no second read of the file. Keys
 * never start a segment with a dot, so sidecars and staging cannot collide
 * with them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rmdir,
  stat,
  statfs,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MEDIA } from '../../util/media-types.js';
import { isNoSpace, StorageFull } from '../../util/storage-full.js';
import { collectingAlong } from '../../util/young-gc.js';
import { Meter } from '../meter.js';
import {
  assertValidKey,
  type ByteRange,
  type FileMeta,
  FileNotFound,
  type FileStorage,
  InvalidFileKey,
  type StagedFile,
  type StoredFileInfo,
  type SweepOptions,
} from '../storage.js';

const STAGING = '.staging';
const TOKEN = /^[A-Za-z0-9_-]{22}$/;
/** Below this much free space no upload is taken (health reports it). */
const MIN_FREE_BYTES = 1024 * 1024;

interface Sidecar extends FileMeta {
  sha1: string;
  size: number;
}

/** A full disk as StorageFull; anything else as it is. */
function noSpace(error: unknown): unknown {
  return isNoSpace(error) ? new StorageFull('files', { cause: error }) : error;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/** Resolves once a destroyed write stream has closed its file descriptor. */
function closed(stream: Writable): Promise<void> {
  stream.destroy();
  if (stream.closed) return Promise.resolve();
  return new Promise((done) => stream.once('close', () => done()));
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('base64url');
}

function readSidecar(text: string): Sidecar | undefined {
  try {
    const value = JSON.parse(text) as Partial<Sidecar>;
    const { type, originalName, sha1, size } = value;
    if (typeof type !== 'string' || typeof originalName !== 'string') return undefined;
    if (typeof sha1 !== 'string' || typeof size !== 'number') return undefined;
    return { type, originalName, sha1, size };
  } catch {
    return undefined;
  }
}

/** FileStorage over a local folder. */
export class LocalFileStorage implements FileStorage {
  readonly root: string;
  private readonly staging: string;
  /** SHA-1 of blobs this process staged, so commit need not read them again. */
  private readonly hashes = new Map<string, string>();
  /** Staged blobs this process is writing or holds for a commit: never swept. */
  private readonly held = new Set<string>();

  constructor(root: string) {
    this.root = resolve(root);
    this.staging = join(this.root, STAGING);
  }

  async stage(source: Readable, maxSize: number): Promise<StagedFile> {
    // Until pipeline listens, an early 'error' from the source must not go unhandled;
    // pipeline still sees it, since it checks whether the stream has already failed.
    const ignore = () => {};
    source.on('error', ignore);
    try {
      await mkdir(this.staging, { recursive: true });
      const token = randomBytes(16).toString('base64url');
      const path = this.stagedPath(token);
      this.held.add(token);
      let handle: Awaited<ReturnType<typeof open>>;
      try {
        // Created before any byte flows, so a failure below always has a file to remove.
        handle = await open(path, 'wx');
      } catch (error) {
        this.held.delete(token);
        throw noSpace(error);
      }
      const meter = new Meter(maxSize);
      const sink = handle.createWriteStream();
      try {
        await pipeline(source, meter, sink);
      } catch (error) {
        await closed(sink);
        await unlinkIfPresent(path);
        this.held.delete(token);
        throw noSpace(error);
      }
      const sha1 = meter.hash.digest('base64url');
      this.hashes.set(token, sha1);
      return { token, size: meter.size, sha1, head: meter.head() };
    } finally {
      source.off('error', ignore);
    }
  }

  async commit(token: string, key: string, meta: FileMeta): Promise<void> {
    assertValidKey(key);
    const from = this.stagedPath(token);
    let size: number;
    try {
      size = (await stat(from)).size;
    } catch (error) {
      if (isMissing(error)) throw new FileNotFound(`${STAGING}/${token}`);
      throw error;
    }
    const sha1 = this.hashes.get(token) ?? (await hashFile(from));
    const sidecar: Sidecar = { type: meta.type, originalName: meta.originalName, sha1, size };
    const pending = `${from}.meta`;
    try {
      await writeFile(pending, JSON.stringify(sidecar));
    } catch (error) {
      await unlinkIfPresent(pending);
      throw noSpace(error);
    }
    // The sidecar goes first: the blob's rename is the one step that makes the file visible.
    await this.moveInto(pending, this.sidecarPath(key));
    try {
      await this.moveInto(from, this.blobPath(key));
    } catch (error) {
      await unlinkIfPresent(this.sidecarPath(key));
      throw error;
    }
    this.hashes.delete(token);
    this.held.delete(token);
  }

  async discard(token: string): Promise<void> {
    const path = this.stagedPath(token);
    this.hashes.delete(token);
    this.held.delete(token);
    await unlinkIfPresent(path);
    await unlinkIfPresent(`${path}.meta`);
  }

  async remove(key: string): Promise<void> {
    assertValidKey(key);
    await unlinkIfPresent(this.blobPath(key));
    await unlinkIfPresent(this.sidecarPath(key));
    await this.prune(dirname(this.blobPath(key)));
  }

  async stat(key: string): Promise<StoredFileInfo | undefined> {
    assertValidKey(key);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(this.blobPath(key));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    if (!info.isFile()) return undefined;
    let side: Sidecar | undefined;
    try {
      side = readSidecar(await readFile(this.sidecarPath(key), 'utf8'));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    // Without a trustworthy sidecar (lost, or from an older blob) size and mtime still make a strong tag.
    const etag =
      side && side.size === info.size
        ? `"${side.sha1}"`
        : `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
    return {
      size: info.size,
      etag,
      mtime: info.mtime,
      type: side?.type ?? MEDIA.octetStream,
      originalName: side?.originalName ?? basename(key),
    };
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.blobPath(key), 'r');
    } catch (error) {
      if (isMissing(error)) throw new FileNotFound(key);
      throw error;
    }
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new FileNotFound(key);
    }
    // An open descriptor keeps serving the bytes even if the blob is removed meanwhile.
    return collectingAlong(handle.createReadStream(range ? { start: range.start, end: range.end } : {}));
  }

  async sweep(options: SweepOptions): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.staging);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    // A write in progress refreshes its mtime; the age is a guard for other processes sharing the folder.
    const cutoff = Date.now() - options.idleMs;
    let removed = 0;
    for (const name of names) {
      const token = name.replace(/\.meta$/, '');
      if (this.held.has(token) || options.keep?.has(token)) continue;
      const path = join(this.staging, name);
      try {
        if (options.idleMs === 0 || (await stat(path)).mtimeMs < cutoff) {
          await unlink(path);
          this.hashes.delete(token);
          removed++;
        }
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    return removed;
  }

  async health(): Promise<{ writable: boolean; detail?: string }> {
    // The folder may not exist before the first upload: ask about the nearest one that does.
    let dir = this.root;
    for (;;) {
      try {
        const fs = await statfs(dir);
        const free = fs.bavail * fs.bsize;
        if (free < MIN_FREE_BYTES) {
          return { writable: false, detail: `the disk holding uploaded files has ${free} bytes free` };
        }
        return { writable: true };
      } catch (error) {
        const parent = dirname(dir);
        if (!isMissing(error) || parent === dir) return { writable: true };
        dir = parent;
      }
    }
  }

  private stagedPath(token: string): string {
    if (!TOKEN.test(token)) throw new InvalidFileKey(token);
    return join(this.staging, token);
  }

  private blobPath(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  private sidecarPath(key: string): string {
    const path = this.blobPath(key);
    return join(dirname(path), `.${basename(path)}.meta.json`);
  }

  /** mkdir -p + rename, retried when a concurrent remove() pruned the folder in between. */
  private async moveInto(from: string, to: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await mkdir(dirname(to), { recursive: true });
      try {
        await rename(from, to);
        return;
      } catch (error) {
        if (!isMissing(error) || attempt >= 3) throw error;
      }
    }
  }

  /** Remove folders left empty by remove(), up to (not including) the root. */
  private async prune(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(this.root + sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // Not empty (or already gone): nothing more to prune.
      }
      current = dirname(current);
    }
  }
}
