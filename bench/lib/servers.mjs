// The servers under comparison. Each adapter knows how to start itself with a dataset already in
// it, and how its routes spell the benchmark's operations. Add a server by adding an entry here.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { seedCeilingDb } from '../ceiling.mjs';
import { freePort, startProcess } from './proc.mjs';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The Methodical CLI to run; BENCH_METHODICAL_BIN points at another build. */
const methodicalBin = (root) => path.resolve(root, process.env.BENCH_METHODICAL_BIN || 'dist/cli/bin.js');

const SEED_TIMEOUT_S = Number(process.env.BENCH_SEED_TIMEOUT) || 240;

/**
 * Runs `task(item)` over `items` with at most `concurrency` in flight; rejects on the first failure
 * or when seeding has taken longer than BENCH_SEED_TIMEOUT seconds.
 */
async function pool(items, concurrency, task) {
  const deadline = Date.now() + SEED_TIMEOUT_S * 1000;
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      if (Date.now() > deadline) {
        throw new Error(
          `seeding stopped after BENCH_SEED_TIMEOUT=${SEED_TIMEOUT_S} s (${next} of ${items.length})`,
        );
      }
      const i = next++;
      await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

// node:http with keep-alive: several times cheaper per request than fetch, which matters at 100k.
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function send(url, method, body, headers = {}) {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: { ...JSON_HEADERS, ...headers, 'content-length': payload.length },
        timeout: 60_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 60 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

const fieldsOf = ({ id, ...fields }) => fields;

/**
 * Seeds Methodical over HTTP with the dataset's own ids: `POST /api/batch` of up to 100 PUTs when
 * the server offers it, otherwise one `PUT /api/items/{id}` per record, several in flight.
 */
async function seedMethodical(base, records, log) {
  if (records.length === 0) return;
  const chunks = [];
  for (let i = 0; i < records.length; i += 100) chunks.push(records.slice(i, i + 100));
  const batchOf = (chunk) => ({
    requests: chunk.map((r) => ({ method: 'PUT', url: `/api/items/${r.id}`, body: fieldsOf(r) })),
  });
  const first = await send(`${base}/api/batch`, 'POST', batchOf(chunks[0]));
  if (first.status === 200) {
    log(`seeding ${records.length} records with /api/batch`);
    await pool(chunks.slice(1), 2, async (chunk, i) => {
      const res = await send(`${base}/api/batch`, 'POST', batchOf(chunk));
      if (res.status !== 200) throw new Error(`batch ${i + 1}: ${res.status} ${res.text.slice(0, 300)}`);
    });
    return;
  }
  log(`/api/batch answered ${first.status}; seeding ${records.length} records with one PUT each`);
  await pool(records, 16, async (r) => {
    const res = await send(`${base}/api/items/${r.id}`, 'PUT', fieldsOf(r));
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`PUT /api/items/${r.id}: ${res.status} ${res.text.slice(0, 300)}`);
    }
  });
}

/**
 * Seeds `collection` (whose create rule is `auth` and whose owner is set to the caller) with the
 * records' fields, server-generated ids: `/api/batch` of up to 100 POSTs, each batch sent with the
 * bearer token of one of `tokens` in turn (so with two tokens, alternate hundreds are A's and B's).
 * Returns how many records each token was used for, by index.
 */
async function seedOwnedMethodical(base, collection, records, tokens, log) {
  const chunks = [];
  for (let i = 0; i < records.length; i += 100) chunks.push(records.slice(i, i + 100));
  log(`seeding ${records.length} records into ${collection} with /api/batch as ${tokens.length} users`);
  await pool(chunks, 2, async (chunk, i) => {
    const body = {
      requests: chunk.map((r) => ({ method: 'POST', url: `/api/${collection}`, body: fieldsOf(r) })),
    };
    const res = await send(`${base}/api/batch`, 'POST', body, {
      authorization: `Bearer ${tokens[i % tokens.length]}`,
    });
    if (res.status !== 200)
      throw new Error(`${collection} batch ${i}: ${res.status} ${res.text.slice(0, 300)}`);
  });
  return chunks.map((chunk, i) => ({ owner: i % tokens.length, records: chunk }));
}

/** Registers a user (201) and logs in (200); resolves with the bearer token. */
async function registerAndLogin(base, email, password) {
  const reg = await send(`${base}/api/auth/register`, 'POST', { email, password });
  if (reg.status !== 201) throw new Error(`POST /api/auth/register: ${reg.status} ${reg.text.slice(0, 300)}`);
  const login = await send(`${base}/api/auth/login`, 'POST', { email, password });
  if (login.status !== 200)
    throw new Error(`POST /api/auth/login: ${login.status} ${login.text.slice(0, 300)}`);
  const { token } = JSON.parse(login.text);
  if (typeof token !== 'string')
    throw new Error(`POST /api/auth/login: no token in ${login.text.slice(0, 300)}`);
  return token;
}

