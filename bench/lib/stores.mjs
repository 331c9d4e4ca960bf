// The stores section: Methodical on SQLite, on PostgreSQL with one node and on PostgreSQL with two
// nodes sharing one schema, each loaded by wrk (a C client, so the client is not what is measured)
// with GET by id, the filtered list, PUT and POST. The CPU the node processes spent per request is
// read from /proc/<pid>/stat, and PostgreSQL's own (the backends serving this run, found by their
// application_name) separately, when the server runs on this machine.
//
// Two nodes: both serve processes run at once on one schema; the load is split across them by
// running two wrk processes at the same time, one per node, with half the connections each (no
// load balancer in between, so its cost is not counted).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { writeScript } from './lua.mjs';
import { LIST_QUERY } from './operations.mjs';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const CLOCK_TICK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The operations of this section, in the order they run (POST last: it grows the collection). */
export const STORE_OPS = ['get', 'list', 'put', 'post'];
export const STORE_OP_LABELS = {
  get: 'GET by id',
  list: 'filtered list',
  put: 'PUT replace',
  post: 'POST create',
};
export const STORE_SETUPS = [
  { key: 'sqlite', label: 'SQLite, 1 node' },
  { key: 'pg1', label: 'PostgreSQL, 1 node' },
  { key: 'pg2', label: 'PostgreSQL, 2 nodes' },
];

/** utime + stime of a process in µs, or undefined once it is gone or unreadable. */
export function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICK) * 1e6;
  } catch {
    return undefined;
  }
}

/** The filtered list the stores section measures. */
const LIST_URL = `/api/items?filter=${encodeURIComponent(`year >= ${LIST_QUERY.yearGte} && genre = "${LIST_QUERY.genre}"`)}&page=${LIST_QUERY.page}&perPage=${LIST_QUERY.perPage}`;

/** Runs wrk once; resolves with its counts (latencies in µs). */
export function wrk(url, connections, seconds, script) {
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, url],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        const m = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(stdout ?? '');
        if (!m)
          return reject(new Error(`wrk printed no result: ${err?.message ?? ''} ${stderr ?? ''}`.trim()));
        const [requests, durationUs, non2xx, socketErrors, p50, p99] = m.slice(1).map(Number);
        resolve({ requests, durationUs, non2xx, socketErrors, p50, p99 });
      },
    );
  });
}

/** The PostgreSQL backends serving this run's nodes, with their CPU so far (µs). */
export async function backendCpu(admin, appName) {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
    appName,
  ]);
  const cpu = new Map();
  for (const { pid } of rows) {
    const us = cpuMicros(pid);
    if (us !== undefined) cpu.set(pid, us);
  }
  return cpu;
}

/** Whether PostgreSQL runs on this machine (its backends' /proc entries readable). */
export async function backendsVisible(admin) {
  const { rows } = await admin.query('SELECT pg_backend_pid() AS pid');
  return cpuMicros(rows[0].pid) !== undefined;
}

/**
 * Loads `nodes` (one or two instances) at once with the same operation, splitting the connections
 * between them; returns req/s (2xx), p50/p99 (the worst over the wrk processes), failures, and CPU
 * per request of the nodes (summed) and of PostgreSQL's backends (when readable).
 */
export async function load({ nodes, script, connections, seconds, admin, appName }) {
  const per = Math.max(1, Math.round(connections / nodes.length));
  const nodeBefore = nodes.map((n) => cpuMicros(n.child.pid) ?? 0);
  const pgBefore = admin ? await backendCpu(admin, appName) : null;
  const runs = await Promise.all(nodes.map((n) => wrk(`${n.url}/`, per, seconds, script)));
  const nodeCpu = nodes.reduce((sum, n, i) => sum + ((cpuMicros(n.child.pid) ?? 0) - nodeBefore[i]), 0);
  let pgCpu;
  if (pgBefore) {
    const after = await backendCpu(admin, appName);
    pgCpu = 0;
    for (const [pid, us] of after) pgCpu += us - (pgBefore.get(pid) ?? 0);
  }
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const failed = runs.reduce((n, r) => n + r.non2xx + r.socketErrors, 0);
  const ok = requests - runs.reduce((n, r) => n + r.non2xx, 0);
  const seconds_ = Math.max(...runs.map((r) => r.durationUs)) / 1e6;
  return {
    rps: ok / seconds_,
    p50: Math.max(...runs.map((r) => r.p50)) / 1000,
    p99: Math.max(...runs.map((r) => r.p99)) / 1000,
    requests,
    failed,
    valid: failed <= requests * 0.01,
    nodeCpuPerRequest: nodeCpu / Math.max(1, requests),
    pgCpuPerRequest: pgCpu === undefined ? undefined : pgCpu / Math.max(1, requests),
  };
}

