/** `GET /api/realtime`: live changes as Server-Sent Events. */
import { MEDIA } from '../../util/media-types.js';
import { ANYONE } from './access.js';
import { headerRefs, problems } from './components.js';
import type { Json, RouteDoc } from './names.js';

const EVENT_DATA: Json = {
  type: 'object',
  required: ['collection', 'id'],
  properties: {
    collection: { type: 'string' },
    id: { type: 'string' },
    record: {
      type: 'object',
      description: 'The record as the caller would GET it (none on delete).',
    },
    etag: { type: 'string', description: 'The ETag a GET of the record answers (none on delete).' },
  },
};

/** The path item, from the config's bounds. */
export function realtimeDoc(): RouteDoc {
  return (ctx) => {
    const settings = ctx.config.realtime;
    const names = ctx.collections.map((c) => c.name);
    return {
      '/api/realtime': {
        get: {
          operationId: 'streamChanges',
          tags: ['realtime'],
          summary: 'Live changes (Server-Sent Events)',
          description:
            'A `text/event-stream` the browser’s EventSource reads (cookie or bearer auth). Each event has ' +
            '`id:` the change’s sequence number, `event:` create, update or delete, and `data:` a JSON object ' +
            '`{collection, id, record, etag}`. A collection topic hears the changes to records the caller may ' +
            'list; a record topic (`books/42`) the changes to it, if the caller may view it; rules and hidden ' +
            'fields apply per caller, to the record as committed. With Last-Event-ID (or `since`) every change ' +
            'after that id the caller may see is replayed first, in order, then the stream goes live; past the ' +
            `log's retention (${settings.retentionSeconds} s) or beyond ${settings.replay} changes, one ` +
            '`event: reset` says to refetch instead. A comment line every ' +
            `${settings.heartbeatSeconds} s keeps the stream alive; a client more than ${settings.queueBytes} ` +
            'bytes behind is disconnected (it reconnects and is replayed what it missed).',
          security: [...ANYONE],
          parameters: [
            {
              name: 'topics',
              in: 'query',
              required: true,
              description:
                `Comma-separated, at most ${settings.topics}: a collection (${names.join(', ') || 'none'}) ` +
                'or one record of it, `collection/id`.',
              schema: { type: 'string', examples: [names.slice(0, 2).join(',') || 'books,books/42'] },
            },
            {
              name: 'since',
              in: 'query',
              description: 'Replay the changes after this event id (Last-Event-ID, when sent, wins).',
              schema: { type: 'string', pattern: '^[0-9]{1,15}$' },
            },
            {
              name: 'Last-Event-ID',
              in: 'header',
              description: 'Sent by a reconnecting EventSource: replay the changes after this event id.',
              schema: { type: 'string', pattern: '^[0-9]{1,15}$' },
            },
          ],
          responses: {
            200: {
              description:
                'The stream. Events: `create`, `update` (data with `record` and `etag`), `delete` (data ' +
                'without them), `reset` (data `{}`: refetch what you show).',
              headers: headerRefs('Cache-Control', 'Vary'),
              content: {
                [MEDIA.eventStream]: {
                  schema: { type: 'string' },
                  // OpenAPI 3.1 has no schema for the events of a stream (3.2's itemSchema): the data's shape.
                  'x-event-data': EVENT_DATA,
                  example:
                    'id: 42\nevent: update\ndata: {"collection":"books","id":"b1","record":{…},"etag":"\\"…\\""}\n\n',
                },
              },
            },
            ...problems([400, 401, 403, 404, 406, 429, 500, 503]),
          },
        },
      },
    };
  };
}
