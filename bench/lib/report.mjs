// Renders the results as Markdown: one table per dataset size, the target checks, and notes
// explaining every failed request, skipped server and error.
import os from 'node:os';

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => (n >= 100 ? int(n) : n.toFixed(1).replace(/\.0$/, ''));

function cellRps(r) {
  if (!r) return '–';
  if (r.skipped) return 'n/a';
  if (r.error) return 'error';
  return r.valid ? int(r.rps) : `${int(r.rps)} ✗`;
}
const cellP99 = (r) => (r && !r.skipped && !r.error ? ms(r.p99) : '–');
const cellFailed = (r) => (r && !r.skipped && !r.error ? int(r.failed) : '–');

function cellRatio(a, b) {
  if (!a || !b || a.skipped || b.skipped || a.error || b.error || !b.rps) return '–';
  const ratio = a.rps / b.rps;
  const text = ratio >= 10 ? `${ratio.toFixed(0)}×` : `${ratio.toFixed(2)}×`;
  return a.valid && b.valid ? text : `${text} ✗`;
}

/** The Markdown report. `get(size, op, server)` reads one result. */
export function renderReport({ settings, servers, operations, get, checks, notes, startedAt, finishedAt }) {
  const cpus = os.cpus();
  const lines = [];
  lines.push('# Methodical benchmark', '');
  lines.push(`- Date: ${startedAt.toISOString()} (took ${Math.round((finishedAt - startedAt) / 1000)} s)`);
  lines.push(`- Node: ${process.version} on ${os.platform()} ${os.arch()}`);
  lines.push(
    `- CPU: ${cpus[0]?.model?.trim() ?? 'unknown'} × ${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM; ` +
      `load average at start ${settings.loadAverage.map((n) => n.toFixed(2)).join(' ')} (other work on the machine skews results)`,
  );
  lines.push(
    `- Settings: ${settings.duration} s per run, ${settings.connections} connections, ` +
      `sizes ${settings.sizes.map(int).join(' / ')}, warm-up ${settings.warmup} s per server, ` +
      `id pool ${int(settings.poolSize)}`,
  );
  lines.push(
    '- Data: the same records (~200 bytes of JSON: title, author, year, genre, price, inStock, isbn) ' +
      'and ids on every server; each server runs alone, freshly seeded for each size.',
  );
  lines.push(
    '- Filtered list: `year >= 1990 && genre = "science"`, page 1, 20 per page. ' +
      'req/s counts 2xx responses only; non-2xx counts every other answer plus socket errors and ' +
      'timeouts; ✗ marks a run with more than 1% of those (not a result).',
  );
  lines.push('');

  const header = ['operation'];
  for (const s of servers) header.push(`${s.label} req/s`, `${s.label} p99 ms`, `${s.label} non-2xx`);
  const hasCeiling = servers.some((s) => s.key === 'ceiling');
  const hasJsonServer = servers.some((s) => s.key === 'json-server');
  if (hasCeiling) header.push('Methodical / ceiling');
  if (hasJsonServer) header.push('Methodical / json-server');

  for (const size of settings.sizes) {
    lines.push(`## ${int(size)} records`, '');
    lines.push(`| ${header.join(' | ')} |`);
    lines.push(`|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const op of operations) {
      const row = [op.label];
      for (const s of servers) {
        const r = get(size, op.key, s.key);
        row.push(cellRps(r), cellP99(r), cellFailed(r));
      }
      const m = get(size, op.key, 'methodical');
      if (hasCeiling) row.push(cellRatio(m, get(size, op.key, 'ceiling')));
      if (hasJsonServer) row.push(cellRatio(m, get(size, op.key, 'json-server')));
      lines.push(`| ${row.join(' | ')} |`);
    }
    lines.push('');
  }

  lines.push('## Targets', '');
  lines.push('| target | result | measured |', '| --- | --- | --- |');
  for (const c of checks) lines.push(`| ${c.label} | **${c.verdict}** | ${c.note} |`);
  lines.push('');

  if (notes.length) {
    lines.push('## Notes', '');
    for (const n of notes) lines.push(`- ${n}`);
    lines.push('');
  }
  return lines.join('\n');
}
