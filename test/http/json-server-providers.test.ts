/**
 * The stock react-admin data providers against the json-server mode on a
 * real listening server: every call of the data-provider interface through
 * ra-data-json-server and ra-data-simple-rest, each compared with what
 * ra-data-json-server gets from json-server 0.17.4 itself on the same
 * db.json, call after call (so the three databases go through the same writes).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import jsonServerProvider from 'ra-data-json-server';
import simpleRestProvider from 'ra-data-simple-rest';
import { type TestApp, testApp } from '../harness.js';
import { COMPAT_CONFIG, DB, seed } from './json-server-fixture.js';

type Provider = ReturnType<typeof jsonServerProvider>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`json-server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('json-server did not start');
}

async function listening(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

let dir: string;
let child: ChildProcess;
let reference: Provider;
let viaJsonServer: Provider;
let viaSimpleRest: Provider;
const apps: TestApp[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'methodical-json-server-'));
  const db = join(dir, 'db.json');
  writeFileSync(db, JSON.stringify(DB, null, 2));
  const port = await freePort();
  child = spawn(
    process.execPath,
    ['node_modules/json-server/lib/cli/bin.js', '--quiet', '--host', '127.0.0.1', '--port', String(port), db],
    { stdio: 'ignore' },
  );
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(`${origin}/posts`, child);
  reference = jsonServerProvider(origin);
  for (let i = 0; i < 2; i++) {
    const t = await testApp(COMPAT_CONFIG);
    await seed(t);
    apps.push(t);
  }
  viaJsonServer = jsonServerProvider(await listening(apps[0]));
  viaSimpleRest = simpleRestProvider(await listening(apps[1]));
});

after(async () => {
  child?.kill();
  await Promise.all(apps.map((t) => t.close()));
  rmSync(dir, { recursive: true, force: true });
});

type Call = [string, (p: Provider) => Promise<unknown>];

const sort = (field: string, order: 'ASC' | 'DESC') => ({ field, order });
const page = (n: number, perPage: number) => ({ page: n, perPage });

const CALLS: Call[] = [
  [
    'getList posts, sort title ASC, page 1 of 2',
    (p) => p.getList('posts', { sort: sort('title', 'ASC'), pagination: page(1, 2), filter: {} }),
  ],
  [
    'getList posts, sort views DESC, page 2 of 2',
    (p) => p.getList('posts', { sort: sort('views', 'DESC'), pagination: page(2, 2), filter: {} }),
  ],
  [
    'getList posts, filter q=dune',
    (p) => p.getList('posts', { sort: sort('id', 'DESC'), pagination: page(1, 10), filter: { q: 'dune' } }),
  ],
  [
    'getList posts, filter author=Asimov',
    (p) =>
      p.getList('posts', {
        sort: sort('year', 'ASC'),
        pagination: page(1, 10),
        filter: { author: 'Asimov' },
      }),
  ],
  [
    'getList posts, filter year_gte=1960, title_like=dune',
    (p) =>
      p.getList('posts', {
        sort: sort('id', 'ASC'),
        pagination: page(1, 10),
        filter: { year_gte: 1960, title_like: 'dune' },
      }),
  ],
  [
    'getList posts, filter id=[1,4]',
    (p) => p.getList('posts', { sort: sort('id', 'ASC'), pagination: page(1, 10), filter: { id: [1, 4] } }),
  ],
  ['getOne posts 2', (p) => p.getOne('posts', { id: 2 })],
  ['getMany posts [1,3]', (p) => p.getMany('posts', { ids: [1, 3] })],
  [
    'getManyReference comments of post 2',
    (p) =>
      p.getManyReference('comments', {
        target: 'postId',
        id: 2,
        sort: sort('id', 'ASC'),
        pagination: page(1, 10),
        filter: {},
      }),
  ],
  [
    'create posts',
    (p) => p.create('posts', { data: { title: 'Neuromancer', author: 'Gibson', year: 1984, views: 0 } }),
  ],
  [
    'create comments (numeric postId)',
    (p) => p.create('comments', { data: { body: 'cyberspace', postId: 2 } }),
  ],
  [
    'update posts 3',
    (p) =>
      p.update('posts', {
        id: 3,
        data: { id: 3, title: 'Dune Messiah', author: 'Frank Herbert', year: 1969, views: 21 },
        previousData: DB.posts[2],
      }),
  ],
  ['updateMany posts [4,5]', (p) => p.updateMany('posts', { ids: [4, 5], data: { title: 'Reissued' } })],
  ['delete comments 4', (p) => p.delete('comments', { id: 4, previousData: DB.comments[3] })],
  ['deleteMany comments [1,3]', (p) => p.deleteMany('comments', { ids: [1, 3] })],
  [
    'getList posts afterwards',
    // By year, which two posts lack now: last, as json-server puts them.
    (p) => p.getList('posts', { sort: sort('year', 'ASC'), pagination: page(1, 10), filter: {} }),
  ],
  [
    'getList comments afterwards',
    (p) => p.getList('comments', { sort: sort('body', 'DESC'), pagination: page(1, 10), filter: {} }),
  ],
];

for (const [name, call] of CALLS) {
  test(name, async (t) => {
    const expected = (await call(reference)) as { data: Record<string, unknown> };
    for (const [label, provider] of [
      ['ra-data-json-server', viaJsonServer],
      ['ra-data-simple-rest', viaSimpleRest],
    ] as const) {
      const got = (await call(provider)) as { data: Record<string, unknown> };
      // Created records too: increment ids give the next number, as json-server does.
      assert.deepEqual(got, expected, `${label}: ${name}`);
    }
    t.diagnostic(`${name} → ${JSON.stringify(expected)}`);
  });
}
