/** Registers the API's routes on their paths, each with its Allow list. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findCollection } from '../../service/collections.js';
import { MEDIA, WRITE_TYPES } from '../../util/media-types.js';
import { collectionListDoc, recordDoc } from '../openapi/paths.js';
import { serviceDoc } from '../openapi/service-paths.js';
import { allowFor, allowOf, type FormRoute, methodNotAllowed, route } from '../route-table.js';
import type { Services } from '../services.js';
import { batchHandler } from './batch.js';
import { metaRoutes } from './meta.js';
import { recordOverride } from './record-override.js';
import { type RecordParams, recordHandlers } from './records.js';

type RecordHandler = (req: FastifyRequest, reply: FastifyReply, p: RecordParams) => Promise<unknown>;

/** Adapts a record handler to Fastify's (req, reply), taking the params from the URL. */
function fromUrl(handler: RecordHandler) {
  return (req: FastifyRequest, reply: FastifyReply) => handler(req, reply, req.params as RecordParams);
}

/** The Allow list of a collection that takes no POST. */
const NO_CREATE_ALLOW = 'GET, HEAD, OPTIONS';

export function apiRoutes(app: FastifyInstance, services: Services, forms: FormRoute[]): void {
  const records = recordHandlers(services);
  const collectionExists = (req: FastifyRequest) => {
    findCollection(services.schema, (req.params as RecordParams).collection);
  };
  route(
    app,
    '/api/batch',
    { POST: batchHandler(services) },
    { acceptPost: MEDIA.json, doc: serviceDoc('/api/batch') },
  );
  metaRoutes(app, services);
  // Users are created through /api/auth/register only: their collection takes no POST, and says so.
  const authCollections = new Set(
    [...services.schema.values()].filter((c) => c.def.auth).map((c) => c.def.name),
  );
  const listAllowAt = (path: string) => {
    const name = path.split('/')[2];
    return name !== undefined && authCollections.has(name) ? NO_CREATE_ALLOW : undefined;
  };
  route(
    app,
    '/api/:collection',
    {
      GET: fromUrl(records.list),
      POST: (req, reply) => {
        const p = req.params as RecordParams;
        if (authCollections.has(p.collection)) throw methodNotAllowed('POST', NO_CREATE_ALLOW);
        return records.create(req, reply, p);
      },
    },
    {
      acceptPost: WRITE_TYPES,
      exists: collectionExists,
      forms,
      allowAt: listAllowAt,
      doc: collectionListDoc,
    },
  );
  const recordMethods = {
    GET: fromUrl(records.get),
    PUT: fromUrl(records.replace),
    PATCH: fromUrl(records.patch),
    DELETE: fromUrl(records.remove),
  };
  const recordAllow = allowOf(recordMethods);
  // A POST that came through an alias path answers with that path's Allow list.
  const allowHere = (req: FastifyRequest) => allowFor(app, req.originalUrl.split('?')[0]) ?? recordAllow;
  route(app, '/api/:collection/:id', recordMethods, {
    exists: collectionExists,
    forms,
    override: recordOverride(services, records, allowHere),
    doc: recordDoc,
  });
}
