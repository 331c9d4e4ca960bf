// The Markdown `npm run bench` prints: Methodical against the ceiling, flat with size, RSS — each
// with the issue's target beside the measured figure and PASS/FAIL (a benchmark, not a test: one
// run on a shared machine).
import { CASE_LABELS } from './cases.mjs';

const SETUPS = [
  { key: 'sqlite', label: 'SQLite' },
  { key: 'pg1', label: 'PostgreSQL, 1 node' },
  { key: 'pg2', label: 'PostgreSQL, 2 nodes' },
];
export const TARGETS = { post: 0.6, get: 0.8, updateCpu: 1.2, flat: 0.8, rssMiB: 150 };

const int = (n) => Math.round(n).toLocaleString('en-US');
const ok = (r) => r && !r.skipped && !r.error;
const cell = (r) => {
  if (!r) return '–';
  if (r.skipped) return 'SKIP';
  if (r.error) return 'error';
  return `${int(r.rps)}${r.valid ? '' : ' ✗'}`;
};
const cpu = (r) => (ok(r) ? `${r.nodeCpuPerRequest.toFixed(1)}` : '–');
const pgCpu = (r) => (ok(r) && r.pgCpuPerRequest !== undefined ? r.pgCpuPerRequest.toFixed(1) : '–');
const verdict = (pass) => (pass === undefined ? '–' : pass ? 'PASS' : 'FAIL');

function ratioTable(lines, setup, small, get, checks) {
  const withJs = setup.key === 'sqlite';
  const extra = withJs
    ? ' ceiling, NORMAL: req/s (µs CPU) | json-server req/s |'
    : ' PG µs/req Methodical / ceiling |';
  lines.push(
    `| operation | Methodical req/s | µs CPU/req | ceiling req/s | µs CPU/req | req/s ratio | CPU ratio |${extra} target | |`,
    `|---|--:|--:|--:|--:|--:|--:|${withJs ? '--:|--:|' : '--:|'}---|---|`,
  );
  for (const op of ['get', 'post', 'put', 'patch']) {
    const m = get(setup.key, small, op, 'methodical');
    const c = get(setup.key, small, op, 'ceiling');
    const ratio = ok(m) && ok(c) ? m.rps / c.rps : undefined;
    const cpuRatio = ok(m) && ok(c) ? m.nodeCpuPerRequest / c.nodeCpuPerRequest : undefined;
    let target = '';
    let pass;
    if (op === 'get' || op === 'post') {
      target = `req/s ≥ ${TARGETS[op]}× ceiling`;
      pass = ratio === undefined ? undefined : ratio >= TARGETS[op];
    } else {
      const p = get(setup.key, small, 'post', 'methodical');
      const rel = ok(m) && ok(p) ? m.nodeCpuPerRequest / p.nodeCpuPerRequest : undefined;
      target = `CPU ≤ ${TARGETS.updateCpu}× POST's${rel === undefined ? '' : ` (${rel.toFixed(2)}×)`}`;
      pass = rel === undefined ? undefined : rel <= TARGETS.updateCpu;
    }
    checks.push({ setup: setup.key, what: `${op} vs ceiling`, pass });
    const n = get(setup.key, small, op, 'ceiling-normal');
    const js = withJs
      ? ` ${cell(n)}${ok(n) ? ` (${cpu(n)})` : ''} | ${cell(get(setup.key, small, op, 'json-server'))} |`
      : ` ${pgCpu(m)} / ${pgCpu(c)} |`;
    lines.push(
      `| ${CASE_LABELS[op]} | ${cell(m)} | ${cpu(m)} | ${cell(c)} | ${cpu(c)} | ${ratio === undefined ? '–' : `${ratio.toFixed(2)}×`} | ` +
        `${cpuRatio === undefined ? '–' : `${cpuRatio.toFixed(2)}×`} |${js} ${target} | ${verdict(pass)} |`,
    );
  }
}

