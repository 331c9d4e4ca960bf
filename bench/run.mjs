// `npm run bench`: the figures issue 12 names, side by side in one run, loaded by wrk (a C client,
// so the client is not what is measured) with the server's CPU per request from /proc beside req/s:
// Methodical against the ceiling (bare fastify + better-sqlite3 / pg) and json-server; the same
// cases at a small and a large size (flat with size); RSS after a mixed load at the large size;
// on SQLite, and on PostgreSQL with one and two nodes when a database URL is set.
// Prints Markdown and writes bench/results/latest.md. Settings: see bench/README.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_INDEXES, backgroundWriter, deepPath, LIST_PATH, rssMiB, SORT_PATH } from './lib/cases.mjs';
import { idPool, makeDataset, makeFields } from './lib/data.mjs';
import { writeScript } from './lib/lua.mjs';
import { killAll, startProcess } from './lib/proc.mjs';
import { seedCeilingDb, seedCeilingPg, seedMethodicalStore } from './lib/seed.mjs';
import { servers } from './lib/servers.mjs';
import { backendsVisible, connect, load, redact, withParams } from './lib/stores.mjs';
import { renderWrkReport } from './lib/tables.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const num = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
};
const databaseUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || '';
const settings = {
  quick,
  small: num('BENCH_SMALL', 1000),
  large: num('BENCH_LARGE', quick ? 100_000 : 1_000_000),
  pgLarge: num('BENCH_PG_LARGE', num('BENCH_LARGE', quick ? 100_000 : 1_000_000)),
  duration: num('BENCH_DURATION', quick ? 2 : 5),
  warmup: num('BENCH_WARMUP', quick ? 1 : 2),
  connections: num('BENCH_CONNECTIONS', 32),
  backgroundRate: num('BENCH_BACKGROUND_WRITES', 20),
  deepPage: num('BENCH_DEEP_PAGE', 500),
  timeout: num('BENCH_TIMEOUT', 1800),
  jsonServer: process.env.BENCH_JSON_SERVER !== '0',
  ceilingNormal: process.env.BENCH_CEILING_NORMAL !== '0',
  pg: databaseUrl !== '' && process.env.BENCH_PG !== '0',
  databaseUrl: databaseUrl ? redact(databaseUrl) : '',
  loadAverage: os.loadavg(),
  cores: os.cpus().length,
};

const startedAt = Date.now();
const log = (m) => process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0)}s] ${m}\n`);
const workDir = mkdtempSync(path.join(os.tmpdir(), 'methodical-bench-'));
/** results.get(`${setup}|${size}|${case}|${server}`) = a wrk result (plus extras), or { skipped } / { error }. */
const results = new Map();
const notes = [];
const rss = new Map(); // setup → MiB per node
const meta = { deep: new Map(), indexes: false };
const put = (setup, size, kase, server, r) => results.set(`${setup}|${size}|${kase}|${server}`, r);

process.on('exit', () => {
  killAll();
  rmSync(workDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
let reported = false;
function report() {
  if (reported) return;
  reported = true;
  const { md, failed } = renderWrkReport({
    settings,
    results,
    notes,
    rss,
    meta,
    startedAt,
    finishedAt: Date.now(),
  });
  process.stdout.write(`\n${md}\n`);
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/latest.md'), md);
  log('wrote bench/results/latest.md');
  if (process.env.BENCH_STRICT === '1' && failed > 0) process.exitCode = 1;
}
setTimeout(() => {
  notes.push(`The run was stopped after BENCH_TIMEOUT=${settings.timeout} s; later results are missing.`);
  killAll();
  report();
  process.exit(1);
}, settings.timeout * 1000).unref();

/** The bench config, with the declared indexes when this build's config knows `indexes`. */
function writeConfig() {
  const base = JSON.parse(readFileSync(path.join(root, 'bench/methodical.bench.json'), 'utf8'));
  const plain = path.join(workDir, 'methodical.bench.json');
  writeFileSync(plain, JSON.stringify(base));
  base.collections.items.indexes = BENCH_INDEXES;
  const indexed = path.join(workDir, 'methodical.bench.indexed.json');
  writeFileSync(indexed, JSON.stringify(base));
  const probe = mkdtempSync(path.join(workDir, 'probe-'));
  const r = spawnSync(
    process.execPath,
    ['dist/cli/bin.js', 'migrate', '--dry-run', '--config', indexed, '--data', probe],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  meta.indexes = r.status === 0;
  if (!meta.indexes) {
    const why = `${r.stderr}${r.stdout}`.trim().split('\n')[0].replaceAll(workDir, '…');
    notes.push(`This build's config does not take \`indexes\` (${why}): the sort case is SKIP.`);
  }
  return meta.indexes ? indexed : plain;
}

