/**
 * Streams over a blob's chunk rows: a sink that cuts what it is written
 * into fixed-size chunks and saves each before taking more (so an upload
 * holds at most one chunk in memory), and a source that fetches only the
 * chunks a byte range covers, one at a time, as the reader asks for them.
 */
import { Readable, Writable } from 'node:stream';

/** Saves chunk `seq` of a blob; resolves once it is stored. */
export type SaveChunk = (seq: number, data: Buffer) => Promise<void>;

/** Fetches `length` bytes at `offset` (0-based) of chunk `seq`; undefined when the chunk is gone. */
export type LoadChunk = (seq: number, offset: number, length: number) => Promise<Buffer | undefined>;

/** A Writable that saves what it receives in chunks of exactly `chunkSize` bytes (the last one shorter). */
export class ChunkSink extends Writable {
  private buffer: Buffer;
  private filled = 0;
  private seq = 0;

  constructor(
    private readonly chunkSize: number,
    private readonly save: SaveChunk,
  ) {
    super({ highWaterMark: chunkSize });
    this.buffer = Buffer.allocUnsafe(chunkSize);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.filled === 0) {
      callback();
      return;
    }
    this.flush().then(() => callback(), callback);
  }

  private async take(chunk: Buffer): Promise<void> {
    let at = 0;
    while (at < chunk.length) {
      const copied = chunk.copy(this.buffer, this.filled, at);
      this.filled += copied;
      at += copied;
      if (this.filled === this.chunkSize) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    const data = this.filled === this.chunkSize ? this.buffer : this.buffer.subarray(0, this.filled);
    await this.save(this.seq, data);
    this.seq += 1;
    // The driver has sent the bytes: the same memory takes the next chunk.
    this.filled = 0;
  }
}

/** A Readable of bytes [start, end] of a blob stored in chunks of `chunkSize`. */
export function chunkSource(
  chunkSize: number,
  start: number,
  end: number,
  load: LoadChunk,
  missing: () => Error,
): Readable {
  let position = start;
  return new Readable({
    // One chunk buffered ahead at most: the next is fetched once this one is taken.
    highWaterMark: 1,
    read() {
      if (position > end) {
        this.push(null);
        return;
      }
      const seq = Math.floor(position / chunkSize);
      const offset = position - seq * chunkSize;
      const length = Math.min(chunkSize - offset, end - position + 1);
      load(seq, offset, length).then(
        (data) => {
          if (!data || data.length !== length) {
            this.destroy(missing());
            return;
          }
          position += length;
          this.push(data);
        },
        (error: Error) => this.destroy(error),
      );
    },
  });
}
