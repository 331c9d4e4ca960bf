import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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

/** Frames in the WAL that a checkpoint has not yet copied into the database file. */
function uncopied(): number {
  const [row] = db.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[];
  return row.log - row.checkpointed;
}

const insert = (v: string) => db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WalCheckpoints', () => {
  it('turns SQLite’s own autocheckpoint off, so no COMMIT runs one', () => {
    const checkpoints = new WalCheckpoints(db, () => true);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
    for (let i = 0; i < 2000; i++) insert(`v${i}`);
    assert.ok(uncopied() > 1000, 'more than the default 1,000 pages stay in the WAL');
    checkpoints.stop();
  });

  it('is due after everyTransactions; a run copies the WAL and starts counting again', () => {
    const checkpoints = new WalCheckpoints(db, () => true, { everyTransactions: 10, everyMs: 60_000 });
    insert('a');
    checkpoints.committed(9);
    assert.equal(checkpoints.due(), false);
    checkpoints.committed(1);
    assert.equal(checkpoints.due(), true);
    checkpoints.run();
    assert.equal(checkpoints.runs, 1);
    assert.equal(uncopied(), 0);
    assert.equal(checkpoints.due(), false);
    checkpoints.run();
    assert.equal(checkpoints.runs, 1, 'nothing committed since: nothing to do');
    checkpoints.stop();
  });

  it('never runs inside an open transaction', () => {
    const checkpoints = new WalCheckpoints(db, () => true, { everyTransactions: 1 });
    insert('a');
    checkpoints.committed(1);
    db.exec('BEGIN IMMEDIATE');
    checkpoints.run();
    db.exec('COMMIT');
    assert.equal(checkpoints.runs, 0);
    assert.ok(uncopied() > 0);
    checkpoints.stop();
  });

  it('a quiet connection is checkpointed everyMs after its last commits', async () => {
    const checkpoints = new WalCheckpoints(db, () => true, { everyTransactions: 1000, everyMs: 20 });
    insert('a');
    checkpoints.committed(1);
    assert.ok(uncopied() > 0);
    await sleep(150);
    assert.equal(checkpoints.runs, 1);
    assert.equal(uncopied(), 0);
    checkpoints.stop();
  });

  it('runs between commit groups, after the answers of the group before, never inside one', async () => {
    const seen: { inTransaction: boolean; answered: number }[] = [];
    let answered = 0;
    const group: GroupCommit = new GroupCommit(db, {
      maxBatch: 4,
      maxWaitMs: 60_000,
      committed: (n) => checkpoints.committed(n),
      upkeep: {
        due: () => checkpoints.due(),
        run: () => {
          seen.push({ inTransaction: db.inTransaction, answered });
          checkpoints.run();
        },
      },
    });
    const checkpoints = new WalCheckpoints(db, () => group.idle, { everyTransactions: 4, everyMs: 60_000 });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        group
          .run(async () => insert(`v${i}`))
          .then(() => {
            answered++;
          }),
      ),
    );
    // The last group's checkpoint runs once its answers have left: after they resolved.
    await group.drained();
    assert.equal(group.stats.commits, 3);
    assert.deepEqual(seen, [
      { inTransaction: false, answered: 4 },
      { inTransaction: false, answered: 8 },
      { inTransaction: false, answered: 12 },
    ]);
    assert.equal(checkpoints.runs, 3);
    assert.equal(uncopied(), 0);
    assert.ok(statSync(join(dir, 'db.sqlite')).size > 0);
    checkpoints.stop();
  });
});
