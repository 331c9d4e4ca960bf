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

const MiB = 1024 * 1024;
const mib = (bytes) => (bytes / MiB).toFixed(1);

/** The rows of one section: a result per size (or once) and server, leaving out the n/a ones. */
function sectionRows(keys, servers, op, get) {
  const rows = [];
  for (const key of keys) {
    for (const s of servers) {
      const r = get(key, op.key, s.key);
      if (r && !r.skipped) rows.push({ key, server: s, r });
    }
  }
  return rows;
}

// One renderer per `section` of an operation (lib/operations.mjs): a heading, the operation's
// one-line explanation, and a table. A row whose run failed says "error" (the notes say why).
const sections = {
  login: ({ op, settings, servers, get }) => {
    const lines = [
      '| records | server | logins/s | p99 ms | non-2xx | connections |',
      '| ---: | --- | ---: | ---: | ---: | ---: |',
    ];
    for (const { key, server, r } of sectionRows(settings.sizes, servers, op, get)) {
      lines.push(
        r.error
          ? `| ${int(key)} | ${server.label} | error | – | – | ${settings.loginConnections} |`
          : `| ${int(key)} | ${server.label} | ${cellRps(r)} | ${cellP99(r)} | ${cellFailed(r)} | ${settings.loginConnections} |`,
      );
    }
    return lines;
  },
  rules: ({ op, settings, servers, get }) => {
    const lines = [
      '| records | server | public `items`, anonymous: req/s | p99 ms | `owned_items`, owner rule as A: req/s | p99 ms | records matched (public / A’s) | owner rule / public |',
      '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const { key, server, r } of sectionRows(settings.sizes, servers, op, get)) {
      if (r.error) {
        lines.push(`| ${int(key)} | ${server.label} | error | – | error | – | – | – |`);
        continue;
      }
      lines.push(
        `| ${int(key)} | ${server.label} | ${cellRps(r.public)} | ${cellP99(r.public)} | ${cellRps(r.owner)} | ` +
          `${cellP99(r.owner)} | ${int(r.matched.public)} / ${int(r.matched.owner)} | ${cellRatio(r.owner, r.public)} |`,
      );
    }
    return lines;
  },
  upload: ({ op, servers, get, once }) => {
    const lines = [
      '| server | file | upload MiB/s | download MiB/s | bytes back | RSS before MiB | RSS peak during upload MiB | RSS growth MiB | RSS growth during download MiB |',
      '| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    ];
    for (const { server, r } of sectionRows([once], servers, op, get)) {
      if (r.error) {
        lines.push(`| ${server.label} | – | error | – | – | – | – | – | – |`);
        continue;
      }
      const rss = r.rss;
      const down = r.downloadRss;
      lines.push(
        `| ${server.label} | ${mib(r.bytes)} MiB | ${r.upload.mibPerSecond.toFixed(0)} | ${r.download.mibPerSecond.toFixed(0)} | ` +
          `${r.intact ? 'all, same SHA-256' : `**${int(r.download.bytes)} of ${int(r.bytes)} or different**`} | ` +
          (rss
            ? `${mib(rss.baseline)} | ${mib(rss.peak)} | ${mib(rss.peak - rss.baseline)}`
            : 'n/a | n/a | n/a') +
          ` | ${down ? mib(down.peak - down.baseline) : 'n/a'} |`,
      );
    }
    return lines;
  },
};

const SECTION_TITLES = {
  login: 'Login throughput (Argon2id)',
  rules: 'Cost of an owner rule on the filtered list',
  upload: 'Upload and download of one large file',
};

/** The Markdown report. `get(size, op, server)` reads one result; `get(once, op, server)` a once-per-run one. */
export function renderReport({
  settings,
  servers,
  operations,
  once,
  get,
  checks,
  notes,
  startedAt,
  finishedAt,
}) {
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
      `id pool ${int(settings.poolSize)}, ${settings.loginConnections} connections for login, ` +
      `upload of ${settings.uploadMiB} MiB`,
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

  const tableOps = operations.filter((op) => !op.section);
  for (const size of settings.sizes) {
    if (tableOps.length === 0) break;
    lines.push(`## ${int(size)} records`, '');
    lines.push(`| ${header.join(' | ')} |`);
    lines.push(`|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const op of tableOps) {
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

  for (const op of operations.filter((o) => o.section)) {
    lines.push(`## ${SECTION_TITLES[op.section] ?? op.label}`, '');
    lines.push(`${op.once ? 'Once per run, on a fresh server: ' : 'At each size: '}${op.explain}`, '');
    const table = sections[op.section]({ op, settings, servers, get, once });
    // Only the header: no server in this run does it (or it was not run).
    lines.push(...(table.length > 2 ? table : ['Not measured in this run.']), '');
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
