/**
 * Durable by default: an answered write is on disk. A server in its own
 * process runs under strace, counting fsync/fdatasync: with durability
 * `full` every write answered on its own had its own sync before the
 * answer, and concurrent writes share syncs (group commit), every commit
 * synced; with `normal` the writes go without syncs. The store's own
 * pragma is checked in process too, where strace is missing.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { BOOKS_CONFIG, testApp } from '../harness.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/durable-server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEQUENTIAL = 20;
const CONCURRENT = 200;
const IN_FLIGHT = 40;

function stracePresent(): string | undefined {
  try {
    execFileSync('strace', ['-qq', '-e', 'trace=fsync', 'true'], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `strace cannot run here (${String((error as Error).message).split('\n')[0]})`;
  }
}
const skip = stracePresent();
if (skip) process.stdout.write(`# fsync counting skipped: ${skip}\n`);

const scratch = mkdtempSync(join(tmpdir(), 'methodical-strace-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Traced {
  url: string;
  syncs(): number;
  stats(): Promise<{ transactions: number; commits: number }>;
  stop(): Promise<void>;
}

async function traced(durability: 'full' | 'normal'): Promise<Traced> {
  const log = join(scratch, `${durability}.strace`);
  const child: ChildProcess = spawn(
    'strace',
    ['-f', '-qq', '-e', 'trace=fsync,fdatasync', '-o', log, process.execPath, '--import', 'tsx', FIXTURE],
    { cwd: ROOT, env: { ...process.env, DURABILITY: durability }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value as string);
  // Signals go to the server itself, not to strace in front of it.
  const { url, pid } = (await next()) as { url: string; pid: number };
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    url,
    syncs: () => readFileSync(log, 'utf8').match(/\b(fsync|fdatasync)\(/g)?.length ?? 0,
    async stats() {
      process.kill(pid, 'SIGUSR2');
      return next();
    },
    async stop() {
      process.kill(pid, 'SIGTERM');
      await exited;
    },
  };
}

async function post(url: string, i: number): Promise<void> {
  const res = await fetch(`${url}/api/books`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: `Book ${i}`, author: 'A. Author', year: 1900 + (i % 100) }),
  });
  assert.equal(res.status, 201, await res.text());
  await res.arrayBuffer().catch(() => undefined);
}

/** Writes one at a time, each answered before the next is sent. */
async function sequential(url: string, from: number): Promise<void> {
  for (let i = 0; i < SEQUENTIAL; i++) await post(url, from + i);
}

/** CONCURRENT writes, IN_FLIGHT at a time. */
async function concurrent(url: string, from: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < CONCURRENT) await post(url, from + next++);
    }),
  );
}

async function total(url: string): Promise<number> {
  const res = await fetch(`${url}/api/books?perPage=1`);
  return ((await res.json()) as { totalItems: number }).totalItems;
}

describe('fsyncs per answered write, under strace', { skip }, () => {
  test('durability full: each lone write synced before its answer; concurrent writes share syncs', async () => {
    const server = await traced('full');
    try {
      const start = server.syncs();
      await sequential(server.url, 0);
      const alone = server.syncs() - start;
      assert.ok(alone >= SEQUENTIAL, `${alone} syncs for ${SEQUENTIAL} writes answered one at a time`);

      const before = await server.stats();
      const mark = server.syncs();
      await concurrent(server.url, SEQUENTIAL);
      const afterwards = await server.stats();
      const syncs = server.syncs() - mark;
      const commits = afterwards.commits - before.commits;
      const writes = afterwards.transactions - before.transactions;
      process.stdout.write(
        `# durability full: ${writes} concurrent writes, ${commits} commits, ${syncs} syncs (${SEQUENTIAL} lone writes: ${alone} syncs)\n`,
      );
      assert.equal(writes, CONCURRENT);
      assert.ok(syncs >= commits, `every commit synced (${syncs} syncs, ${commits} commits)`);
      assert.ok(commits < writes, `writes grouped into fewer commits (${commits} for ${writes})`);
      assert.ok(syncs < writes, `fewer syncs than writes (${syncs} for ${writes})`);
      assert.equal(await total(server.url), SEQUENTIAL + CONCURRENT, 'every answered write is stored');
    } finally {
      await server.stop();
    }
  });

  test('durability normal: writes are answered without a sync each', async () => {
    const server = await traced('normal');
    try {
      const start = server.syncs();
      await sequential(server.url, 0);
      await concurrent(server.url, SEQUENTIAL);
      const syncs = server.syncs() - start;
      process.stdout.write(`# durability normal: ${SEQUENTIAL + CONCURRENT} writes, ${syncs} syncs\n`);
      assert.ok(syncs < SEQUENTIAL, `${syncs} syncs for ${SEQUENTIAL + CONCURRENT} writes`);
      assert.equal(await total(server.url), SEQUENTIAL + CONCURRENT);
    } finally {
      await server.stop();
    }
  });
});

describe('the durability setting reaches SQLite', () => {
  for (const [durability, level] of [
    [undefined, 2],
    ['full', 2],
    ['normal', 1],
  ] as const) {
    test(`${durability ?? 'the default'}: PRAGMA synchronous = ${level}`, async () => {
      const t = await testApp({ ...BOOKS_CONFIG, ...(durability ? { durability } : {}) });
      try {
        const writer = (t.store as unknown as { writer: Database.Database }).writer;
        assert.equal(writer.pragma('synchronous', { simple: true }), level);
        assert.equal(writer.pragma('journal_mode', { simple: true }), 'wal');
        assert.equal((t.store as SqliteStore).commitStats.commits > 0, true, 'migrations committed');
      } finally {
        await t.close();
      }
    });
  }
});
