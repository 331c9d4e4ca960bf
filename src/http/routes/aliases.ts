/**
 * Route aliases from the config (`POST /add-book` → `POST /api/books`): the
 * alias path runs the target's handler with the target's parameters.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { Problem } from '../../util/problem.js';
import type { Services } from '../services.js';
import { type RecordParams, recordHandlers } from './records.js';

type Handlers = ReturnType<typeof recordHandlers>;

/** Which record handler serves a method on a collection path or a record path. */
function handlerFor(handlers: Handlers, method: string, isRecord: boolean) {
  const table: Record<string, keyof Handlers> = isRecord
    ? { GET: 'get', PUT: 'replace', PATCH: 'patch', DELETE: 'remove' }
    : { GET: 'list', POST: 'create' };
  const name = table[method];
  return name ? handlers[name] : undefined;
}

export function aliasRoutes(app: FastifyInstance, services: Services): void {
  const handlers = recordHandlers(services);
  for (const alias of services.config.routes) {
    const segments = alias.targetPath.split('/').filter((s) => s !== '');
    // Targets are /api/{collection} or /api/{collection}/{id}; segments may be `:param`s of the alias.
    const [, collectionSeg, idSeg] = segments;
    const handler = handlerFor(handlers, alias.targetMethod, idSeg !== undefined);
    if (!handler || segments[0] !== 'api' || segments.length > 3) {
      throw new Error(
        `route alias ${alias.method} ${alias.path} has an unsupported target ${alias.targetPath}`,
      );
    }
    const resolve = (seg: string, params: Record<string, string>) =>
      seg.startsWith(':') ? params[seg.slice(1)] : decodeURIComponent(seg);
    app.route({
      method: alias.method as HTTPMethods,
      url: alias.path,
      handler(req: FastifyRequest, reply: FastifyReply) {
        const params = req.params as Record<string, string>;
        const target: RecordParams = { collection: resolve(collectionSeg, params) };
        if (idSeg !== undefined) target.id = resolve(idSeg, params);
        if (!target.collection) throw new Problem('notFound', 'No collection here.');
        return handler(req, reply, target);
      },
    });
  }
}
