// `npm run bench:autocannon`: the older suite (login, rules, uploads, and the rest), driven by autocannon,
// on the same data, on this machine. Prints a Markdown table and writes bench/results/autocannon.md.
// Settings come from the environment; see bench/README.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { idPool, makeDataset, makeFields } from './lib/data.mjs';
import { measure } from './lib/load.mjs';
import { LIST_QUERY, operations, warmupOperation } from './lib/operations.mjs';
import { killAll } from './lib/proc.mjs';
import { renderReport } from './lib/report.mjs';
import { servers as allServers } from './lib/servers.mjs';
import { benchStores, renderStores } from './lib/stores.mjs';
import { checkTargets } from './lib/targets.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function envNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}
function envList(name, fallback) {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const settings = {
  duration: envNumber('BENCH_DURATION', 5),
  connections: Math.round(envNumber('BENCH_CONNECTIONS', 10)),
  sizes: envList('BENCH_SIZES', ['1000', '100000']).map((s) => {
    const n = Number(s.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_SIZES: "${s}" is not a positive integer`);
    return n;
  }),
  warmup: envNumber('BENCH_WARMUP', 2),
  // Each login attempt counts against the email until a success clears it: more than a few in
  // flight at once could reach the throttle (10 per email), so at most 8.
  loginConnections: Math.round(envNumber('BENCH_LOGIN_CONNECTIONS', 4)),
  uploadMiB: envNumber('BENCH_UPLOAD_MIB', 100),
  timeout: envNumber('BENCH_TIMEOUT', 720),
  poolSize: 10_000,
  // The stores section (SQLite and PostgreSQL under wrk): at these sizes, by default the first one.
  storesSizes: null,
  // `npm run bench` measures the stores with wrk; here only on request.
  stores: process.env.BENCH_STORES === '1',
  loadAverage: os.loadavg(),
  servers: envList(
    'BENCH_SERVERS',
    allServers.map((s) => s.key),
  ),
  operations: envList(
    'BENCH_OPS',
    // By default only the cases this suite's client is needed for (tokens from a setup, a streamed
    // and hashed 100 MiB body); throughput figures come from `npm run bench` (wrk).
    ['rules', 'login', 'upload'],
  ),
};

if (settings.loginConnections > 8) {
  throw new Error(`BENCH_LOGIN_CONNECTIONS must be at most 8 (the login throttle allows 10 per email)`);
}
for (const [name, chosen, known] of [
  ['BENCH_SERVERS', settings.servers, allServers],
  ['BENCH_OPS', settings.operations, operations],
]) {
  const unknown = chosen.filter((k) => !known.some((x) => x.key === k));
  if (unknown.length) {
    throw new Error(`${name}: unknown ${unknown.join(', ')}; known: ${known.map((x) => x.key).join(', ')}`);
  }
}

settings.storesSizes = envList('BENCH_STORES_SIZES', [String(settings.sizes[0])]).map((s) => {
  const n = Number(s.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_STORES_SIZES: "${s}" is not a positive integer`);
  return n;
});

const servers = allServers.filter((s) => settings.servers.includes(s.key));
const ops = operations.filter((o) => settings.operations.includes(o.key));
/** Operations measured at every size; the others (`once`) run after all sizes. */
const perSizeOps = ops.filter((o) => !o.once);
const onceOps = ops.filter((o) => o.once);
/** Where the results of `once` operations are kept in place of a size. */
const ONCE = 'once';
const results = new Map();
const notes = [];
const startedAt = new Date();
const log = (msg) =>
  process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0)}s] ${msg}\n`);
const resultKey = (size, op, server) => `${size}|${op}|${server}`;
const get = (size, op, server) => results.get(resultKey(size, op, server));
const put = (size, op, server, value) => results.set(resultKey(size, op, server), value);

const listTotals = new Map();
/** The stores section's results, by size. */
const storeResults = new Map();
const workDir = mkdtempSync(path.join(os.tmpdir(), 'methodical-bench-'));
let reported = false;

function report() {
  if (reported) return;
  reported = true;
  const checks = checkTargets(get);
  const md = renderReport({
    settings,
    servers,
    operations: ops,
    once: ONCE,
    get,
    checks,
    notes,
    startedAt,
    finishedAt: new Date(),
  });
  const stores = renderStores(storeResults, settings);
  const all = stores ? `${md.trimEnd()}\n\n${stores}` : md;
  process.stdout.write(`\n${all}\n`);
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/autocannon.md'), all);
  log('wrote bench/results/autocannon.md');
  return checks;
}

// Whatever happens, the servers die and the temporary data goes.
process.on('exit', () => {
  killAll();
  rmSync(workDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    process.exit(130);
  });
}
const deadline = setTimeout(() => {
  notes.push(`The run was stopped after BENCH_TIMEOUT=${settings.timeout} s; later results are missing.`);
  log(`timed out after ${settings.timeout} s`);
  killAll();
  report();
  process.exit(1);
}, settings.timeout * 1000);
deadline.unref();

/** Waits until the server answers again (a slow server may still be draining the last run). */
async function settle(base, server, pool) {
  const res = await fetch(base + server.routes.get(pool[0]), { signal: AbortSignal.timeout(60_000) });
  await res.arrayBuffer();
}

/** Replays requests by hand (up to 20) to show what a failing run answered. */
async function sampleFailure(base, makeRequest) {
  let last = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    const { method, path: p, headers, body } = makeRequest();
    try {
      const res = await fetch(base + p, { method, headers, body, signal: AbortSignal.timeout(10_000) });
      const text = (await res.text()).replace(/\s+/g, ' ').slice(0, 200);
      last = `${method} ${p} → ${res.status} ${text}`;
      if (res.status < 200 || res.status > 299) return last;
    } catch (err) {
      return `${method} ${p} → ${err.message}${err.cause ? ` (${err.cause.message ?? err.cause})` : ''}`;
    }
  }
  return `no failure when replayed 20 times; last: ${last}`;
}

const describeFailures = (r) =>
  Object.entries(r.statuses)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');

/** A label for log lines and notes: the server, and the size unless this is a `once` run. */
const where = (server, size) => (size === ONCE ? server.label : `${server.label} @ ${size}`);

/** Records an operation's failure: logged, noted, and its result is an error. */
function recordFailure(server, size, op, err) {
  const msg = String(err?.message ?? err);
  log(`${where(server, size)} ${op.label}: ${msg}`);
  notes.push(`${where(server, size)} ${op.label}: ${msg.split('\n')[0]}`);
  put(size, op.key, server.key, { error: msg });
}

/**
 * Runs the setup of every operation the server supports; returns each one's context. An operation
 * the server does not support is stored as skipped; one whose setup fails, as an error.
 */
async function setUp(server, size, list, ctx, instance) {
  const contexts = new Map();
  for (const op of list) {
    if (op.supports && !op.supports(server)) {
      put(size, op.key, server.key, { skipped: 'not supported' });
      continue;
    }
    if (!op.setup) {
      contexts.set(op.key, ctx);
      continue;
    }
    const t0 = Date.now();
    try {
      const extra = await op.setup(server, {
        ...ctx,
        url: instance.url,
        log: (m) => log(`${where(server, size)} ${op.label}: ${m}`),
      });
      contexts.set(op.key, { ...ctx, ...extra });
      log(`${where(server, size)} ${op.label}: set up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      recordFailure(server, size, op, err);
    }
  }
  return contexts;
}