async function startMethodical(configFile, dataDir, extraArgs = []) {
  return startProcess({
    name: 'Methodical',
    command: process.execPath,
    args: [
      'dist/cli/bin.js',
      'serve',
      '--config',
      configFile,
      '--data',
      dataDir,
      '--port',
      '0',
      ...extraArgs,
    ],
    cwd: root,
    readyLine: /Methodical listening on (http:\/\/\S+)/,
    timeoutMs: 180_000,
  });
}

function startCeiling(args, env) {
  return startProcess({
    env,
    name: 'ceiling',
    command: process.execPath,
    args: ['bench/ceiling.mjs', ...args, '--host', '127.0.0.1', '--port', '0'],
    cwd: root,
    readyLine: /Ceiling listening on (http:\/\/\S+)/,
  });
}

/** One wrk measurement over `nodes` (split connections), stored; errors are noted, not thrown. */
async function measure(setup, size, kase, server, nodes, script, pg) {
  try {
    const r = await load({
      nodes,
      script,
      connections: settings.connections,
      seconds: settings.duration,
      ...(pg ?? {}),
    });
    put(setup, size, kase, server, r);
    log(
      `${setup} @ ${size} ${kase} ${server}: ${Math.round(r.rps)} req/s, ${Math.round(r.nodeCpuPerRequest)} µs CPU/req` +
        (r.failed ? `, ${r.failed} failed` : ''),
    );
    if (!r.valid) notes.push(`${setup} @ ${size} ${kase} (${server}): ${r.failed} of ${r.requests} failed.`);
    return r;
  } catch (err) {
    put(setup, size, kase, server, { error: String(err.message ?? err) });
    notes.push(`${setup} @ ${size} ${kase} (${server}): ${String(err.message ?? err).split('\n')[0]}`);
    log(`${setup} @ ${size} ${kase} ${server}: ${err.message}`);
  }
}

const warm = (nodes, script) => load({ nodes, script, connections: 4, seconds: settings.warmup });

/** Ceiling-comparison operations, run against any server with the same routes. */
async function ratioOps(setup, size, server, nodes, prefix, pool, pg) {
  const dir = mkdtempSync(path.join(workDir, `${server}-`));
  const s = (shape) => writeScript(dir, shape, { shape, prefix, ids: pool });
  await warm(nodes, s('get'));
  for (const kase of ['get', 'put', 'patch', 'post'])
    await measure(setup, size, kase, server, nodes, s(kase), pg);
}

