/**
 * `/_/` (the admin page), `/_/docs` (the API docs) and their two assets,
 * built into admin/dist by admin/build.mjs and read once here. The page is
 * a client of the public API like any other: nothing here reads the store.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { etagOf } from '../../util/etag.js';
import { HTML_TYPE, MEDIA } from '../../util/media-types.js';
import { Problem } from '../../util/problem.js';
import { evaluateRead } from '../conditional.js';
import { adminDoc } from '../openapi/admin-paths.js';
import { sendStored } from '../respond.js';
import { route } from '../route-table.js';

/** admin/dist, three levels up from both src/http/routes and dist/http/routes. */
const BUILT = new URL('../../../admin/dist/', import.meta.url);

interface Asset {
  body: Buffer;
  etag: string;
  type: string;
}

const TYPES: Record<string, string> = {
  'index.html': HTML_TYPE,
  'docs.html': HTML_TYPE,
  'admin.js': `${MEDIA.javascript}; charset=utf-8`,
  'admin.css': `${MEDIA.css}; charset=utf-8`,
};

/** The built files, or undefined when the package was not built (a source checkout before `npm run build`). */
function loadAssets(): Map<string, Asset> | undefined {
  if (!existsSync(new URL('index.html', BUILT))) return undefined;
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(TYPES)) {
    const body = readFileSync(new URL(name, BUILT));
    assets.set(name, { body, etag: etagOf(body), type });
  }
  return assets;
}

function send(req: FastifyRequest, reply: FastifyReply, asset: Asset) {
  // Revalidated every time: a new version of the package is picked up at once.
  const headers = { etag: asset.etag, 'cache-control': 'no-cache' };
  if (evaluateRead(req.headers, asset.etag, undefined) === 'not-modified') {
    return sendStored(reply, { status: 304, headers, body: '' });
  }
  reply.headers({ ...headers, 'content-type': asset.type });
  return reply.code(200).send(asset.body);
}

export function adminRoutes(app: FastifyInstance): void {
  const assets = loadAssets();
  const get = (name: string) => {
    const asset = assets?.get(name);
    if (asset) return asset;
    if (!assets) {
      throw new Problem(
        'notFound',
        'The admin page is not built into this copy of Methodical: run `npm run build` first.',
      );
    }
    throw new Problem('notFound', 'The admin page has no such file.');
  };
  // Each page works before its script runs: the admin page's sign-in form is a plain HTML form.
  const page = (name: string) => ({
    GET: (req: FastifyRequest, reply: FastifyReply) => send(req, reply, get(name)),
  });
  route(app, '/_/', page('index.html'), { doc: adminDoc('/_/') });
  route(app, '/_/docs', page('docs.html'), { doc: adminDoc('/_/docs') });
  route(
    app,
    '/_/assets/:name',
    {
      GET: (req: FastifyRequest, reply: FastifyReply) =>
        send(req, reply, get((req.params as { name: string }).name)),
    },
    { doc: adminDoc('/_/assets/{name}') },
  );
}
