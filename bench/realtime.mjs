// Realtime figures (issue 14): events/s delivered to many Server-Sent Events subscribers at fixed
// POST rates, and the write path's cost with and without them (wrk POST req/s and the server's
// CPU µs per request, read from /proc/<pid>/stat), side by side in one run.
//
//   npm run bench:realtime        (builds, then runs this)
//   env: RT_SUBSCRIBERS (1000), RT_PROCS (subscriber processes, 4), RT_RATES (POST/s, "10,50,100,200"),
//        RT_SECONDS (per fan-out rate, 10), WRK_DURATION (s, 10), WRK_CONNECTIONS (16),
//        RT_DATABASE (a postgres:// URL: run on PostgreSQL, in a schema of its own, dropped after)
//
// Subscribers are plain HTTP clients in child processes (bench/lib/sse-subscribers.mjs) following
// the `items` topic; the server is `methodical serve` from dist/ on SQLite (or PostgreSQL). Everything shares the
// machine, so the subscribers' own CPU is taken from the server's: the figures are a floor.
import { execFile, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { writeScript } from './lib/lua.mjs';
import { killAll, startProcess } from './lib/proc.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const subscribers = Number(process.env.RT_SUBSCRIBERS) || 1000;
const procs = Number(process.env.RT_PROCS) || 4;
const rates = (process.env.RT_RATES || '10,50,100,200').split(',').map(Number);
const seconds = Number(process.env.RT_SECONDS) || 10;
const wrkSeconds = Number(process.env.WRK_DURATION) || 10;
const connections = Number(process.env.WRK_CONNECTIONS) || 16;
const TICK_US = 1e6 / 100; // CLK_TCK is 100 on Linux
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const work = mkdtempSync(path.join(tmpdir(), 'methodical-rt-'));

function cpuUs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US; // utime + stime
}

function wrk(url, script) {
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      ['-t1', `-c${connections}`, `-d${wrkSeconds}s`, '-s', script, url],
      { maxBuffer: 1 << 24 },
      (error, stdout) => {
        if (error) return reject(error);
        const m = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(stdout);
        if (!m) return reject(new Error(`wrk printed no result:\n${stdout}`));
        resolve({ requests: +m[1], seconds: +m[2] / 1e6, bad: +m[3] + +m[4], p99ms: +m[6] / 1000 });
      },
    );
  });
}

/** `subscribers` streams of `url`, spread over `procs` child processes; resolves once all are live. */
async function subscribe(url) {
  const children = [];
  const ready = [];
  for (let i = 0; i < procs; i++) {
    const share = Math.floor(subscribers / procs) + (i < subscribers % procs ? 1 : 0);
    const child = fork(path.join(root, 'bench/lib/sse-subscribers.mjs'), [url, String(share)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const errors = [];
    child.on('message', (m) => {
      if (m.type === 'error') errors.push(m.detail);
    });
    ready.push(
      new Promise((resolve, reject) => {
        child.on('message', (m) => {
          if (m.type !== 'ready') return;
          if (m.failed > 0) reject(new Error(`${m.failed} streams failed: ${errors.slice(0, 3).join('; ')}`));
          else resolve();
        });
        child.on('exit', (code) => reject(new Error(`subscriber process exited (${code})`)));
      }),
    );
    children.push(child);
  }
  await Promise.all(ready);
  const report = () =>
    Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            const on = (m) => {
              if (m.type !== 'report') return;
              child.off('message', on);
              resolve(m);
            };
            child.on('message', on);
            child.send('report');
          }),
      ),
    ).then((all) => ({
      events: all.reduce((n, r) => n + r.events, 0),
      closed: all.reduce((n, r) => n + r.closed, 0),
      lags: all.flatMap((r) => r.lags),
    }));
  const stop = () => {
    for (const child of children) child.send('stop');
  };
  return { report, stop };
}