/** Methodical's cases at one size (the ratio ones first when this is the small size). */
async function methodicalCases(setup, size, nodes, pool, pg) {
  const dir = mkdtempSync(path.join(workDir, `m-${setup}-${size}-`));
  const s = (name, opts) => writeScript(dir, name, { prefix: '/api/items', ids: pool, ...opts });
  // The server must see what was seeded (a count kept beside the rows would be stale otherwise).
  const countRes = await fetch(`${nodes[0].url}/api/items?perPage=1`);
  const { totalItems } = await countRes.json();
  if (totalItems !== size)
    notes.push(`${setup} @ ${size}: the server counts ${totalItems} records, not ${size}.`);
  await warm(nodes, s('get', { shape: 'get' }));
  await measure(setup, size, 'get', 'methodical', nodes, s('get', { shape: 'get' }), pg);

  const writer = backgroundWriter(`${nodes[0].url}/api/items`, settings.backgroundRate, () =>
    makeFields(Math.random),
  );
  const list = await measure(
    setup,
    size,
    'list',
    'methodical',
    nodes,
    s('list', { shape: 'path', path: LIST_PATH }),
    pg,
  );
  const written = await writer.stop();
  if (list) list.background = written;

  const deep = await deepPath(nodes[0].url, settings.deepPage, size);
  meta.deep.set(`${setup}|${size}`, deep);
  await measure(setup, size, 'deep', 'methodical', nodes, s('deep', { shape: 'path', path: deep.path }), pg);

  if (meta.indexes)
    await measure(
      setup,
      size,
      'sort',
      'methodical',
      nodes,
      s('sort', { shape: 'path', path: SORT_PATH }),
      pg,
    );
  else put(setup, size, 'sort', 'methodical', { skipped: 'no `indexes` in this build' });

  if (size === settings.small) {
    await measure(setup, size, 'put', 'methodical', nodes, s('put', { shape: 'put' }), pg);
    await measure(setup, size, 'patch', 'methodical', nodes, s('patch', { shape: 'patch' }), pg);
  }
  await measure(setup, size, 'post', 'methodical', nodes, s('post', { shape: 'post' }), pg);

  if (size !== settings.small) {
    const mix = [
      ['get', 60],
      ['path', 10, LIST_PATH],
      ['path', 5, deep.path],
      ['post', 10],
      ['put', 5],
      ['patch', 10],
    ];
    await measure(setup, size, 'mixed', 'methodical', nodes, s('mixed', { shape: 'mixed', mix }), pg);
    rss.set(
      setup,
      nodes.map((n) => rssMiB(n.child.pid)),
    );
    log(
      `${setup} @ ${size}: RSS after the mixed load ${rss
        .get(setup)
        .map((m) => m?.toFixed(0))
        .join(', ')} MiB`,
    );
  }
}

async function sqlite(configFile, size, records, pool) {
  const dataDir = mkdtempSync(path.join(workDir, `sqlite-${size}-`));
  await seedMethodicalStore({
    root,
    configFile,
    dataDir,
    records,
    log: (m) => log(`sqlite @ ${size}: ${m}`),
  });
  const node = await startMethodical(configFile, dataDir);
  try {
    await methodicalCases('sqlite', size, [node], pool);
  } finally {
    await node.stop();
  }
  if (size !== settings.small) return;
  // The ceiling and json-server at the small size, on the same records (Methodical's POSTs above
  // grew its own collection, not theirs).
  const file = path.join(workDir, `ceiling-${size}.db`);
  seedCeilingDb(file, records);
  const ceiling = await startCeiling(['--db', file]);
  try {
    await ratioOps('sqlite', size, 'ceiling', [ceiling], '/api/items', pool);
  } finally {
    await ceiling.stop();
  }
  // The same ceiling with synchronous = NORMAL (no fsync per commit): what the stack costs in CPU
  // when the disk is out of the picture; shown beside, not what the targets are judged against.
  if (settings.ceilingNormal) {
    const normalFile = path.join(workDir, `ceiling-normal-${size}.db`);
    seedCeilingDb(normalFile, records);
    const normal = await startCeiling(['--db', normalFile], { BENCH_CEILING_SYNCHRONOUS: 'NORMAL' });
    try {
      await ratioOps('sqlite', size, 'ceiling-normal', [normal], '/api/items', pool);
    } finally {
      await normal.stop();
    }
  }
  if (!settings.jsonServer) return;
  const js = servers.find((s) => s.key === 'json-server');
  const reason = js.unavailable(root);
  if (reason) {
    notes.push(`json-server skipped: ${reason}.`);
    return;
  }
  const instance = await js.start({ root, workDir: mkdtempSync(path.join(workDir, 'js-')), records });
  try {
    await ratioOps('sqlite', size, 'json-server', [instance], '/items', pool);
  } finally {
    await instance.stop();
  }
}

