/**
 * The config's `public` folder, served as static files by @fastify/static.
 *
 * `send` (under @fastify/static) skips If-None-Match and If-Modified-Since
 * whenever the request says `Cache-Control: no-cache`, as RFC 2616 once
 * suggested for "end-to-end reloads"; `fetch` sends exactly that with a
 * cached validator. RFC 9111 §5.2.1.4 addresses `no-cache` to caches, not to
 * the origin, so a matching validator is a 304 here as it is for records.
 */
import type { Readable } from 'node:stream';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { evaluateRead } from './conditional.js';

/** Headers that describe a body, dropped from a 304 (as send itself does). */
const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-range',
  'content-encoding',
  'content-language',
];

function revalidated(req: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (req.method !== 'GET' && req.method !== 'HEAD') return payload;
  // send answered 304 itself unless the request said no-cache: only then is there anything to do.
  if (reply.statusCode !== 200 && reply.statusCode !== 206) return payload;
  if (!String(req.headers['cache-control'] ?? '').includes('no-cache')) return payload;
  const etag = reply.getHeader('etag');
  if (typeof etag !== 'string') return payload;
  const lastModified = reply.getHeader('last-modified');
  const decision = evaluateRead(
    req.headers,
    etag,
    typeof lastModified === 'string' ? lastModified : undefined,
  );
  if (decision !== 'not-modified') return payload;
  (payload as Partial<Readable> | null)?.destroy?.();
  reply.code(304);
  for (const name of BODY_HEADERS) reply.removeHeader(name);
  return null;
}

/** Serve `root` at `/`, answering conditional requests the way the API does. */
export function staticFiles(app: FastifyInstance, root: string): void {
  app.register(async (scope) => {
    scope.addHook('onSend', async (req, reply, payload) => revalidated(req, reply, payload));
    await scope.register(fastifyStatic, { root, prefix: '/', index: ['index.html'], wildcard: true });
  });
}