/** POSTs at `rate` per second for `ms` (10 ms ticks, at most 256 in flight); resolves with how many were answered 201. */
async function postAt(base, rate, ms) {
  let due;
  let sent = 0;
  let created = 0;
  let failed = 0;
  let inFlight = 0;
  const start = Date.now();
  const pending = new Set();
  while (Date.now() - start < ms) {
    // Due by the clock, not by ticks: a late timer sends the ones it owes.
    due = (rate * (Date.now() - start)) / 1000;
    while (sent < Math.floor(due) && inFlight < 256) {
      sent++;
      inFlight++;
      const p = fetch(`${base}/api/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          title: `t=${Date.now()} live`,
          author: 'Bench',
          year: 2026,
          genre: 'science',
        }),
      })
        .then(async (res) => {
          await res.arrayBuffer();
          if (res.status === 201) created++;
          else failed++;
        })
        .catch(() => failed++)
        .finally(() => {
          inFlight--;
          pending.delete(p);
        });
      pending.add(p);
    }
    await sleep(10);
  }
  await Promise.all(pending);
  return { created, failed, seconds: (Date.now() - start) / 1000 };
}

const percentile = (xs, p) => {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const config = JSON.parse(readFileSync(path.join(root, 'bench/methodical.bench.json'), 'utf8'));
// Every subscriber comes from 127.0.0.1 without signing in: one client, as far as the bound goes.
config.realtime = { connectionsPerClient: subscribers + 16 };
const configFile = path.join(work, 'methodical.realtime.json');
writeFileSync(configFile, JSON.stringify(config));

/** Where the server keeps its data: a data folder, or with RT_DATABASE a fresh PostgreSQL schema. */
async function storeArgs() {
  const url = process.env.RT_DATABASE;
  if (!url) return { args: ['--data', path.join(work, 'data')], label: 'SQLite', drop: async () => {} };
  const schema = `methodical_rt_${process.pid}`;
  const run = async (sql) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE SCHEMA ${schema}`);
  const inSchema = new URL(url);
  inSchema.searchParams.set('options', `-c search_path=${schema}`);
  return {
    args: ['--database', inSchema.toString()],
    label: 'PostgreSQL',
    drop: () => run(`DROP SCHEMA ${schema} CASCADE`),
  };
}

const store = await storeArgs();
const started = { load: loadavg()[0].toFixed(1), cores: cpus().length, at: new Date().toISOString() };
try {
  const srv = await startProcess({
    name: 'methodical',
    command: process.execPath,
    args: [path.join(root, 'dist/cli/bin.js'), 'serve', '--config', configFile, ...store.args, '--port', '0'],
    cwd: root,
    readyLine: /Methodical listening on (http:\/\/\S+)/,
  });
  const pid = srv.child.pid;
  const script = writeScript(work, 'post', { shape: 'post', prefix: '/api/items' });
  const writes = [];
  const measureWrites = async (label) => {
    const before = cpuUs(pid);
    const r = await wrk(srv.url, script);
    const cpu = cpuUs(pid) - before;
    const row = {
      subscribers: label,
      rps: Math.round(r.requests / r.seconds),
      cpuUs: +(cpu / r.requests).toFixed(1),
      p99ms: r.p99ms,
      bad: r.bad,
    };
    writes.push({ ...row, dropped: 0 });
    console.log(JSON.stringify({ phase: 'write path', ...row }));
  };

  await measureWrites(0);
  const subs = await subscribe(`${srv.url}/api/realtime?topics=items`);
  console.log(`${subscribers} subscribers live`);
  const fanout = [];
  for (const rate of rates) {
    const before = await subs.report();
    const cpuBefore = cpuUs(pid);
    const posted = await postAt(srv.url, rate, seconds * 1000);
    const during = await subs.report();
    const cpuDuring = cpuUs(pid) - cpuBefore;
    // What was still on its way when posting stopped.
    await sleep(2000);
    const after = await subs.report();
    const expected = posted.created * subscribers;
    const delivered = after.events - before.events;
    const row = {
      rate,
      postsPerSecond: Math.round(posted.created / posted.seconds),
      eventsPerSecond: Math.round((during.events - before.events) / posted.seconds),
      delivered: `${((100 * delivered) / expected).toFixed(1)}%`,
      lagP50: percentile([...during.lags, ...after.lags], 50),
      lagP99: percentile([...during.lags, ...after.lags], 99),
      cpuUsPerEvent: +(cpuDuring / Math.max(1, during.events - before.events)).toFixed(2),
      serverCpu: `${Math.round((100 * cpuDuring) / (posted.seconds * 1e6))}%`,
      dropped: after.closed - before.closed,
      failedPosts: posted.failed,
    };
    fanout.push(row);
    console.log(JSON.stringify({ phase: 'fan-out', ...row }));
  }
  // Last, the write path at full speed with every subscriber following: a stream that falls more
  // than realtime.queue behind is cut (its client would reconnect with Last-Event-ID).
  const beforeWrk = await subs.report();
  await measureWrites(subscribers);
  await sleep(2000);
  writes.at(-1).dropped = (await subs.report()).closed - beforeWrk.closed;
  subs.stop();
  await srv.stop();

  const lines = [
    '# Realtime (issue 14)',
    '',
    `Run ${started.at} on ${started.cores} cores (load average ${started.load} at the start), ${store.label},`,
    `\`methodical serve\` from dist/; ${subscribers} SSE subscribers of \`/api/realtime?topics=items\` in ${procs}`,
    'Node processes on the same machine (their CPU is taken from the server: the figures are a floor).',
    '',
    `## Fan-out: events delivered to ${subscribers} subscribers at a fixed POST rate (${seconds} s each)`,
    '',
    '| POST/s asked | POST/s done | events/s delivered | delivered of expected | lag p50 ms | lag p99 ms | server CPU µs/event | server CPU | streams dropped |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...fanout.map(
      (r) =>
        `| ${r.rate} | ${r.postsPerSecond} | ${r.eventsPerSecond} | ${r.delivered} | ${r.lagP50 ?? '–'} | ${r.lagP99 ?? '–'} | ${r.cpuUsPerEvent} | ${r.serverCpu} | ${r.dropped} |`,
    ),
    '',
    `## Write path: wrk POST /api/items (${connections} connections, ${wrkSeconds} s), with and without subscribers`,
    '',
    'Every write appends its change-log row in its own transaction either way; with subscribers, the',
    'server also hands each change to every stream.',
    '',
    '| subscribers | POST req/s | server CPU µs/req | p99 ms | non-2xx/errors | streams cut (too far behind) |',
    '|--:|--:|--:|--:|--:|--:|',
    ...writes.map(
      (r) => `| ${r.subscribers} | ${r.rps} | ${r.cpuUs} | ${r.p99ms} | ${r.bad} | ${r.dropped} |`,
    ),
    '',
  ];
  const markdown = lines.join('\n');
  console.log(`\n${markdown}`);
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  const file = store.label === 'SQLite' ? 'realtime.md' : 'realtime-postgres.md';
  writeFileSync(path.join(root, 'bench/results', file), markdown);
} finally {
  killAll();
  await store.drop();
  rmSync(work, { recursive: true, force: true });
}
