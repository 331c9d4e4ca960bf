/** `/api/files/…`, `/api/batch`, `/api/openapi.json` and `/healthz`, with the batch schemas. */
import type { Config } from '../../config/types.js';
import { ANYONE } from './access.js';
import { headerRefs, problems, required } from './components.js';
import { type CollectionDoc, type Json, type RouteDoc, ref } from './names.js';

const BATCH_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const stringMap: Json = { type: 'object', additionalProperties: { type: 'string' } };

/** The batch request and response schemas. */
export function batchSchemas(config: Config): Json {
  return {
    BatchOperation: {
      type: 'object',
      required: ['method', 'url'],
      properties: {
        method: { type: 'string', enum: BATCH_METHODS },
        url: {
          type: 'string',
          pattern: '^/api/',
          description: 'An API path, with a query string if needed.',
        },
        headers: { ...stringMap, description: 'Request headers, e.g. If-Match.' },
        body: { description: 'The JSON body of the operation.' },
      },
      additionalProperties: false,
    },
    BatchRequest: {
      type: 'object',
      required: ['requests'],
      properties: {
        requests: {
          type: 'array',
          minItems: 1,
          maxItems: config.limits.batch,
          items: ref('schemas', 'BatchOperation'),
        },
      },
      additionalProperties: false,
    },
    BatchResult: {
      type: 'object',
      required: ['status', 'headers', 'body'],
      properties: {
        status: { type: 'integer', minimum: 100, maximum: 599 },
        headers: stringMap,
        body: { description: 'The JSON body the operation answered (null when it had none).' },
      },
    },
    BatchResponse: {
      type: 'object',
      required: ['responses'],
      properties: { responses: { type: 'array', items: ref('schemas', 'BatchResult') } },
    },
  };
}

const pathParam = (name: string, description: string, schema: Json): Json => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});

function filesPath(collections: readonly CollectionDoc[]): Json {
  const withFiles = collections.filter((c) => Object.values(c.def.fields).some((f) => f.type === 'file'));
  const fileFields = [
    ...new Set(
      withFiles.flatMap((c) =>
        Object.entries(c.def.fields)
          .filter(([, f]) => f.type === 'file')
          .map(([name]) => name),
      ),
    ),
  ];
  const enumOf = (values: string[]): Json =>
    values.length > 0 ? { type: 'string', enum: values } : { type: 'string' };
  const fileHeaders = [
    'ETag',
    'Last-Modified',
    'Accept-Ranges',
    'Content-Disposition',
    'Cache-Control',
    'Vary',
  ];
  const read = (head: boolean): Json => {
    const body = (description: string, headers: string[]): Json => ({
      description,
      headers: headerRefs(...headers),
      ...(head ? {} : { content: { '*/*': { schema: { type: 'string', format: 'binary' } } } }),
    });
    return {
      operationId: head ? 'headFileDownload' : 'downloadFile',
      tags: ['files'],
      summary: head ? 'Headers of a stored file' : 'Download a stored file',
      description:
        'Content-Type as detected at upload. Range gives 206 with Content-Range; an unsatisfiable range, 416. ' +
        "Access follows the view rule of the record's collection.",
      security: [...ANYONE],
      parameters: [
        ref('parameters', 'Range'),
        ref('parameters', 'IfNoneMatch'),
        ref('parameters', 'IfModifiedSince'),
      ],
      responses: {
        200: body('The file.', fileHeaders),
        206: body('Part of the file.', ['Content-Range', ...fileHeaders]),
        304: ref('responses', 'NotModified'),
        ...problems([401, 404, 416, 500]),
      },
    };
  };
  return {
    parameters: [
      pathParam('collection', 'A collection with file fields.', enumOf(withFiles.map((c) => c.name))),
      ref('parameters', 'RecordId'),
      pathParam('field', 'The file field.', enumOf(fileFields)),
      pathParam('filename', "The stored file name, as in the record's field value.", { type: 'string' }),
    ],
    get: read(false),
    head: read(true),
  };
}

/** Files, batch, the OpenAPI document and the health check, keyed by OpenAPI path. */
export function servicePaths(collections: readonly CollectionDoc[], config: Config): Json {
  const json = (schema: Json): Json => ({ 'application/json': { schema } });
  return {
    '/api/files/{collection}/{id}/{field}/{filename}': filesPath(collections),
    '/api/batch': {
      post: {
        operationId: 'runBatch',
        tags: ['batch'],
        summary: 'Run several operations, all or nothing',
        description:
          `At most ${config.limits.batch} requests, run in one transaction, each under its own rules. ` +
          'If one fails nothing is written, and the answer is that failure with a problem naming its index.',
        security: [...ANYONE],
        parameters: [ref('parameters', 'IdempotencyKey')],
        requestBody: { required: true, content: json(ref('schemas', 'BatchRequest')) },
        responses: {
          200: {
            description: 'Every operation succeeded.',
            headers: headerRefs('Cache-Control', 'Vary', 'Idempotent-Replayed'),
            content: json(ref('schemas', 'BatchResponse')),
          },
          ...problems([400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 422, 428, 500, 507], {
            415: 'UnsupportedPostMediaType',
          }),
        },
      },
    },
    '/api/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        tags: ['meta'],
        summary: 'This document',
        security: [],
        parameters: [ref('parameters', 'IfNoneMatch')],
        responses: {
          200: {
            description: 'OpenAPI 3.1, generated from the config.',
            headers: required(headerRefs('ETag', 'Cache-Control', 'Vary'), 'ETag'),
            content: json({ type: 'object', required: ['openapi', 'info', 'paths'] }),
          },
          304: ref('responses', 'NotModified'),
          ...problems([406, 500]),
        },
      },
    },
    '/healthz': {
      get: {
        operationId: 'getHealth',
        tags: ['meta'],
        summary: 'Health check',
        description:
          '200 when the database answers and both it and the files folder can take writes; ' +
          '503 (a problem with the same `database` and `files` members) when not, e.g. when the disk is full.',
        security: [],
        responses: {
          200: {
            description: 'Healthy.',
            headers: headerRefs('Cache-Control'),
            content: json({
              type: 'object',
              required: ['status', 'database', 'files'],
              properties: {
                status: { type: 'string', const: 'ok' },
                database: {
                  type: 'object',
                  properties: { readable: { type: 'boolean' }, writable: { type: 'boolean' } },
                },
                files: { type: 'object', properties: { writable: { type: 'boolean' } } },
              },
            }),
          },
          ...problems([500, 503]),
        },
      },
    },
  };
}

/** The doc of one of these routes, by OpenAPI path, declared beside it. */
export function serviceDoc(path: string): RouteDoc {
  return (ctx) => ({ [path]: servicePaths(ctx.collections, ctx.config)[path] as Json });
}
