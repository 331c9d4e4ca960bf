// What is measured: one entry per operation. An operation builds one request for a server from its
// route table; `pick()` gives a random id from the pool, `fields()` a fresh random record body.
// To add an operation, add an entry. Optional members:
// - `supports(server)`: false excludes a server that cannot do it (shown as n/a).
// - `setup(server, ctx)`: prepares state (users, tokens, more records) once the server is seeded,
//   before the warm-up; ctx.url is the server's base URL, ctx.log logs. What it returns is added to
//   this operation's ctx.
// - `connections(settings)`: autocannon connections for this operation instead of the default.
// - `run(server, ctx, tools)`: a measurement other than one autocannon run of `request`; returns
//   the result to store (with `valid`). tools: { measure(makeRequest), url, instance, settings, log }.
// - `section` + `explain`: reported in a section of its own (lib/report.mjs renders it), not as a
//   row of the per-size comparison table.
// - `once`: measured once per bench run, after all sizes, on a fresh server holding no records.
import { download, MiB, sampleRss, syntheticFile, uploadMultipart } from './upload.mjs';

// A fresh object per request: load generators may add headers to it.
const jsonHeaders = () => ({ 'content-type': 'application/json' });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The filtered list every server answers: page 1 of `year >= 1990 && genre = "science"`. */
export const LIST_QUERY = { yearGte: 1990, genre: 'science', page: 1, perPage: 20 };

/** Whether a record matches LIST_QUERY: what the servers' answers are checked against. */
const matchesList = (r) => r.year >= LIST_QUERY.yearGte && r.genre === LIST_QUERY.genre;

/** The rules case's collection: the items' fields under owner rules (bench/methodical.bench.json). */
export const OWNED_COLLECTION = 'owned_items';
/** The upload case's collection: a name and one file field of up to 200 MiB, public rules. */
export const FILES_COLLECTION = 'files_items';

/** `totalItems` of a list answer; throws with the answer when it is not a 200. */
async function listTotal(url, path, headers = {}) {
  const res = await fetch(url + path, { headers, signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path} → ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text).totalItems;
}

