import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { WalCheckpoints } from './checkpoints.js';
import { GroupCommit } from './transactions.js';

let dir: string;
let db: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'methodical-checkpoint-'));
  db = new Database(join(dir, 'db.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v TEXT PRIMARY KEY)');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function walState(): { log: number; checkpointed: number } {
  const [row] = db.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[];
  return row;
}

/** Frames in the WAL that a checkpoint has not yet copied into the database file. */
function uncopied(): number {
  const row = walState();
  return row.log - row.checkpointed;
}

const insert = (v: string) => db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (up to 5 s) for a checkpoint in the worker to be done. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, 'in time');
    await sleep(10);
  }
}

describe('WalCheckpoints', () => {
  it('turns SQLite’s own autocheckpoint off, so no COMMIT runs one', async () => {
    const checkpoints = new WalCheckpoints(db, () => true);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
    for (let i = 0; i < 2000; i++) insert(`v${i}`);
    assert.ok(uncopied() > 1000, 'more than the default 1,000 pages stay in the WAL');
    await checkpoints.stop();
  });

  it('after everyTransactions, a checkpoint on a connection of its own copies the WAL', async () => {
    const checkpoints = new WalCheckpoints(db, () => true, { everyTransactions: 10, everyMs: 60_000 });
    for (let i = 0; i < 9; i++) insert(`v${i}`);
    checkpoints.committed(9);
    await sleep(100);
    assert.equal(checkpoints.runs, 0, 'not due yet');
    assert.ok(uncopied() > 0);
    insert('v9');
    checkpoints.committed(1);
    assert.equal(db.inTransaction, false);
    await until(() => checkpoints.runs === 1);
    assert.equal(uncopied(), 0);
    await checkpoints.stop();
  });

  it('a quiet writer is checkpointed everyMs after its first uncopied commit', async () => {
    const checkpoints = new WalCheckpoints(db, () => true, { everyTransactions: 1000, everyMs: 20 });
    insert('a');
    checkpoints.committed(1);
    assert.ok(uncopied() > 0);
    await until(() => checkpoints.runs === 1);
    assert.equal(uncopied(), 0);
    await checkpoints.stop();
  });

  it('commits made while a checkpoint runs are checkpointed after it', async () => {
    const checkpoints = new WalCheckpoints(db, () => true, { everyTransactions: 1, everyMs: 60_000 });
    for (let i = 0; i < 20; i++) {
      insert(`v${i}`);
      checkpoints.committed(1);
    }
    await until(() => uncopied() === 0 && checkpoints.runs >= 2);
    await checkpoints.stop();
  });

  it('counts the transactions of committed groups, so busy writers are checkpointed', async () => {
    let checkpoints: WalCheckpoints | undefined;
    const group = new GroupCommit(db, {
      maxBatch: 4,
      maxWaitMs: 60_000,
      committed: (n) => checkpoints?.committed(n),
    });
    checkpoints = new WalCheckpoints(db, () => group.idle, { everyTransactions: 8, everyMs: 60_000 });
    await Promise.all(Array.from({ length: 16 }, (_, i) => group.run(async () => insert(`v${i}`))));
    assert.equal(group.stats.commits, 4);
    await until(() => checkpoints.runs >= 1 && uncopied() === 0);
    await checkpoints.stop();
  });

  it('stop: no checkpoint starts afterwards', async () => {
    const checkpoints = new WalCheckpoints(db, () => true, { everyTransactions: 1, everyMs: 1 });
    insert('a');
    checkpoints.committed(1);
    await checkpoints.stop();
    const runs = checkpoints.runs;
    insert('b');
    checkpoints.committed(1);
    await sleep(50);
    assert.equal(checkpoints.runs, runs);
    assert.ok(uncopied() > 0);
  });

  it('gate: nothing to wait for while the WAL is smaller than restartFrames', async () => {
    const checkpoints = new WalCheckpoints(db, () => true, { everyTransactions: 1, restartFrames: 1e9 });
    insert('a');
    checkpoints.committed(1);
    await until(() => checkpoints.runs === 1);
    assert.equal(checkpoints.gate(), null);
    await checkpoints.stop();
  });

  it('gate: once the WAL holds restartFrames, writes wait for a checkpoint, then start the WAL over', async () => {
    const checkpoints = new WalCheckpoints(db, () => true, {
      everyTransactions: 1000,
      everyMs: 60_000,
      restartFrames: 20,
    });
    for (let i = 0; i < 40; i++) insert(`v${i}`);
    const grown = walState().log;
    assert.ok(grown >= 40, `every commit appended a frame (${grown})`);
    checkpoints.committed(40);
    checkpoints.run();
    await until(() => checkpoints.runs === 1);
    // Writes went on while it ran: they are not copied yet.
    insert('during');
    const wait = checkpoints.gate();
    assert.ok(wait, 'the next group waits');
    assert.equal(checkpoints.gate(), wait, 'every group waits for the same checkpoint');
    await wait;
    assert.equal(checkpoints.runs, 2);
    assert.equal(uncopied(), 0, 'everything copied before writes go on');
    insert('after');
    assert.ok(walState().log < grown, `the WAL started over (${walState().log} frames, was ${grown})`);
    assert.equal(checkpoints.gate(), null);
    await checkpoints.stop();
  });

  it('under writes that never pause, the WAL starts over again and again', async () => {
    const reader = new Database(join(dir, 'db.sqlite'), { readonly: true });
    let checkpoints: WalCheckpoints | undefined;
    let last = 0;
    let restarts = 0;
    const group = new GroupCommit(db, {
      maxBatch: 4,
      maxWaitMs: 60_000,
      committed: (n) => {
        const { log } = walState();
        if (log < last) restarts++;
        last = log;
        checkpoints?.committed(n);
      },
      beforeGroup: () => checkpoints?.gate() ?? null,
    });
    checkpoints = new WalCheckpoints(db, () => group.idle, {
      everyTransactions: 8,
      everyMs: 60_000,
      restartFrames: 50,
    });
    // Eight clients, each writing again as soon as its last write is answered, reading between,
    // until 40 checkpoints ran meanwhile (or 10 s passed).
    let written = 0;
    const deadline = Date.now() + 10_000;
    const client = async (c: number) => {
      for (let i = 0; (checkpoints?.runs ?? 0) < 40 && Date.now() < deadline; i++) {
        await group.run(async () => insert(`v${c}-${i}`));
        written++;
        reader.prepare('SELECT count(*) FROM t').get();
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
    assert.ok(checkpoints.runs >= 40, `${checkpoints.runs} checkpoints`);
    // Without the gate the WAL hardly ever starts over here (no time in 40 checkpoints when tried):
    // a checkpoint that runs beside the writes never finds it all copied.
    assert.ok(restarts >= 3, `the WAL started over ${restarts} times`);
    assert.equal((reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, written);
    await checkpoints.stop();
    reader.close();
  });

  it('stop: writes waiting at the gate go on', async () => {
    const checkpoints = new WalCheckpoints(db, () => true, { everyTransactions: 1, restartFrames: 1 });
    insert('a');
    checkpoints.committed(1);
    await until(() => checkpoints.runs === 1);
    insert('b');
    const wait = checkpoints.gate();
    assert.ok(wait);
    await checkpoints.stop();
    await wait;
    assert.equal(checkpoints.gate(), null);
  });
});
