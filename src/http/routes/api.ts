/** Registers the API's routes on their paths, each with its Allow list. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findCollection } from '../../service/collections.js';
import { MEDIA, WRITE_TYPES } from '../../util/media-types.js';
import { allowFor, allowOf, type FormRoute, route } from '../route-table.js';
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

export function apiRoutes(app: FastifyInstance, services: Services, forms: FormRoute[]): void {
  const records = recordHandlers(services);
  const collectionExists = (req: FastifyRequest) => {
    findCollection(services.schema, (req.params as RecordParams).collection);
  };
  route(app, '/api/batch', { POST: batchHandler(services) }, { acceptPost: MEDIA.json });
  metaRoutes(app, services);
  route(
    app,
    '/api/:collection',
    { GET: fromUrl(records.list), POST: fromUrl(records.create) },
    { acceptPost: WRITE_TYPES, exists: collectionExists, forms },
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
  });
}
