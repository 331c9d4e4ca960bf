/**
 * A full disk, on a small tmpfs: writes are a 507 problem and lose nothing,
 * /healthz says the database cannot write, and once space is freed the
 * same server writes again without a restart. Needs root (to mount); skips
 * with a message elsewhere.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, stored } from './helpers.js';
import { multipart } from './multipart.js';
import { assertNoStaging, pngOfSize } from './upload-helpers.js';

const mount = mkdtempSync(join(tmpdir(), 'methodical-full-'));

function tryMount(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root, so no tmpfs can be mounted';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `mounting a tmpfs failed: ${String((error as Error).message).split('\n')[0]}`;
  }
}

const skip = tryMount();
if (skip) process.stdout.write(`# disk-full tests skipped: ${skip}\n`);

/** Fill the file system until it refuses one more byte; returns the filler's path. */
function fill(): string {
  const path = join(mount, 'filler');
  const fd = openSync(path, 'w');
  try {
    for (const size of [256 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('a full disk', { skip }, () => {
  let t: TestApp;
  before(async () => {
    const dir = join(mount, 'app');
    mkdirSync(dir);
    t = await testApp(
      {
        collections: {
          notes: {
            fields: { text: { type: 'text' }, file: { type: 'file' } },
            rules: PUBLIC_RULES,
          },
        },
      },
      { dir },
    );
  });
  after(async () => {
    await t?.close();
    if (!skip) execFileSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  test('writes are 507 and lose nothing, /healthz says why, and freeing space recovers without a restart', async () => {
    const first = await t.request({ method: 'POST', url: '/api/notes', payload: { text: 'before' } });
    assert.equal(first.statusCode, 201, first.body);
    const healthy = await t.request({ method: 'GET', url: '/healthz' });
    assert.equal(healthy.statusCode, 200, healthy.body);

    const filler = fill();
    const big = { text: 'x'.repeat(200_000) };
    const key = { 'idempotency-key': 'full-disk-1' };
    const refused = await t.request({ method: 'POST', url: '/api/notes', payload: big, headers: key });
    const problem = assertProblem(refused, 507, { title: 'Insufficient Storage', detail: /disk space/ });
    assert.match(String(refused.headers['retry-after']), /^\d+$/);
    assert.equal(problem.errorId, undefined, 'an expected condition, not an internal error');

    const { payload, headers } = multipart([
      { name: 'file', filename: 'big.png', data: pngOfSize(1024 * 1024), type: 'image/png' },
    ]);
    const upload = await t.request({ method: 'POST', url: '/api/notes', payload, headers });
    assertProblem(upload, 507, { detail: /disk space/ });
    assertNoStaging(t);

    const sick = await t.request({ method: 'GET', url: '/healthz' });
    const report = assertProblem(sick, 503, { detail: /cannot take writes/ });
    assert.deepEqual(report.database, { readable: true, writable: false });
    assert.equal(sick.headers['cache-control'], 'no-store');
    const reads = await t.request({ method: 'GET', url: '/api/notes' });
    assert.equal(reads.statusCode, 200, 'reads still work');
    assert.deepEqual(
      (await stored(t, 'notes')).map((r) => r.text),
      ['before'],
      'nothing half-written',
    );

    unlinkSync(filler);
    const recovered = await t.request({ method: 'GET', url: '/healthz' });
    assert.equal(recovered.statusCode, 200, recovered.body);
    assert.deepEqual(json(recovered).database, { readable: true, writable: true });
    const retried = await t.request({ method: 'POST', url: '/api/notes', payload: big, headers: key });
    assert.equal(retried.statusCode, 201, 'the key was not kept with the failed write, so the retry runs');
    assert.equal(retried.headers['idempotent-replayed'], undefined);
    const again = await t.request({ method: 'POST', url: '/api/notes', payload, headers });
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual((await stored(t, 'notes')).length, 3);
    assertNoStaging(t);
  });
});
