/**
 * Requests no route takes: an unknown method (501), a known path with another
 * method (405 + Allow, also for files of the static folder), OPTIONS on a
 * static file (204), or nothing at all (404).
 */
import { statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { StoredResponse } from '../../service/idempotent-write.js';
import { Problem } from '../../util/problem.js';
import { allowFor, methodNotAllowed } from '../route-table.js';

/** Every method RFC 9110 defines; others are unknown to this server (501). */
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** Whether a URL path names a file in the static folder (other methods there are a 405). */
function isPublicFile(dir: string | undefined, path: string): boolean {
  if (!dir) return false;
  try {
    const file = resolve(dir, `.${decodeURIComponent(path)}`);
    return file.startsWith(resolve(dir) + sep) && statSync(file).isFile();
  } catch {
    return false;
  }
}

/** What an unrouted request gets, for problemPlugin's not-found handler. */
export function unroutedRequest(
  app: FastifyInstance,
  publicDir: string | undefined,
): (req: FastifyRequest) => Problem | StoredResponse {
  return (req) => {
    const path = req.url.split('?')[0];
    if (!KNOWN_METHODS.has(req.method)) {
      return new Problem('notImplemented', `This server does not implement the ${req.method} method.`);
    }
    const file = isPublicFile(publicDir, path);
    if (file && req.method === 'OPTIONS') {
      return { status: 204, headers: { allow: 'GET, HEAD, OPTIONS' }, body: '' };
    }
    const allow = allowFor(app, path) ?? (file ? 'GET, HEAD, OPTIONS' : undefined);
    if (allow) return methodNotAllowed(req.method, allow);
    return new Problem('notFound', `Nothing is served at ${path}.`);
  };
}
