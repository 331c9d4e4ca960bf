import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { GroupCommit, type GroupCommitOptions } from './transactions.js';

let dir: string;
let writer: Database.Database;
let reader: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'methodical-group-'));
  writer = new Database(join(dir, 'db.sqlite'));
  writer.pragma('journal_mode = WAL');
  writer.exec('CREATE TABLE t (v TEXT PRIMARY KEY)');
  reader = new Database(join(dir, 'db.sqlite'), { readonly: true });
});
afterEach(() => {
  reader.close();
  writer.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (v: string) => writer.prepare('INSERT INTO t (v) VALUES (?)').run(v);
const committed = () =>
  (reader.prepare('SELECT v FROM t ORDER BY v').all() as { v: string }[]).map((r) => r.v);

/** Groups never cut short by time here: counts of commits must not depend on how busy the machine is. */
function grouped(options: GroupCommitOptions = {}): GroupCommit {
  return new GroupCommit(writer, { maxWaitMs: 60_000, ...options });
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('GroupCommit', () => {
  it('commits transactions that wait together with one COMMIT, in order', async () => {
    const group = grouped();
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((v) =>
        group.run(async () => {
          insert(v);
          return v.toUpperCase();
        }),
      ),
    );
    assert.deepEqual(results, ['A', 'B', 'C', 'D']);
    assert.deepEqual(committed(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(group.stats, { transactions: 4, commits: 1 });
  });

  it('answers a transaction only once its group has committed', async () => {
    // A group open for as long as it takes, so the second surely joins the first.
    const group = grouped();
    const gate = deferred();
    let firstAnswered = false;
    const first = group
      .run(async () => {
        insert('first');
      })
      .then(() => {
        firstAnswered = true;
        assert.deepEqual(committed(), ['first', 'second'], 'on disk before it is answered');
      });
    const second = group.run(async () => {
      await gate.promise;
      insert('second');
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(firstAnswered, false, 'the first waits for the commit its group shares');
    assert.deepEqual(committed(), [], 'nothing is visible before the commit');
    gate.resolve();
    await Promise.all([first, second]);
    assert.equal(group.stats.commits, 1);
  });

  it('a failing transaction rolls back to its savepoint; the others of its group commit', async () => {
    const group = grouped();
    const outcomes = await Promise.allSettled([
      group.run(async () => insert('kept-1')),
      group.run(async () => {
        insert('undone');
        throw new Error('refused');
      }),
      group.run(async () => insert('kept-2')),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal((outcomes[1] as PromiseRejectedResult).reason.message, 'refused');
    assert.deepEqual(committed(), ['kept-1', 'kept-2']);
    assert.equal(group.stats.commits, 1);
  });

  it('a full database fails the whole group with the translated error, and the next group commits again', async () => {
    const full = new Error('full');
    const seen: unknown[] = [];
    const group = grouped({
      translate: (e) => ((e as { code?: string }).code === 'SQLITE_FULL' ? full : e),
      onCommit: (e) => seen.push(e),
    });
    await group.run(async () => insert('before'));
    const pages = writer.pragma('page_count', { simple: true }) as number;
    writer.pragma(`max_page_count = ${pages}`);
    const big = 'x'.repeat(64 * 1024);
    const outcomes = await Promise.allSettled([
      group.run(async () => insert('small')),
      group.run(async () => insert(big)),
      group.run(async () => insert('after')),
    ]);
    assert.equal(outcomes[0].status, 'rejected', 'lost with the group');
    assert.equal((outcomes[0] as PromiseRejectedResult).reason, full);
    assert.equal((outcomes[1] as PromiseRejectedResult).reason, full);
    // The third waited for the next group, which may fit in the pages there are.
    const third = outcomes[2].status === 'fulfilled' ? ['after'] : [];
    assert.deepEqual(committed(), [...third, 'before'].sort(), 'nothing of the failed group was written');
    assert.notEqual(
      seen.find((e) => e !== null),
      undefined,
      'the failure was reported',
    );
    writer.pragma('max_page_count = 1073741823');
    await group.run(async () => insert('recovered'));
    assert.ok(committed().includes('recovered'));
    assert.equal(seen.at(-1), null, 'a later commit reports success');
  });

  it('keeps a group to maxBatch transactions', async () => {
    const group = grouped({ maxBatch: 3 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => group.run(async () => insert(`v${i}`))));
    assert.equal(committed().length, 10);
    assert.deepEqual(group.stats, { transactions: 10, commits: 4 });
  });

  it('a transaction that waits on I/O still lets later ones run once it is done', async () => {
    const group = grouped();
    const slow = group.run(async () => {
      await new Promise((r) => setTimeout(r, 10));
      insert('slow');
    });
    const fast = group.run(async () => insert('fast'));
    await Promise.all([slow, fast]);
    assert.deepEqual(committed(), ['fast', 'slow']);
  });

  it('drained() waits for every transaction to settle', async () => {
    const group = grouped();
    const gate = deferred();
    const running = group.run(async () => {
      await gate.promise;
      insert('late');
    });
    const drained = group.drained();
    gate.resolve();
    await drained;
    await running;
    assert.deepEqual(committed(), ['late']);
  });

  it('a BEGIN that cannot take the write lock fails the waiting transactions, not the process', async () => {
    const other = new Database(join(dir, 'db.sqlite'));
    other.pragma('busy_timeout = 0');
    writer.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    try {
      const group = grouped();
      await assert.rejects(
        group.run(async () => insert('blocked')),
        (e: { code?: string }) => e.code === 'SQLITE_BUSY',
      );
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    assert.deepEqual(committed(), []);
  });

  it('beforeGroup: a group begins only once the promise it returns has resolved', async () => {
    const hold = deferred();
    let asked = 0;
    const group = grouped({
      beforeGroup: () => {
        asked++;
        return asked === 1 ? hold.promise : null;
      },
    });
    let ran = false;
    const first = group.run(async () => {
      ran = true;
      insert('a');
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ran, false, 'waits');
    assert.equal(writer.inTransaction, false, 'no transaction open while it waits');
    const second = group.run(async () => insert('b'));
    hold.resolve();
    await Promise.all([first, second]);
    assert.deepEqual(committed(), ['a', 'b']);
    assert.deepEqual(group.stats, { transactions: 2, commits: 1 }, 'both joined the group that waited');
    await group.run(async () => insert('c'));
    assert.equal(asked, 2, 'asked again before the next group');
  });
});