/** Measures one operation (one autocannon run of its request, or its own `run`) and stores the result. */
async function runOperation(server, size, op, ctx, instance) {
  const connections = op.connections ? op.connections(settings) : settings.connections;
  const run = (makeRequest) =>
    measure({ url: instance.url, connections, duration: settings.duration, makeRequest });
  try {
    if (op.run) {
      const r = await op.run(server, ctx, {
        measure: run,
        url: instance.url,
        instance,
        settings,
        log: (m) => log(`${where(server, size)} ${op.label}: ${m}`),
      });
      put(size, op.key, server.key, r);
      const summary = op.summary?.(r);
      log(`${where(server, size)} ${op.label}: done${summary ? `; ${summary}` : ''}`);
      // Autocannon runs inside it, if any, report their failures here.
      for (const [name, sub] of Object.entries(r)) {
        if (sub?.failed) {
          notes.push(
            `${where(server, size)} ${op.label} (${name}): ${sub.failed} of ${sub.ok + sub.failed} requests ` +
              `failed (${describeFailures(sub)})`,
          );
        }
      }
      return;
    }
    const makeRequest = () => op.request(server, ctx);
    const r = await run(makeRequest);
    put(size, op.key, server.key, r);
    log(
      `${where(server, size)} ${op.label}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms` +
        (r.failed ? `, ${r.failed} failed (${describeFailures(r)})` : ''),
    );
    if (r.failed) {
      const sample = await sampleFailure(instance.url, makeRequest);
      notes.push(
        `${where(server, size)} ${op.label}: ${r.failed} of ${r.ok + r.failed} requests failed ` +
          `(${describeFailures(r)}); e.g. \`${sample}\``,
      );
    }
  } catch (err) {
    recordFailure(server, size, op, err);
  }
}