/** How many records a list answer says matched. */
const totalItemsOf = async (res) => (await res.json()).totalItems;

/** Methodical's filtered list on any collection. */
const methodicalList = (collection, { yearGte, genre, page, perPage }) =>
  `/api/${collection}?filter=${encodeURIComponent(`year >= ${yearGte} && genre = "${genre}"`)}&page=${page}&perPage=${perPage}`;

export const servers = [
  {
    key: 'methodical',
    label: 'Methodical',
    unavailable: (root) =>
      existsSync(methodicalBin(root)) ? null : `${path.relative(root, methodicalBin(root))} not built`,
    /** `extraArgs` go after the usual ones (e.g. `--database postgres://…`). */
    async start({ root, workDir, records, log, extraArgs = [] }) {
      const dataDir = path.join(workDir, 'methodical-data');
      await mkdir(dataDir, { recursive: true });
      const srv = await startProcess({
        name: 'Methodical',
        command: process.execPath,
        args: [
          methodicalBin(root),
          'serve',
          '--config',
          'bench/methodical.bench.json',
          '--data',
          dataDir,
          '--port',
          '0',
          ...extraArgs,
        ],
        cwd: root,
        readyLine: /Methodical listening on (http:\/\/\S+)/,
      });
      const host = new URL(srv.url).hostname;
      if (host !== '127.0.0.1' && host !== 'localhost') {
        await srv.stop();
        throw new Error(`Methodical listens on ${host}, not 127.0.0.1`);
      }
      try {
        await seedMethodical(srv.url, records, log);
      } catch (err) {
        await srv.stop();
        throw err;
      }
      return srv;
    },
    routes: {
      get: (id) => `/api/items/${id}`,
      list: (query) => methodicalList('items', query),
      create: () => '/api/items',
      replace: (id) => `/api/items/${id}`,
      count: () => '/api/items?perPage=1',
      // Only Methodical has these: the login, rules and upload cases run on it alone.
      listOf: methodicalList,
      login: () => '/api/auth/login',
      createIn: (collection) => `/api/${collection}`,
      file: (collection, id, field, name) =>
        `/api/files/${[collection, id, field, name].map(encodeURIComponent).join('/')}`,
    },
    totalFrom: totalItemsOf,
    auth: { registerAndLogin },
    seedOwned: seedOwnedMethodical,
  },
  {
    key: 'ceiling',
    label: 'ceiling',
    unavailable: () => null,
    async start({ root, workDir, records }) {
      const file = path.join(workDir, 'ceiling.db');
      seedCeilingDb(file, records);
      return startProcess({
        name: 'ceiling',
        command: process.execPath,
        args: ['bench/ceiling.mjs', '--db', file, '--host', '127.0.0.1', '--port', '0'],
        cwd: root,
        readyLine: /Ceiling listening on (http:\/\/\S+)/,
      });
    },
    routes: {
      get: (id) => `/api/items/${id}`,
      list: ({ yearGte, genre, page, perPage }) =>
        `/api/items?year_gte=${yearGte}&genre=${genre}&page=${page}&perPage=${perPage}`,
      create: () => '/api/items',
      replace: (id) => `/api/items/${id}`,
    },
    // Seeded in one SQL transaction in this process: no count route to verify over HTTP.
    totalFrom: totalItemsOf,
  },
  {
    key: 'json-server',
    label: 'json-server',
    unavailable: (root) =>
      existsSync(path.join(root, 'node_modules/.bin/json-server'))
        ? null
        : 'node_modules/.bin/json-server missing',
    async start({ root, workDir, records }) {
      const file = path.join(workDir, 'db.json');
      await writeFile(file, JSON.stringify({ items: records }));
      const port = await freePort();
      return startProcess({
        name: 'json-server',
        command: path.join(root, 'node_modules/.bin/json-server'),
        args: ['--host', '127.0.0.1', '--port', String(port), '--quiet', file],
        cwd: workDir,
        probeUrl: `http://127.0.0.1:${port}/items?_page=1&_limit=1`,
      });
    },
    routes: {
      get: (id) => `/items/${id}`,
      list: ({ yearGte, genre, page, perPage }) =>
        `/items?year_gte=${yearGte}&genre=${genre}&_page=${page}&_limit=${perPage}`,
      create: () => '/items',
      replace: (id) => `/items/${id}`,
      count: () => '/items?_page=1&_limit=1',
    },
    totalFrom: async (res) => {
      await res.arrayBuffer();
      return Number(res.headers.get('x-total-count'));
    },
  },
];
