// Write-path figures with wrk: POST, PUT and PATCH against Methodical builds and the ceiling, side
// by side in one run, each server's CPU per request read from /proc/<pid>/stat (noise moves it
// much less than req/s on a shared machine).
//
//   node bench/writes-wrk.mjs [--bin dist/cli/bin.js] [--bin OTHER/dist/cli/bin.js ...]
//     env: WRK_DURATION (s, default 5), WRK_CONNECTIONS (32), WRK_RECORDS (20000), WRK_ROUNDS (1)
//
// Every server is started and seeded first (the same records), then each operation runs on each
// server in turn, so a busy moment of the machine is shared rather than landing on one server.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedCeilingDb } from './ceiling.mjs';
import { makeDataset } from './lib/data.mjs';
import { killAll, startProcess } from './lib/proc.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const duration = Number(process.env.WRK_DURATION) || 5;
const connections = Number(process.env.WRK_CONNECTIONS) || 32;
const count = Number(process.env.WRK_RECORDS) || 20_000;
const rounds = Number(process.env.WRK_ROUNDS) || 1;
const bins = [];
for (let i = 2; i < process.argv.length; i++) if (process.argv[i] === '--bin') bins.push(process.argv[++i]);
if (bins.length === 0) bins.push('dist/cli/bin.js');

const work = mkdtempSync(path.join(tmpdir(), 'methodical-wrk-'));
const records = makeDataset(count);
const TICK_US = 1e6 / 100; // CLK_TCK is 100 on Linux

/** Seeded ids id0..idN-1 in a Lua table, so PUT/PATCH pick existing records. */
function lua(method) {
  const ids = records.map((r) => `"${r.id}"`).join(',');
  const body = `'{"title":"Title ' .. math.random(1, 1e9) .. '","author":"Ann B. Writer","year":' .. math.random(1900, 2024) .. ',"genre":"science","price":' .. (math.random(199, 9999) / 100) .. ',"inStock":true,"isbn":"978-1-' .. math.random(10000, 99999) .. '-123-4"}'`;
  const patch = `'{"price":' .. (math.random(199, 9999) / 100) .. ',"year":' .. math.random(1900, 2024) .. '}'`;
  return `local ids = {${ids}}
local headers = { ["Content-Type"] = "application/json" }
request = function()
  ${
    method === 'POST'
      ? `return wrk.format("POST", "/api/items", headers, ${body})`
      : `return wrk.format("${method}", "/api/items/" .. ids[math.random(1, #ids)], headers, ${method === 'PUT' ? body : patch})`
  }
end
done = function(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d\\n", summary.requests, summary.duration, bad, latency:percentile(99)))
end
`;
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) }; // utime, stime
}

function wrk(url, script) {
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      ['-t1', `-c${connections}`, `-d${duration}s`, '-s', script, url],
      { maxBuffer: 1 << 24 },
      (error, stdout) => {
        if (error) return reject(error);
        const m = /RESULT (\d+) (\d+) (\d+) (\d+)/.exec(stdout);
        if (!m) return reject(new Error(`wrk printed no result:\n${stdout}`));
        resolve({ requests: +m[1], seconds: +m[2] / 1e6, bad: +m[3], p99ms: +m[4] / 1000 });
      },
    );
  });
}

async function startMethodical(bin, i) {
  const dataDir = path.join(work, `m${i}`);
  const srv = await startProcess({
    name: `methodical ${bin}`,
    command: process.execPath,
    args: [
      path.resolve(root, bin),
      'serve',
      '--config',
      'bench/methodical.bench.json',
      '--data',
      dataDir,
      '--port',
      '0',
    ],
    cwd: root,
    readyLine: /Methodical listening on (http:\/\/\S+)/,
  });
  for (let at = 0; at < records.length; at += 100) {
    const requests = records.slice(at, at + 100).map(({ id, ...fields }) => ({
      method: 'PUT',
      url: `/api/items/${id}`,
      body: fields,
    }));
    const res = await fetch(`${srv.url}/api/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests }),
    });
    if (res.status !== 200) throw new Error(`seeding ${bin}: ${res.status} ${await res.text()}`);
  }
  return { name: bin, srv, ops: ['POST', 'PUT', 'PATCH'] };
}

async function startCeiling() {
  const file = path.join(work, 'ceiling.db');
  seedCeilingDb(file, records);
  const srv = await startProcess({
    name: 'ceiling',
    command: process.execPath,
    args: ['bench/ceiling.mjs', '--db', file, '--host', '127.0.0.1', '--port', '0'],
    cwd: root,
    readyLine: /Ceiling listening on (http:\/\/\S+)/,
  });
  return { name: 'ceiling', srv, ops: ['POST', 'PUT'] };
}

try {
  const servers = [await startCeiling()];
  for (const [i, bin] of bins.entries()) servers.push(await startMethodical(bin, i));
  const scripts = {};
  for (const op of ['POST', 'PUT', 'PATCH']) {
    scripts[op] = path.join(work, `${op}.lua`);
    writeFileSync(scripts[op], lua(op));
  }
  const rows = [];
  for (let round = 0; round < rounds; round++) {
    for (const op of ['PUT', 'PATCH', 'POST']) {
      for (const s of servers) {
        if (!s.ops.includes(op)) continue;
        const pid = s.srv.child.pid;
        const before = cpuTicks(pid);
        const r = await wrk(s.srv.url, scripts[op]);
        const after = cpuTicks(pid);
        const perRequest = (ticks) => +((ticks * TICK_US) / r.requests).toFixed(1);
        const row = {
          server: s.name,
          op,
          rps: Math.round(r.requests / r.seconds),
          cpuUs: perRequest(after.user + after.system - before.user - before.system),
          sysUs: perRequest(after.system - before.system),
          p99ms: r.p99ms,
          bad: r.bad,
        };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
  }
  console.log(
    '\n| server | op | req/s | CPU µs/req | of it kernel | p99 ms | non-2xx/errors |\n|---|---|--:|--:|--:|--:|--:|',
  );
  for (const r of rows)
    console.log(`| ${r.server} | ${r.op} | ${r.rps} | ${r.cpuUs} | ${r.sysUs} | ${r.p99ms} | ${r.bad} |`);
  if (rounds > 1) {
    // Medians over the rounds: one busy moment of the machine moves a median little.
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`\nmedians of ${rounds} rounds\n| server | op | req/s | CPU µs/req |\n|---|---|--:|--:|`);
    for (const s of servers) {
      for (const op of s.ops) {
        const mine = rows.filter((r) => r.server === s.name && r.op === op);
        console.log(
          `| ${s.name} | ${op} | ${median(mine.map((r) => r.rps))} | ${median(mine.map((r) => r.cpuUs))} |`,
        );
      }
    }
  }
} finally {
  killAll();
  rmSync(work, { recursive: true, force: true });
}