/** The `once` operations: each server that supports any of them is started empty, once. */
async function benchOnce(server) {
  const list = onceOps.filter((op) => !op.supports || op.supports(server));
  for (const op of onceOps)
    if (!list.includes(op)) put(ONCE, op.key, server.key, { skipped: 'not supported' });
  if (list.length === 0) return;
  const reason = server.unavailable(root);
  if (reason) {
    for (const op of list) put(ONCE, op.key, server.key, { skipped: reason });
    return;
  }
  const dir = mkdtempSync(path.join(workDir, `${server.key}-once-`));
  log(`${server.label}: starting empty for ${list.map((op) => op.key).join(', ')}`);
  let instance;
  try {
    instance = await server.start({
      root,
      workDir: dir,
      records: [],
      log: (m) => log(`${server.label}: ${m}`),
    });
    const contexts = await setUp(server, ONCE, list, {}, instance);
    for (const op of list) {
      if (contexts.has(op.key)) await runOperation(server, ONCE, op, contexts.get(op.key), instance);
    }
  } catch (err) {
    for (const op of list) if (!get(ONCE, op.key, server.key)) recordFailure(server, ONCE, op, err);
  } finally {
    await instance?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchServer(server, size, records, pool) {
  if (!perSizeOps.some((op) => !op.supports || op.supports(server))) {
    for (const op of perSizeOps) put(size, op.key, server.key, { skipped: 'not supported' });
    return; // nothing to measure on it at this size: not even started
  }
  const reason = server.unavailable(root);
  if (reason) {
    for (const op of perSizeOps) put(size, op.key, server.key, { skipped: reason });
    if (size === settings.sizes[0]) notes.push(`${server.label} skipped: ${reason}.`);
    log(`${server.label}: skipped (${reason})`);
    return;
  }
  const dir = mkdtempSync(path.join(workDir, `${server.key}-${size}-`));
  log(`${server.label} @ ${size}: starting and seeding`);
  const t0 = Date.now();
  let instance;
  try {
    instance = await server.start({ root, workDir: dir, records, log: (m) => log(`${server.label}: ${m}`) });
    if (server.routes.count) {
      const res = await fetch(instance.url + server.routes.count());
      const count = await server.totalFrom(res);
      if (count !== records.length)
        throw new Error(`seeded ${records.length} records but the server has ${count}`);
    }
    // Every server must find the same records for the filtered list, or the comparison is unfair.
    const listRes = await fetch(instance.url + server.routes.list(LIST_QUERY));
    if (!listRes.ok) throw new Error(`the filtered list answered ${listRes.status}: ${await listRes.text()}`);
    const matched = await server.totalFrom(listRes);
    if (!listTotals.has(size)) listTotals.set(size, new Map());
    listTotals.get(size).set(server.label, matched);
    log(
      `${server.label} @ ${size}: ready at ${instance.url} (${((Date.now() - t0) / 1000).toFixed(1)} s; filtered list matches ${matched})`,
    );

    const ctx = {
      records,
      pick: () => pool[Math.floor(Math.random() * pool.length)],
      fields: () => makeFields(Math.random),
    };
    const common = { url: instance.url, connections: settings.connections };
    const opContexts = await setUp(server, size, perSizeOps, ctx, instance);
    const warm = await measure({
      ...common,
      duration: settings.warmup,
      makeRequest: () => warmupOperation.request(server, ctx),
    });
    if (!warm.valid)
      notes.push(`${server.label} @ ${size}: warm-up had failures (${describeFailures(warm)}).`);

    for (const op of perSizeOps) {
      if (!opContexts.has(op.key)) continue; // not supported, or its setup failed (noted)
      await settle(instance.url, server, pool);
      await runOperation(server, size, op, opContexts.get(op.key), instance);
    }
  } catch (err) {
    const msg = String(err?.message ?? err);
    log(`${server.label} @ ${size}: ${msg}`);
    notes.push(`${server.label} @ ${size}: ${msg.split('\n')[0]}`);
    for (const op of perSizeOps)
      if (!get(size, op.key, server.key)) put(size, op.key, server.key, { error: msg });
  } finally {
    await instance?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  log(
    `sizes ${settings.sizes.join(', ')}; ${settings.duration} s × ${settings.connections} connections; ` +
      `servers ${servers.map((s) => s.key).join(', ')}; operations ${ops.map((o) => o.key).join(', ')}`,
  );
  for (const size of perSizeOps.length ? settings.sizes : []) {
    const records = makeDataset(size);
    const pool = idPool(records, settings.poolSize);
    for (const server of servers) await benchServer(server, size, records, pool);
    const totals = [...(listTotals.get(size) ?? new Map())];
    if (new Set(totals.map(([, n]) => n)).size > 1) {
      notes.push(
        `${size}: the servers disagree on how many records the filtered list matches: ` +
          totals.map(([name, n]) => `${name} ${n}`).join(', '),
      );
    }
  }
  const methodical = allServers.find((s) => s.key === 'methodical');
  if (settings.stores && !methodical.unavailable(root)) {
    for (const size of settings.storesSizes) {
      const records = makeDataset(size);
      const r = await benchStores({
        server: methodical,
        root,
        workDir: mkdtempSync(path.join(workDir, `stores-${size}-`)),
        records,
        pool: idPool(records, settings.poolSize),
        settings,
        ops: settings.operations,
        log,
      });
      storeResults.set(size, r);
      notes.push(...r.notes);
    }
  }
  for (const server of servers) await benchOnce(server);
  const checks = report();
  if (process.env.BENCH_STRICT === '1' && checks.some((c) => c.verdict === 'FAIL')) process.exitCode = 1;
}

main().then(
  () => process.exit(),
  (err) => {
    log(`failed: ${err?.stack ?? err}`);
    try {
      report();
    } catch {
      // the report itself failed; the error above says why
    }
    process.exit(1);
  },
);