/** Tries the database; resolves with a connected client, or with the reason it cannot be used. */
export async function connect(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return { client };
  } catch (err) {
    await client.end().catch(() => {});
    return { reason: err?.message || String(err) };
  }
}

export const withParams = (url, params) => {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
};
export const redact = (url) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

/**
 * The whole section at one size: returns `{ results: Map<setup|op, result>, notes, databaseUrl }`.
 * `server` is the Methodical adapter of lib/servers.mjs; `records` the seeded dataset; `pool` the
 * ids GET and PUT draw from.
 */
export async function benchStores({ server, root, workDir, records, pool, settings, log, ops }) {
  const results = new Map();
  const notes = [];
  const chosen = STORE_OPS.filter((op) => ops.includes(op));
  const databaseUrl = process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL;
  const out = { results, notes, databaseUrl: redact(databaseUrl), ops: chosen, pgCpu: false };
  if (chosen.length === 0) return out;
  if (spawnSync('wrk', ['--version']).error) {
    notes.push('The stores section was skipped: wrk is not installed (Debian: apt-get install wrk).');
    return out;
  }
  const scripts = {};
  mkdirSync(workDir, { recursive: true });
  for (const op of chosen) {
    scripts[op] =
      op === 'list'
        ? writeScript(workDir, op, { shape: 'path', ids: pool, path: LIST_URL })
        : writeScript(workDir, op, { shape: op, ids: pool });
  }
  const seconds = settings.duration;
  const connections = settings.connections;
  const warm = async (nodes) => {
    await Promise.all(
      nodes.map((n) => wrk(`${n.url}/`, 2, settings.warmup, scripts.get ?? scripts[chosen[0]])),
    );
  };
  const measureAll = async (nodesFor, extra) => {
    for (const op of chosen) {
      for (const [key, nodes] of nodesFor) {
        try {
          const r = await load({ nodes, script: scripts[op], connections, seconds, ...extra });
          results.set(`${key}|${op}`, r);
          log(
            `${key} ${op}: ${Math.round(r.rps)} req/s, p99 ${r.p99.toFixed(1)} ms, node CPU ${r.nodeCpuPerRequest.toFixed(0)} µs/req` +
              (r.pgCpuPerRequest === undefined
                ? ''
                : `, PostgreSQL CPU ${r.pgCpuPerRequest.toFixed(0)} µs/req`) +
              (r.failed ? `, ${r.failed} failed` : ''),
          );
        } catch (err) {
          results.set(`${key}|${op}`, { error: String(err?.message ?? err) });
          notes.push(`stores ${key} ${op}: ${String(err?.message ?? err).split('\n')[0]}`);
        }
      }
    }
  };

  // SQLite: one node, a data folder of its own.
  let sqlite;
  try {
    log(`stores: SQLite @ ${records.length}: starting and seeding`);
    sqlite = await server.start({ root, workDir: path.join(workDir, 'sqlite'), records, log });
    await warm([sqlite]);
    await measureAll([['sqlite', [sqlite]]], {});
  } catch (err) {
    notes.push(`stores SQLite: ${String(err?.message ?? err).split('\n')[0]}`);
  } finally {
    await sqlite?.stop();
  }

  // PostgreSQL: a schema of this run's own, dropped afterwards.
  const { client: admin, reason } = await connect(databaseUrl);
  if (!admin) {
    notes.push(
      `The PostgreSQL rows were skipped: no PostgreSQL answered at ${redact(databaseUrl)} (${reason}); ` +
        'set BENCH_DATABASE_URL=postgres://… to name one.',
    );
    for (const key of ['pg1', 'pg2']) for (const op of chosen) results.set(`${key}|${op}`, { skipped: true });
    return out;
  }
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const schema = `methodical_bench_${tag}`;
  const appName = `methodical-bench-${tag}`;
  const url = withParams(databaseUrl, { options: `-c search_path=${schema}`, application_name: appName });
  const nodes = [];
  try {
    out.pgCpu = await backendsVisible(admin);
    if (!out.pgCpu) notes.push("PostgreSQL's own CPU is not shown: its processes are not on this machine.");
    await admin.query(`CREATE SCHEMA "${schema}"`);
    log(
      `stores: PostgreSQL @ ${records.length}: starting two nodes on schema ${schema}, seeding through one`,
    );
    const flags = ['--database', url];
    nodes.push(
      await server.start({ root, workDir: path.join(workDir, 'pg-a'), records, log, extraArgs: flags }),
    );
    nodes.push(
      await server.start({ root, workDir: path.join(workDir, 'pg-b'), records: [], log, extraArgs: flags }),
    );
    await warm(nodes);
    await measureAll(
      [
        ['pg1', [nodes[0]]],
        ['pg2', nodes],
      ],
      out.pgCpu ? { admin, appName } : {},
    );
  } catch (err) {
    notes.push(`stores PostgreSQL: ${String(err?.message ?? err).split('\n')[0]}`);
  } finally {
    for (const n of nodes) await n.stop();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((err) => {
      notes.push(`stores: could not drop schema ${schema}: ${err.message}`);
    });
    await admin.end().catch(() => {});
  }
  return out;
}

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => (n >= 100 ? int(n) : n.toFixed(1).replace(/\.0$/, ''));