export const operations = [
  {
    key: 'get',
    label: 'GET by id',
    request: (server, ctx) => ({ method: 'GET', path: server.routes.get(ctx.pick()) }),
  },
  {
    key: 'list',
    label: 'filtered list',
    request: (server) => ({ method: 'GET', path: server.routes.list(LIST_QUERY) }),
  },
  // The same filtered list on the public `items` (anonymous) and on `owned_items` (list rule
  // `owner`, as user A, who owns half its records), back to back. Before `post`, which grows `items`.
  {
    key: 'rules',
    label: 'filtered list under an owner rule',
    section: 'rules',
    explain:
      'the filtered list (page 1 of 20) on `owned_items` (list rule `owner`, half the records user A’s and ' +
      'half user B’s) as user A with a bearer token, against the same list on the public `items` as an ' +
      'anonymous caller, measured back to back; the ratio is what the rule costs (token lookup and owner filter).',
    supports: (server) => Boolean(server.seedOwned && server.auth && server.routes.listOf),
    summary: (r) =>
      `public ${Math.round(r.public.rps)} req/s (p99 ${r.public.p99} ms), owner rule ` +
      `${Math.round(r.owner.rps)} req/s (p99 ${r.owner.p99} ms): ${(r.owner.rps / r.public.rps).toFixed(2)}×`,
    async setup(server, ctx) {
      const tokens = [];
      for (const who of ['a', 'b']) {
        const email = `bench-owner-${who}@example.com`;
        tokens.push(await server.auth.registerAndLogin(ctx.url, email, `owner ${who} password`));
      }
      const owned = await server.seedOwned(ctx.url, OWNED_COLLECTION, ctx.records, tokens, ctx.log);
      let expectedOwn = 0;
      for (const { owner, records } of owned)
        if (owner === 0) expectedOwn += records.filter(matchesList).length;
      return { token: tokens[0], expectedOwn, expectedPublic: ctx.records.filter(matchesList).length };
    },
    async run(server, ctx, { measure, url }) {
      const auth = { authorization: `Bearer ${ctx.token}` };
      const publicList = () => ({ method: 'GET', path: server.routes.list(LIST_QUERY) });
      const ownerList = () => ({
        method: 'GET',
        path: server.routes.listOf(OWNED_COLLECTION, LIST_QUERY),
        headers: { ...auth },
      });
      // Both lists must find what the data says, or the comparison is not like for like.
      const matched = {
        public: await listTotal(url, publicList().path),
        owner: await listTotal(url, ownerList().path, auth),
      };
      if (matched.public !== ctx.expectedPublic || matched.owner !== ctx.expectedOwn) {
        throw new Error(
          `the lists matched ${matched.public} public and ${matched.owner} own records; ` +
            `the data says ${ctx.expectedPublic} and ${ctx.expectedOwn}`,
        );
      }
      const pub = await measure(publicList);
      const owner = await measure(ownerList);
      return { public: pub, owner, matched, valid: pub.valid && owner.valid };
    },
  },
  {
    key: 'put',
    label: 'PUT replace',
    writes: true,
    request: (server, ctx) => ({
      method: 'PUT',
      path: server.routes.replace(ctx.pick()),
      headers: jsonHeaders(),
      body: JSON.stringify(ctx.fields()),
    }),
  },
  // Logging in is slow by design (Argon2id, 19 MiB, 2 iterations): its throughput for one user with
  // only correct passwords. Each attempt counts against the email until a success clears the count,
  // so at most `connections` (≤ 8) are counted at once: the throttle (10 per email) is never hit.
  {
    key: 'login',
    label: 'login (Argon2id)',
    section: 'login',
    explain:
      '`POST /api/auth/login` with the correct `{email, password}` of one registered user; every login ' +
      'verifies an Argon2id hash (19 MiB, 2 iterations) and opens a session, so it is CPU-bound by design.',
    supports: (server) => Boolean(server.auth && server.routes.login),
    connections: (settings) => settings.loginConnections,
    async setup(server, ctx) {
      const email = 'bench-login@example.com';
      const password = 'correct horse battery staple';
      await server.auth.registerAndLogin(ctx.url, email, password);
      return { loginBody: JSON.stringify({ email, password }) };
    },
    request: (server, ctx) => ({
      method: 'POST',
      path: server.routes.login(),
      headers: jsonHeaders(),
      body: ctx.loginBody,
    }),
  },
  // POST last of the per-size runs: it grows the collection, and the others should see the seeded size.
  {
    key: 'post',
    label: 'POST create',
    writes: true,
    request: (server, ctx) => ({
      method: 'POST',
      path: server.routes.create(),
      headers: jsonHeaders(),
      body: JSON.stringify(ctx.fields()),
    }),
  },
  // Once per run, on a fresh server: one large file up and down, and how much the server's memory
  // grows meanwhile (a streamed upload should not grow with the file).
  {
    key: 'upload',
    label: 'upload and download',
    section: 'upload',
    once: true,
    explain:
      'one multipart `POST /api/files_items` whose file the bench streams from a generator (never held in ' +
      'memory), then `GET /api/files/…` of it, checked byte for byte; the server’s RSS (VmRSS of its process, ' +
      'sampled every 50 ms) against its value just before the upload, after a 1 MiB warm-up upload.',
    supports: (server) => Boolean(server.routes.createIn && server.routes.file),
    summary: (r) =>
      `up ${r.upload.mibPerSecond.toFixed(0)} MiB/s, down ${r.download.mibPerSecond.toFixed(0)} MiB/s, ` +
      `RSS growth ${r.rss ? `${((r.rss.peak - r.rss.baseline) / MiB).toFixed(1)} MiB` : 'n/a'}` +
      (r.intact ? '' : ', bytes DIFFER'),
    async run(server, _ctx, { instance, settings, log }) {
      const sendFile = async (bytes, name) => {
        const file = syntheticFile(bytes);
        const res = await uploadMultipart(instance.url + server.routes.createIn(FILES_COLLECTION), {
          fields: { name },
          fileField: 'blob',
          filename: `${name}.bin`,
          file,
        });
        if (res.status !== 201) {
          throw new Error(`upload of ${bytes} bytes → ${res.status} ${res.text.slice(0, 300)}`);
        }
        return { file, res, record: JSON.parse(res.text) };
      };

      await sendFile(MiB, 'warm-up');
      await sleep(500); // the warm-up's garbage has a chance to go before the baseline is read
      const bytes = Math.round(settings.uploadMiB * MiB);
      log(`uploading ${settings.uploadMiB} MiB`);
      const upSampler = sampleRss(instance.child.pid, 50);
      const { file, res, record } = await sendFile(bytes, 'large');
      const rss = upSampler.stop();

      const path = server.routes.file(FILES_COLLECTION, record.id, 'blob', record.blob);
      const downSampler = sampleRss(instance.child.pid, 50);
      const down = await download(instance.url + path);
      const downloadRss = downSampler.stop();
      if (down.status !== 200) throw new Error(`GET ${path} → ${down.status}`);
      const intact = down.bytes === bytes && down.sha256 === file.sha256;
      return {
        bytes,
        upload: { seconds: res.seconds, mibPerSecond: bytes / MiB / res.seconds },
        download: { seconds: down.seconds, mibPerSecond: down.bytes / MiB / down.seconds, bytes: down.bytes },
        intact,
        rss,
        downloadRss,
        valid: intact,
      };
    },
  },
];

/** The warm-up mixes the read operations. */
export const warmupOperation = {
  key: 'warmup',
  label: 'warm-up',
  request: (server, ctx) =>
    Math.random() < 0.5 ? operations[0].request(server, ctx) : operations[1].request(server, ctx),
};
