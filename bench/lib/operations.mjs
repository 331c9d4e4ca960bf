// What is measured: one entry per operation. An operation builds one request for a server from its
// route table; `pick()` gives a random id from the pool, `fields()` a fresh random record body.
// To add an operation (e.g. login, list under a rule), add an entry; `setup(server, ctx)` may
// prepare state first (users, tokens; ctx.url is the server's base URL) and return extra context;
// `supports(server)` may exclude a server that cannot do it (it is then shown as n/a).

// A fresh object per request: load generators may add headers to it.
const jsonHeaders = () => ({ 'content-type': 'application/json' });

/** The filtered list every server answers: page 1 of `year >= 1990 && genre = "science"`. */
export const LIST_QUERY = { yearGte: 1990, genre: 'science', page: 1, perPage: 20 };

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
  // POST last: it grows the collection, and the other operations should see the seeded size.
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
];

/** The warm-up mixes the read operations. */
export const warmupOperation = {
  key: 'warmup',
  label: 'warm-up',
  request: (server, ctx) =>
    Math.random() < 0.5 ? operations[0].request(server, ctx) : operations[1].request(server, ctx),
};
