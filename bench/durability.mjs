#!/usr/bin/env node
// POST throughput with durable commits (durability "full": synchronous=FULL, group commit) against
// durability "normal" (synchronous=NORMAL, the setting before durable commits), side by side in
// one run. Load comes from wrk (a C client, so the client is not what is measured); the server's
// CPU per request is read from /proc/<pid>/stat around each run.
//
//   npm run bench:durability
//   BENCH_DURATION=5 BENCH_CONNECTIONS=32 BENCH_ROUNDS=3 npm run bench:durability
//   BENCH_BASELINE_BIN=../old/dist/cli/bin.js npm run bench:durability   # adds a build from before
//
// BENCH_BASELINE_BIN names the CLI of an earlier build (one commit per write, synchronous=NORMAL,
// no `durability` key): it runs as a third setting with the same config minus that key.
//
// Each round starts a fresh server per setting (empty data folder, the bench config), warms it
// up, then runs wrk; settings alternate within a round so that drift on a shared machine falls on
// both. The median over rounds is reported, in bench/results/durability.md and on stdout.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from './lib/proc.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION) || 10;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS) || 32;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const BASELINE = process.env.BENCH_BASELINE_BIN ? path.resolve(process.env.BENCH_BASELINE_BIN) : undefined;
const SETTINGS = ['full', 'normal', ...(BASELINE ? ['baseline'] : [])];
const CLOCK_TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

if (spawnSync('wrk', ['--version']).error) {
  console.error('wrk is not installed (Debian: apt-get install wrk); it drives the load.');
  process.exit(2);
}

// Fresh ~200-byte records, like the main bench's POST bodies.
const LUA = `
local genres = { "fiction", "science", "history" }
local n = 0
request = function()
  n = n + 1
  local body = string.format(
    '{"title":"Book %d of the durability run","author":"Author %d","year":%d,"genre":"%s","price":%d.5,"inStock":true,"isbn":"978-0-%06d"}',
    n, n % 97, 1900 + n % 120, genres[n % 3 + 1], n % 50, n % 1000000)
  return wrk.format("POST", "/api/items", { ["Content-Type"] = "application/json" }, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

/** utime + stime of a process, in µs. */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICK) * 1e6;
}

async function startServer(setting, dir) {
  const config = JSON.parse(readFileSync(path.join(ROOT, 'bench/methodical.bench.json'), 'utf8'));
  const file = path.join(dir, 'methodical.config.json');
  const baseline = setting === 'baseline';
  writeFileSync(file, JSON.stringify(baseline ? config : { ...config, durability: setting }));
  return startProcess({
    name: `methodical (${setting})`,
    command: process.execPath,
    args: [
      baseline ? BASELINE : path.join(ROOT, 'dist/cli/bin.js'),
      'serve',
      '--config',
      file,
      '--data',
      path.join(dir, 'data'),
      '--port',
      '0',
    ],
    cwd: dir,
    env: { LOG_LEVEL: 'error' },
    readyLine: /Methodical listening on (http:\/\/\S+)/,
  });
}

function wrk(url, seconds, script) {
  const out = execFileSync(
    'wrk',
    ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', script, url],
    {
      encoding: 'utf8',
    },
  );
  const m = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out);
  if (!m) throw new Error(`wrk printed no result:\n${out}`);
  const [requests, durationUs, non2xx, socketErrors, p50, p99] = m.slice(1).map(Number);
  return { requests, durationUs, non2xx, socketErrors, p50, p99 };
}

async function measure(durability, script) {
  const dir = mkdtempSync(path.join(tmpdir(), `methodical-durability-${durability}-`));
  const server = await startServer(durability, dir);
  try {
    wrk(`${server.url}/api/items`, 2, script); // warm-up
    const cpuBefore = cpuMicros(server.child.pid);
    const run = wrk(`${server.url}/api/items`, DURATION, script);
    const cpu = cpuMicros(server.child.pid) - cpuBefore;
    const ok = run.requests - run.non2xx;
    return {
      durability,
      rps: ok / (run.durationUs / 1e6),
      cpuPerRequest: cpu / Math.max(1, run.requests),
      p50ms: run.p50 / 1000,
      p99ms: run.p99 / 1000,
      errors: run.non2xx + run.socketErrors,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const scratch = mkdtempSync(path.join(tmpdir(), 'methodical-durability-'));
const script = path.join(scratch, 'post.lua');
writeFileSync(script, LUA);
const load = loadavg()[0].toFixed(2);
const results = Object.fromEntries(SETTINGS.map((s) => [s, []]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? SETTINGS : [...SETTINGS].reverse();
    for (const durability of order) {
      const r = await measure(durability, script);
      results[durability].push(r);
      console.error(
        `round ${round + 1} ${durability}: ${r.rps.toFixed(0)} req/s, ${r.cpuPerRequest.toFixed(1)} µs CPU/req, p99 ${r.p99ms.toFixed(1)} ms, ${r.errors} errors`,
      );
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const row = (s) => {
  const rs = results[s];
  return {
    rps: median(rs.map((r) => r.rps)),
    cpu: median(rs.map((r) => r.cpuPerRequest)),
    p50: median(rs.map((r) => r.p50ms)),
    p99: median(rs.map((r) => r.p99ms)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
  };
};
const full = row('full');
const normal = row('normal');
const baseline = BASELINE ? row('baseline') : undefined;
const lines = [
  '# POST with durable commits',
  '',
  `${new Date().toISOString()} · Node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'} · load ${load} at start`,
  `wrk -t1 -c${CONNECTIONS} -d${DURATION}s, POST /api/items (~200-byte records), fresh server per run, median of ${ROUNDS} rounds; server CPU from /proc.`,
  '',
  '| durability | req/s | server CPU µs/req | p50 ms | p99 ms | errors |',
  '|---|--:|--:|--:|--:|--:|',
  `| full (default: synchronous=FULL, group commit) | ${full.rps.toFixed(0)} | ${full.cpu.toFixed(1)} | ${full.p50.toFixed(2)} | ${full.p99.toFixed(2)} | ${full.errors} |`,
  `| normal (synchronous=NORMAL, group commit) | ${normal.rps.toFixed(0)} | ${normal.cpu.toFixed(1)} | ${normal.p50.toFixed(2)} | ${normal.p99.toFixed(2)} | ${normal.errors} |`,
  ...(baseline
    ? [
        `| earlier build (synchronous=NORMAL, one commit per write) | ${baseline.rps.toFixed(0)} | ${baseline.cpu.toFixed(1)} | ${baseline.p50.toFixed(2)} | ${baseline.p99.toFixed(2)} | ${baseline.errors} |`,
      ]
    : []),
  '',
  `full / normal: ${(full.rps / normal.rps).toFixed(2)}× the rate, ${(full.cpu / normal.cpu).toFixed(2)}× the CPU per request.`,
  ...(baseline
    ? [
        `full / earlier build: ${(full.rps / baseline.rps).toFixed(2)}× the rate, ${(full.cpu / baseline.cpu).toFixed(2)}× the CPU per request.`,
      ]
    : []),
  '',
];
writeFileSync(path.join(ROOT, 'bench/results/durability.md'), lines.join('\n'));
console.log(lines.join('\n'));
