/**
 * json-server's URLs under `jsonServer: true`, beside /api: `/posts`,
 * `/posts/1`, a single collection at `/profile`, nested `/posts/1/comments`,
 * each at the collection's json-server name (`jsonServerName`: `/users` for
 * collection json_users).
 *
 * Which path wins: our own paths (/api/…, /_/…), the config's aliases and
 * routes are registered first and keep theirs; a collection whose
 * json-server path one of them already answers is not served there (it
 * stays at /api/<name>, and the log says so). A collection's path wins over
 * a file of the same name in the public folder.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CompiledCollection } from '../../schema/compile-collection.js';
import { jsonServerName, jsonServerNames } from '../../schema/json-server-names.js';
import { WRITE_TYPES } from '../../util/media-types.js';
import { parentField } from '../json-server-shape.js';
import { type FormRoute, type MethodHandlers, route, routeFor } from '../route-table.js';
import type { Services } from '../services.js';
import { jsonServerReads, type Parent } from './json-server-reads.js';
import { jsonServerWrites } from './json-server-writes.js';

function idOf(req: FastifyRequest): string {
  return (req.params as { id: string }).id;
}

/** Whether one of the paths registered so far answers the collection's json-server paths. */
function taken(app: FastifyInstance, name: string): boolean {
  return routeFor(app, `/${name}`) !== undefined || routeFor(app, `/${name}/1`) !== undefined;
}

/** The collections served at json-server's paths (by their json-server names); the others are logged. */
export function jsonServerCollections(app: FastifyInstance, schema: ReadonlyMap<string, CompiledCollection>) {
  const served: string[] = [];
  for (const [name, segment] of jsonServerNames(schema).byCollection) {
    if (taken(app, segment)) {
      app.log.warn(
        `jsonServer: /${segment} is already a path of this server; ${name} stays at /api/${name} alone`,
      );
    } else served.push(name);
  }
  return served;
}

export function jsonServerRoutes(app: FastifyInstance, services: Services, forms: FormRoute[]): void {
  const { schema } = services;
  const reads = jsonServerReads(services);
  const writes = jsonServerWrites(services);
  const served = jsonServerCollections(app, schema);
  const options = { acceptPost: WRITE_TYPES, forms };
  for (const name of served) {
    const { def } = schema.get(name) as CompiledCollection;
    const path = `/${encodeURIComponent(jsonServerName(schema, name))}`;
    if (def.single) {
      const handlers: MethodHandlers = {
        GET: (req, reply) => reads.single(req, reply, name),
        POST: (req, reply) => writes.createSingle(req, reply, name),
        PUT: (req, reply) => writes.replaceSingle(req, reply, name),
        PATCH: (req, reply) => writes.patchSingle(req, reply, name),
      };
      route(app, path, handlers, options);
      continue;
    }
    const list: MethodHandlers = { GET: (req, reply) => reads.list(req, reply, name) };
    // Users are created through /api/auth/register only, as on /api.
    if (!def.auth) list.POST = (req, reply) => writes.create(req, reply, name);
    route(app, path, list, options);
    route(
      app,
      `${path}/:id`,
      {
        GET: (req, reply) => reads.get(req, reply, name, idOf(req)),
        PUT: (req, reply) => writes.replace(req, reply, name, idOf(req)),
        PATCH: (req, reply) => writes.patch(req, reply, name, idOf(req)),
        DELETE: (req, reply) => writes.remove(req, reply, name, idOf(req)),
      },
      options,
    );
    for (const child of served) {
      const field = parentField(schema, child, name);
      const childDef = schema.get(child)?.def;
      if (field === undefined || childDef === undefined || childDef.single) continue;
      const parent = (req: FastifyRequest): Parent => ({ collection: name, id: idOf(req), field });
      const nested: MethodHandlers = { GET: (req, reply) => reads.list(req, reply, child, parent(req)) };
      if (!childDef.auth) nested.POST = (req, reply) => writes.createChild(req, reply, parent(req), child);
      route(app, `${path}/:id/${encodeURIComponent(jsonServerName(schema, child))}`, nested, options);
    }
  }
}
