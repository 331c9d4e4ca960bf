/**
 * The one blob-storage interface: uploads are staged first (streamed, size
 * checked, hashed) and made permanent under a key only once the record that
 * names them is written. Adapters: local/ (a folder) and postgres/ (tables
 * shared by every node).
 */
import type { Readable } from 'node:stream';

/** A blob streamed into temporary storage, waiting to be committed or discarded. */
export interface StagedFile {
  /** Opaque handle for commit/discard. */
  token: string;
  size: number;
  /** SHA-1 of the bytes, base64url. */
  sha1: string;
  /** The first ≤ 4100 bytes, for type sniffing. */
  head: Buffer;
}

/** What is kept beside a committed blob. */
export interface FileMeta {
  /** The media type detected at upload. */
  type: string;
  /** The name the client sent, sanitised, for Content-Disposition. */
  originalName: string;
}

/** A committed blob's validators and metadata. */
export interface StoredFileInfo extends FileMeta {
  size: number;
  /** A strong entity tag, quotes included. */
  etag: string;
  mtime: Date;
}

/** An inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface FileStorage {
  /**
   * Stream a body into a temporary blob, stopping with FileTooLarge as soon as
   * more than maxSize bytes arrived (the partial blob is removed; the source is
   * destroyed). Never buffers the whole file. A failing source rejects the same way.
   */
  stage(source: Readable, maxSize: number): Promise<StagedFile>;
  /** Make a staged blob permanent under key (e.g. `books/abc123/cover_k3j9x0q2ab.png`); atomic. */
  commit(token: string, key: string, meta: FileMeta): Promise<void>;
  /** Drop a staged blob (failed or aborted request); no error if already gone. */
  discard(token: string): Promise<void>;
  /** Remove a committed blob; no error if missing. */
  remove(key: string): Promise<void>;
  /** A committed blob's info, or undefined when there is none. */
  stat(key: string): Promise<StoredFileInfo | undefined>;
  /** Read bytes [start, end] inclusive (whole file without a range); FileNotFound when missing. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /**
   * Remove staged blobs left behind (by a crash, or a request cut off): every
   * one idle for at least `idleMs` that this process is not writing or
   * holding for a commit, and whose token is not in `keep`. An adapter shared
   * by several nodes also spares what another live node is writing or holding.
   * Returns how many.
   */
  sweep(options: SweepOptions): Promise<number>;
  /** Whether a new upload can be stored now (false when the disk is full). */
  health(): Promise<{ writable: boolean; detail?: string }>;
  /** Let go of what the storage holds open (connections, claims on staged blobs), when it has any. */
  close?(): Promise<void>;
}

export interface SweepOptions {
  /** Only blobs untouched for this long (0: all of them). */
  idleMs: number;
  /** Tokens to leave alone: uploads of committed records still waiting to move into place. */
  keep?: ReadonlySet<string>;
}

/** The upload went over its field's maxSize. */
export class FileTooLarge extends Error {
  constructor(readonly maxSize: number) {
    super(`The file is larger than ${maxSize} bytes.`);
    this.name = 'FileTooLarge';
  }
}

/** A key (or staging token) that is not a safe storage name: a programming error, never user input. */
export class InvalidFileKey extends Error {
  constructor(readonly key: string) {
    super(`Not a valid file key: ${JSON.stringify(key)}.`);
    this.name = 'InvalidFileKey';
  }
}

/** read() of a key that holds no blob. */
export class FileNotFound extends Error {
  constructor(readonly key: string) {
    super(`No stored file at ${JSON.stringify(key)}.`);
    this.name = 'FileNotFound';
  }
}

// A segment may not start with a dot: that rules out `.`, `..` and hidden
// names, which adapters keep for themselves (staging, metadata sidecars).
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}$/;

/** True for `a/b/c`-style keys of safe segments: no empty, dot-led, absolute or backslashed pieces. */
export function isValidKey(key: string): boolean {
  if (key.length === 0 || key.length > 1024) return false;
  return key.split('/').every((segment) => SEGMENT.test(segment));
}

/** Throws InvalidFileKey unless isValidKey(key). */
export function assertValidKey(key: string): void {
  if (!isValidKey(key)) throw new InvalidFileKey(key);
}
