/** The meter uploads stream through on their way into staging. */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { collectYoungGarbage, crossesCollectionPoint } from '../util/young-gc.js';
import { FileTooLarge } from './storage.js';

/** Bytes kept from the start of an upload for type sniffing. */
export const HEAD_SIZE = 4100;

/** Counts, hashes and keeps the head of what passes through; fails once past maxSize. */
export class Meter extends Transform {
  size = 0;
  readonly hash = createHash('sha1');
  private readonly parts: Buffer[] = [];
  private kept = 0;

  constructor(private readonly maxSize: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // Every few MiB, let the chunks already written go, rather than waiting for V8 to notice them.
    if (crossesCollectionPoint(this.size, this.size + chunk.length)) collectYoungGarbage();
    this.size += chunk.length;
    if (this.size > this.maxSize) {
      callback(new FileTooLarge(this.maxSize));
      return;
    }
    this.hash.update(chunk);
    if (this.kept < HEAD_SIZE) {
      // A copy, so a large first chunk is not kept alive for a few bytes of it.
      const part = Buffer.from(chunk.subarray(0, HEAD_SIZE - this.kept));
      this.parts.push(part);
      this.kept += part.length;
    }
    callback(null, chunk);
  }

  head(): Buffer {
    return Buffer.concat(this.parts);
  }
}
