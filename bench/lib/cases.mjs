// The cases issue 12 names, as wrk scripts over running servers, and the helpers they need: a slow
// background writer, the URL of a deep page (through the `next` link's cursor when the API offers
// `after=`), and each server's resident memory.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { LIST_QUERY } from './operations.mjs';

/** Filtered list page 1, with totals (the default): what a list screen asks for. */
export const LIST_PATH = `/api/items?filter=${encodeURIComponent(
  `year >= ${LIST_QUERY.yearGte} && genre = "${LIST_QUERY.genre}"`,
)}&page=1&perPage=20`;
/** Sort by the field the bench config declares an index on, page 1 with totals. */
export const SORT_PATH = '/api/items?sort=-year&page=1&perPage=20';
/**
 * The indexes the bench config declares when the config knows `indexes`, one per case, in the
 * order each case reads: the filtered list goes by `created` within a genre, the sort by `-year`
 * (an index has the sort's directions, then `id`, the tie-break every list ends with). A
 * `(genre, year)` index would make SQLite's planner take it for the filter and sort every match.
 */
export const BENCH_INDEXES = [['genre', 'created'], ['-year']];

export const CASE_LABELS = {
  get: 'GET by id',
  post: 'POST create',
  put: 'PUT replace',
  patch: 'PATCH one field',
  list: 'filtered list, page 1 + totals, writes in background',
  deep: 'deep page',
  sort: 'sort by declared index, page 1 + totals',
  mixed: 'mixed load',
};

/** VmRSS of a process in MiB, or undefined when it is gone. */
export function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });

function post(url, body) {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(payload);
  });
}

/**
 * A second, slow client: `rate` POSTs a second to `url` until stopped (each its own commit, so the
 * list's totals are invalidated all along). `stop()` resolves with how many were answered 201.
 */
export function backgroundWriter(url, rate, fields) {
  let ok = 0;
  let sent = 0;
  const inFlight = new Set();
  const timer = setInterval(
    () => {
      sent++;
      const p = post(url, fields()).then((status) => {
        if (status === 201) ok++;
        inFlight.delete(p);
      });
      inFlight.add(p);
    },
    Math.max(1, Math.round(1000 / rate)),
  );
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return { ok, sent };
    },
  };
}

const nextOf = (res, base) => {
  const link = res.headers.get('link') ?? '';
  const m = /<([^>]+)>;\s*rel="next"/.exec(link);
  if (!m) return null;
  const u = new URL(m[1], base);
  return u.pathname + u.search;
};

/**
 * The URL of page `page` (or the last page, when there are fewer) of the unfiltered list, 20 per
 * page, without totals (so only the page's own cost is measured). When the `next` link carries
 * `after=`, the page is reached by following it, as a client would; otherwise by `page=`.
 */
export async function deepPath(base, page, size) {
  const first = '/api/items?perPage=20&skipTotal=true';
  const res = await fetch(base + first);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`GET ${first}: ${res.status}`);
  let next = nextOf(res, base);
  const target = Math.min(page, Math.max(1, Math.ceil(size / 20)));
  if (next && /[?&]after=/.test(next)) {
    let at = first;
    let n = 1;
    while (n < target && next) {
      at = next;
      n++;
      const r = await fetch(base + at);
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`GET ${at}: ${r.status}`);
      next = nextOf(r, base);
    }
    return { path: at, page: n, via: 'after' };
  }
  return { path: `${first}&page=${target}`, page: target, via: 'page' };
}