/** The section's Markdown: one table per size. */
export function renderStores(bySize, settings) {
  if (bySize.size === 0) return '';
  const lines = ['## Stores: SQLite and PostgreSQL (wrk)', ''];
  const first = [...bySize.values()][0];
  lines.push(
    `Methodical only, loaded by wrk (\`-t1\`, ${settings.connections} connections, ${settings.duration} s per run, ` +
      `${settings.warmup} s warm-up). PostgreSQL at \`${first.databaseUrl}\`, in a schema of this run's own ` +
      '(dropped afterwards); uploads in PostgreSQL too (the default in that mode, not exercised here). ' +
      'Two nodes: two `serve` processes on one schema, loaded at once by two wrk processes with half the ' +
      'connections each (no load balancer in between); req/s is their sum, p99 the worse of the two. ' +
      'Node CPU is utime + stime of the serve processes (summed) per request; PostgreSQL CPU that of the ' +
      'backends serving them (found by application_name), per request, when PostgreSQL runs on this machine. ' +
      `All of it shares this machine's ${os.cpus().length} CPU cores: the nodes, PostgreSQL and wrk compete for them, ` +
      'so a second node adds no cores here; its rows show what spreading the load costs, not what more machines gain.',
    '',
  );
  for (const [size, { results, ops, pgCpu }] of bySize) {
    lines.push(`### ${int(size)} records`, '');
    lines.push(
      '| operation | store | req/s | p50 ms | p99 ms | failed | node CPU µs/req | PostgreSQL CPU µs/req | vs SQLite |',
      '|---|---|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const op of ops) {
      const base = results.get(`sqlite|${op}`);
      for (const setup of STORE_SETUPS) {
        const r = results.get(`${setup.key}|${op}`);
        if (!r) continue;
        if (r.skipped || r.error) {
          lines.push(
            `| ${STORE_OP_LABELS[op]} | ${setup.label} | ${r.skipped ? 'skipped' : 'error'} | – | – | – | – | – | – |`,
          );
          continue;
        }
        const ratio = base?.rps && setup.key !== 'sqlite' ? `${(r.rps / base.rps).toFixed(2)}×` : '–';
        lines.push(
          `| ${STORE_OP_LABELS[op]} | ${setup.label} | ${int(r.rps)}${r.valid ? '' : ' ✗'} | ${ms(r.p50)} | ${ms(r.p99)} | ` +
            `${int(r.failed)} | ${int(r.nodeCpuPerRequest)} | ${pgCpu && setup.key !== 'sqlite' && r.pgCpuPerRequest !== undefined ? int(r.pgCpuPerRequest) : '–'} | ${ratio} |`,
        );
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
