/** `/_/` (the admin page), `/_/docs` (these docs, readable) and their assets. */
import { headerRefs, problems } from './components.js';
import { type Json, type RouteDoc, ref } from './names.js';

const PAGE_HEADERS = headerRefs('ETag', 'Cache-Control');

function page(operationId: string, summary: string, description: string): Json {
  return {
    get: {
      operationId,
      tags: ['admin'],
      summary,
      description,
      security: [],
      parameters: [ref('parameters', 'IfNoneMatch')],
      responses: {
        200: { description: 'The page.', headers: PAGE_HEADERS, content: { 'text/html': {} } },
        304: ref('responses', 'NotModified'),
        ...problems([404]),
      },
    },
  };
}

const PATHS: Record<string, Json> = {
  '/_/': page(
    'getAdminPage',
    'The admin page',
    'A web page for administrators: collections, records, files and users. It signs in and works ' +
      'through this API only, so it meets the same rules, ETags and problems as any client. ' +
      '404 when this copy of Methodical was not built.',
  ),
  '/_/docs': page('getApiDocsPage', 'These API docs, readable', 'This document rendered as a web page.'),
  '/_/assets/{name}': {
    parameters: [
      {
        name: 'name',
        in: 'path',
        required: true,
        schema: { type: 'string', enum: ['admin.js', 'admin.css'] },
      },
    ],
    get: {
      operationId: 'getAdminAsset',
      tags: ['admin'],
      summary: 'A script or stylesheet of the admin page',
      security: [],
      parameters: [ref('parameters', 'IfNoneMatch')],
      responses: {
        200: {
          description: 'The file.',
          headers: PAGE_HEADERS,
          content: { 'text/javascript': {}, 'text/css': {} },
        },
        304: ref('responses', 'NotModified'),
        ...problems([404]),
      },
    },
  },
};

/** The path item of one admin route. */
export function adminDoc(path: keyof typeof PATHS): RouteDoc {
  return () => ({ [path]: PATHS[path] });
}
