/**
 * POST on a record URL: an HTML form standing for PUT, PATCH or DELETE
 * with `_method` (routes/record-override.ts). Not in Allow, since only a
 * form may do it; any other POST there is a 405.
 */
import { problems } from './components.js';
import { type CollectionDoc, type Json, ref, type schemaNames } from './names.js';
import { minimal, recordCreated, recordOk, seeOther } from './responses.js';

/** The form controls of a method override, beside the fields of the form. */
export const OVERRIDE_CONTROLS: Json = {
  _method: {
    type: 'string',
    enum: ['PUT', 'PATCH', 'DELETE'],
    description: 'The method the form stands for.',
  },
  _etag: { type: 'string', description: 'The ETag for If-Match (an If-Match header wins).' },
};

function formBody(c: CollectionDoc, multipart: boolean): Json {
  const fields = multipart ? `${c.base}Multipart` : `${c.base}Form`;
  return {
    schema: {
      type: 'object',
      required: ['_method'],
      properties: OVERRIDE_CONTROLS,
      description: `The fields of the method it stands for (as in ${fields}; none for DELETE) and these controls.`,
      additionalProperties: true,
    },
  };
}

/** The override operation of `/api/{collection}/{id}`. */
export function overrideOperation(c: CollectionDoc, names: ReturnType<typeof schemaNames>): Json {
  return {
    operationId: `override${c.base}Record`,
    tags: [c.name],
    summary: `An HTML form standing for PUT, PATCH or DELETE on a ${c.name} record`,
    description:
      'A form body (urlencoded or multipart, never JSON) with `_method` set to PUT, PATCH or DELETE is that ' +
      'method on this URL, under the same rules and preconditions (`_etag` for If-Match). Not listed in Allow: ' +
      'a POST without a form body, or without `_method`, is 405; another `_method` value is 400.',
    'x-method-override': true,
    security: [{}, { bearer: [] }, { cookie: [] }],
    parameters: [
      ref('parameters', 'IfMatch'),
      ref('parameters', 'IdempotencyKey'),
      ref('parameters', 'Prefer'),
    ],
    requestBody: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': formBody(c, false),
        'multipart/form-data': formBody(c, true),
      },
    },
    responses: {
      200: recordOk(names.record, 'Replaced or patched (PUT or PATCH).', ['Idempotent-Replayed']),
      ...(c.def.auth ? {} : { 201: recordCreated(names.record) }),
      204: minimal(),
      303: seeOther(),
      ...problems([400, 401, 403, 404, 405, 406, 409, 412, 413, 415, 422, 428, 500, 507]),
    },
  };
}