async function postgres(configFile, size, records, pool) {
  const { client: admin, reason } = await connect(databaseUrl);
  if (!admin) {
    notes.push(`PostgreSQL skipped: nothing answered at ${settings.databaseUrl} (${reason}).`);
    settings.pg = false;
    return;
  }
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const schema = `methodical_bench_${tag}`;
  const appName = `methodical-bench-${tag}`;
  const url = withParams(databaseUrl, { options: `-c search_path=${schema}`, application_name: appName });
  const pgCpu = (await backendsVisible(admin)) ? { admin, appName } : {};
  try {
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const { seededBefore } = await seedMethodicalStore({
      root,
      configFile,
      databaseUrl: url,
      records,
      log: (m) => log(`pg @ ${size}: ${m}`),
    });
    if (size === settings.small) await seedCeilingPg(url, records);
    for (const [setup, count] of [
      ['pg1', 1],
      ['pg2', 2],
    ]) {
      const nodes = [];
      try {
        for (let i = 0; i < count; i++) {
          const dataDir = mkdtempSync(path.join(workDir, `${setup}-${i}-`));
          nodes.push(await startMethodical(configFile, dataDir, ['--database', url]));
        }
        await methodicalCases(setup, size, nodes, pool, pgCpu);
      } finally {
        for (const n of nodes) await n.stop();
      }
      // The two-node rows start from the seeded data too: the one-node rows' POSTs go (by SQL: this
      // store keeps no count beside the rows; the count check above would say if it did).
      await admin.query(`DELETE FROM "${schema}".items WHERE created > $1`, [seededBefore]);
      if (size !== settings.small) continue;
      const ceilings = [];
      try {
        for (let i = 0; i < count; i++) ceilings.push(await startCeiling(['--database', url]));
        await ratioOps(setup, size, 'ceiling', ceilings, '/api/items', pool, pgCpu);
      } finally {
        for (const c of ceilings) await c.stop();
      }
    }
  } catch (err) {
    notes.push(`PostgreSQL @ ${size}: ${String(err.message ?? err).split('\n')[0]}`);
    log(`PostgreSQL @ ${size}: ${err.stack ?? err}`);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await admin.end().catch(() => {});
  }
}

async function main() {
  if (spawnSync('wrk', ['--version']).error)
    throw new Error('wrk is not installed (Debian: apt-get install wrk)');
  const configFile = writeConfig();
  log(
    `sizes ${settings.small} and ${settings.large}${settings.pg ? ` (PostgreSQL ${settings.pgLarge})` : ''}; ` +
      `${settings.duration} s × ${settings.connections} connections per case; PostgreSQL ${settings.pg ? 'on' : 'off'}`,
  );
  for (const size of [settings.small, settings.large]) {
    const records = makeDataset(size);
    const pool = idPool(records, 10_000);
    try {
      await sqlite(configFile, size, records, pool);
    } catch (err) {
      notes.push(`SQLite @ ${size}: ${String(err.message ?? err).split('\n')[0]}`);
      log(`SQLite @ ${size}: ${err.stack ?? err}`);
    }
  }
  if (settings.pg) {
    for (const size of [settings.small, settings.pgLarge]) {
      const records = makeDataset(size);
      await postgres(configFile, size, records, idPool(records, 10_000));
      if (!settings.pg) break;
    }
  }
  report();
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    notes.push(String(err.message ?? err));
    log(err.stack ?? String(err));
    report();
    process.exit(1);
  },
);
