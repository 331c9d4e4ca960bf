/** The chunk streams and table names, without a database (the storage itself: test/contract/files-postgres.test.ts). */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { ChunkSink, chunkSource } from './chunks.js';
import { tableNames } from './tables.js';

const bytes = Buffer.from('abcdefghijklmnopqrstuvwxyz');

async function cut(parts: Buffer[], size: number): Promise<[number, string][]> {
  const saved: [number, string][] = [];
  await pipeline(
    Readable.from(parts),
    new ChunkSink(size, async (seq, data) => {
      saved.push([seq, data.toString()]);
    }),
  );
  return saved;
}

async function all(stream: Readable): Promise<string> {
  let out = '';
  for await (const c of stream) out += (c as Buffer).toString();
  return out;
}

describe('ChunkSink', () => {
  it('saves exactly chunkSize bytes per chunk, the last one shorter, whatever the pieces', async () => {
    const expected = [
      [0, 'abcdefghij'],
      [1, 'klmnopqrst'],
      [2, 'uvwxyz'],
    ];
    assert.deepEqual(await cut([bytes], 10), expected);
    assert.deepEqual(
      await cut(
        [...bytes].map((b) => Buffer.from([b])),
        10,
      ),
      expected,
    );
    assert.deepEqual(
      await cut([bytes.subarray(0, 3), bytes.subarray(3, 25), bytes.subarray(25)], 10),
      expected,
    );
  });

  it('saves nothing for an empty body and no empty last chunk', async () => {
    assert.deepEqual(await cut([], 10), []);
    assert.deepEqual(await cut([bytes.subarray(0, 20)], 10), [
      [0, 'abcdefghij'],
      [1, 'klmnopqrst'],
    ]);
  });

  it('fails the pipeline when a save fails', async () => {
    const sink = new ChunkSink(4, async () => {
      throw new Error('database away');
    });
    await assert.rejects(pipeline(Readable.from([bytes]), sink), /database away/);
  });
});

describe('chunkSource', () => {
  const load = (asked: number[][]) => async (seq: number, offset: number, length: number) => {
    asked.push([seq, offset, length]);
    return bytes.subarray(seq * 10 + offset, seq * 10 + offset + length);
  };

  it('asks only for the chunks and bytes a range covers', async () => {
    const asked: number[][] = [];
    assert.equal(await all(chunkSource(10, 8, 21, load(asked), () => new Error('gone'))), 'ijklmnopqrstuv');
    assert.deepEqual(asked, [
      [0, 8, 2],
      [1, 0, 10],
      [2, 0, 2],
    ]);
  });

  it('is empty for an empty blob', async () => {
    const asked: number[][] = [];
    assert.equal(await all(chunkSource(10, 0, -1, load(asked), () => new Error('gone'))), '');
    assert.deepEqual(asked, []);
  });

  it('fetches ahead by one chunk at most', async () => {
    const asked: number[][] = [];
    const stream = chunkSource(10, 0, 25, load(asked), () => new Error('gone'));
    await new Promise<void>((done) => stream.once('readable', () => done()));
    await new Promise((done) => setTimeout(done, 20));
    assert.ok(asked.length <= 2, `fetched ${asked.length} chunks before any was read`);
    stream.destroy();
  });

  it('fails with the missing error when a chunk is gone or short', async () => {
    const gone = chunkSource(
      10,
      0,
      25,
      async (seq) => (seq === 1 ? undefined : bytes.subarray(0, 10)),
      () => new Error('blob gone'),
    );
    await assert.rejects(all(gone), /blob gone/);
    const short = chunkSource(
      10,
      0,
      9,
      async () => bytes.subarray(0, 5),
      () => new Error('blob short'),
    );
    await assert.rejects(all(short), /blob short/);
  });
});

describe('tableNames', () => {
  it('qualifies with a plain schema name and refuses anything else', () => {
    assert.equal(tableNames().files, 'methodical_files');
    assert.equal(tableNames('files_test_1').chunks, '"files_test_1".methodical_blob_chunks');
    for (const bad of ['', 'A', 'x-y', 'x"y', 'x y', '1x', 'a'.repeat(64)]) {
      assert.throws(() => tableNames(bad), /schema name/, bad);
    }
  });
});