function flatTable(lines, setup, small, large, get, meta, checks, pg) {
  lines.push(
    `| case | ${int(small)}: req/s | µs CPU/req | ${int(large)}: req/s | µs CPU/req |${pg ? ' PG µs/req (small / large) |' : ''} ratio | target ≥ ${TARGETS.flat}× | |`,
    `|---|--:|--:|--:|--:|${pg ? '--:|' : ''}--:|---|---|`,
  );
  for (const kase of ['get', 'list', 'deep', 'sort', 'post']) {
    const a = get(setup.key, small, kase, 'methodical');
    const b = get(setup.key, large, kase, 'methodical');
    const ratio = ok(a) && ok(b) ? b.rps / a.rps : undefined;
    const skipped = a?.skipped || b?.skipped;
    const pass = skipped || ratio === undefined ? undefined : ratio >= TARGETS.flat;
    if (!skipped) checks.push({ setup: setup.key, what: `${kase} flat`, pass });
    let label = CASE_LABELS[kase];
    if (kase === 'deep') {
      const da = meta.deep.get(`${setup.key}|${small}`);
      const db = meta.deep.get(`${setup.key}|${large}`);
      if (da && db) label += ` (page ${da.page} / ${db.page}, by \`${db.via}=\`, no totals)`;
    }
    const pgCol = pg ? ` ${pgCpu(a)} / ${pgCpu(b)} |` : '';
    lines.push(
      `| ${label} | ${cell(a)} | ${cpu(a)} | ${cell(b)} | ${cpu(b)} |${pgCol} ${ratio === undefined ? '–' : `${ratio.toFixed(2)}×`} | | ${skipped ? 'SKIP' : verdict(pass)} |`,
    );
  }
  const mixed = get(setup.key, large, 'mixed', 'methodical');
  if (mixed)
    lines.push(
      `| ${CASE_LABELS.mixed} at ${int(large)} (for RSS) | | | ${cell(mixed)} | ${cpu(mixed)} |${pg ? ' |' : ''} | | |`,
    );
}

export function renderWrkReport({ settings, results, notes, rss, meta, startedAt, finishedAt }) {
  const get = (setup, size, kase, server) => results.get(`${setup}|${size}|${kase}|${server}`);
  const checks = [];
  const lines = ['# Methodical benchmark (wrk)', ''];
  lines.push(
    `Run ${new Date(startedAt).toISOString()} – ${new Date(finishedAt).toISOString()}` +
      `${settings.quick ? ' (quick mode)' : ''}; ${settings.cores} cores; load average at start ` +
      `${settings.loadAverage.map((l) => l.toFixed(2)).join(' ')}.`,
    '',
    `Every case: \`wrk -t1 -c${settings.connections} -d${settings.duration}s\` after a ${settings.warmup} s warm-up, ` +
      'wrk on the same cores as the servers. req/s counts 2xx answers only; ✗ marks a run with over 1% failures. ' +
      "µs CPU/req is the server process's utime + stime delta (/proc/<pid>/stat) over the run, divided by its " +
      'requests (summed over nodes); noise moves it less than req/s. Records ~200 bytes; Methodical seeded ' +
      "through its store API in big transactions, the ceiling with plain SQL. Durability as Methodical's " +
      'default (WAL, synchronous = FULL) in both. The background writer of the list case adds ' +
      `${settings.backgroundRate} POST/s from a second client (its CPU is in the figure).`,
    '',
  );
  for (const setup of SETUPS) {
    if (setup.key !== 'sqlite' && !settings.pg) continue;
    const small = settings.small;
    const large = setup.key === 'sqlite' ? settings.large : settings.pgLarge;
    const pg = setup.key !== 'sqlite';
    lines.push(`## ${setup.label}`, '');
    lines.push(`### Against the ceiling (${int(small)} records)`, '');
    ratioTable(lines, setup, small, get, checks);
    lines.push('', `### Flat with size (${int(small)} → ${int(large)} records)`, '');
    flatTable(lines, setup, small, large, get, meta, checks, pg);
    const mem = rss.get(setup.key);
    if (mem) {
      const worst = Math.max(...mem.filter((m) => m !== undefined));
      const pass = Number.isFinite(worst) ? worst <= TARGETS.rssMiB : undefined;
      checks.push({ setup: setup.key, what: 'RSS', pass });
      lines.push(
        '',
        `RSS (VmRSS) after the mixed load at ${int(large)}: ${mem.map((m) => (m === undefined ? '?' : `${m.toFixed(0)} MiB`)).join(', ')} ` +
          `(target ≤ ${TARGETS.rssMiB} MB): ${verdict(pass)}`,
      );
    }
    lines.push('');
  }
  if (!settings.pg) lines.push('PostgreSQL: not run (set BENCH_DATABASE_URL or TEST_DATABASE_URL).', '');
  const failed = checks.filter((c) => c.pass === false).map((c) => `${c.setup} ${c.what}`);
  lines.push(
    `**Targets:** ${checks.filter((c) => c.pass).length} PASS, ${failed.length} FAIL${failed.length ? ` (${failed.join('; ')})` : ''}, ` +
      `${checks.filter((c) => c.pass === undefined).length} not measured.`,
    '',
  );
  if (notes.length) lines.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return { md: lines.join('\n'), failed: failed.length };
}
