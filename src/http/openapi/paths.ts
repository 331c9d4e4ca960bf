/** Per-collection paths: `/api/{collection}` and `/api/{collection}/{id}`. */
import { ruleStatuses, ruleText, securityFor } from './access.js';
import { headerRefs, problems, required } from './components.js';
import { type CollectionDoc, type Json, type RouteDoc, ref, schemaNames } from './names.js';
import { optionsOperation } from './options.js';
import { overrideOperation } from './override-paths.js';
import { listParameters, pickParameters } from './query-params.js';
import { jsonResponse, minimal, notModified, recordCreated, recordOk, seeOther } from './responses.js';

const param = (name: string) => ref('parameters', name);
const lines = (...parts: (string | false)[]) => parts.filter((p) => p !== false).join('\n\n');
/** Accept-Post on 415 (POST), Accept-Patch on 415 (PATCH). */
const POST_415 = { 415: 'UnsupportedPostMediaType' };
const PATCH_415 = { 415: 'UnsupportedPatchMediaType' };

function listPath(c: CollectionDoc): Json {
  const { rules } = c.def;
  const names = schemaNames(c.base);
  const tags = [c.name];
  const parameters = [...listParameters(c), param('IfNoneMatch')];
  const listDescription = lines(
    `A page of ${c.name} with Link rel="first", "prev", "next", "last". Unknown parameters, a bad filter ` +
      '(with `position`) or an out-of-range page/perPage: 400.',
    ruleText('list', rules.list),
  );
  const readStatuses = [400, 412, 500, ...ruleStatuses('list', rules.list)];
  const pageHeaders = ['Link', 'ETag', 'Cache-Control', 'Vary', 'Set-Cookie'];
  const page = (description: string, head: boolean): Json => {
    const response = jsonResponse(description, names.page, pageHeaders, head);
    response.headers = required(response.headers as Json, 'Link', 'ETag');
    return response;
  };
  const item: Json = {
    get: {
      operationId: `list${c.base}`,
      tags,
      summary: `List ${c.name}`,
      description: listDescription,
      security: securityFor(rules.list),
      parameters,
      responses: {
        200: page('A page of records.', false),
        304: notModified(),
        ...problems([...readStatuses, 406]),
      },
    },
    head: {
      operationId: `head${c.base}List`,
      tags,
      summary: `Headers of a ${c.name} list page`,
      description: lines(
        'Exactly the headers GET would send, without the body.',
        ruleText('list', rules.list),
      ),
      security: securityFor(rules.list),
      parameters,
      responses: {
        200: page('The headers of the page.', true),
        304: notModified(),
        ...problems(readStatuses),
      },
    },
  };
  if (!c.def.auth) {
    const idempotency = c.def.requireIdempotencyKey ? 'IdempotencyKeyRequired' : 'IdempotencyKey';
    item.post = {
      operationId: `create${c.base}`,
      tags,
      summary: `Create a ${c.name} record`,
      description: lines(
        '201 with Location, ETag and the record; `Prefer: return=minimal` leaves the body out. ' +
          'Forms (urlencoded or multipart, file fields as parts) with Accept: text/html get 303 See Other.',
        c.def.requireIdempotencyKey && 'This collection requires an Idempotency-Key: without one, 400.',
        ruleText('create', rules.create),
      ),
      security: securityFor(rules.create),
      parameters: [param(idempotency), param('Prefer')],
      requestBody: ref('requestBodies', `${c.base}Write`),
      responses: {
        201: recordCreated(names.record),
        303: seeOther(),
        ...problems(
          [400, 403, 406, 409, 413, 415, 422, 500, 507, ...ruleStatuses('create', rules.create)],
          POST_415,
        ),
      },
    };
  }
  item.options = optionsOperation(item, `options${c.base}List`, tags);
  return item;
}

function recordPath(c: CollectionDoc): Json {
  const { rules, requireIfMatch } = c.def;
  const names = schemaNames(c.base);
  const tags = [c.name];
  const ifMatchNote =
    requireIfMatch && 'This collection requires If-Match to change an existing record: without it, 428.';
  const required428 = requireIfMatch ? [428] : [];
  const readParameters = [...pickParameters(c), param('IfNoneMatch'), param('IfModifiedSince')];
  const readStatuses = [400, 404, 412, 500, ...ruleStatuses('view', rules.view)];
  // A wrong `oldPassword` counts as a failed login, so password changes are throttled like logins (429).
  const throttled = c.def.auth ? [429] : [];
  const writeStatuses = [400, 403, 404, 406, 409, 412, 413, 415, 422, 500, 507, ...required428, ...throttled];
  const viewText = ruleText('view', rules.view);
  const replaceText = c.def.auth
    ? 'Users are created through POST /api/auth/register, so PUT only replaces.'
    : `A valid new id creates the record (201); \`If-None-Match: *\` makes that create-only. ${ruleText('create', rules.create)}`;
  const put: Json = {
    operationId: `replace${c.base}Record`,
    tags,
    summary: `Replace (or create) a ${c.name} record`,
    description: lines(
      'Replaces the whole record: fields left out take their defaults. A body id that differs from the URL: 409. ' +
        'A change that changes nothing keeps the ETag.',
      replaceText,
      ifMatchNote,
      ruleText('update', rules.update),
    ),
    security: securityFor(rules.update),
    parameters: [param('IfMatch'), param('IfNoneMatch'), param('IfUnmodifiedSince'), param('Prefer')],
    requestBody: ref('requestBodies', `${c.base}Write`),
    responses: {
      200: recordOk(names.record, 'Replaced.', ['Preference-Applied']),
      ...(c.def.auth ? {} : { 201: recordCreated(names.record) }),
      204: minimal(),
      303: seeOther(),
      ...problems([...writeStatuses, ...ruleStatuses('update', rules.update)], POST_415),
    },
  };
  const item: Json = {
    parameters: [param('RecordId')],
    get: {
      operationId: `get${c.base}Record`,
      tags,
      summary: `Get a ${c.name} record`,
      description: lines('304 when If-None-Match (or If-Modified-Since) says the copy is current.', viewText),
      security: securityFor(rules.view),
      parameters: readParameters,
      responses: {
        200: recordOk(names.read, 'The record (only the requested `fields` when given).'),
        304: notModified(),
        ...problems([...readStatuses, 406]),
      },
    },
    head: {
      operationId: `head${c.base}Record`,
      tags,
      summary: `Headers of a ${c.name} record`,
      description: lines('Exactly the headers GET would send, without the body.', viewText),
      security: securityFor(rules.view),
      parameters: readParameters,
      responses: {
        200: recordOk(names.read, 'The headers of the record.', [], true),
        304: notModified(),
        ...problems(readStatuses),
      },
    },
    put,
    patch: {
      operationId: `update${c.base}Record`,
      tags,
      summary: `Patch a ${c.name} record`,
      description: lines(
        'application/merge-patch+json (or application/json) merges per RFC 7396; application/json-patch+json ' +
          'applies RFC 6902 operations atomically (a failed test or bad path: 409). An invalid result: 422, nothing changes.',
        ifMatchNote,
        ruleText('update', rules.update),
      ),
      security: securityFor(rules.update),
      parameters: [param('IfMatch'), param('IfUnmodifiedSince'), param('IdempotencyKey'), param('Prefer')],
      requestBody: ref('requestBodies', `${c.base}Patch`),
      responses: {
        200: recordOk(names.record, 'Patched.', ['Idempotent-Replayed']),
        204: minimal(),
        ...problems([...writeStatuses, ...ruleStatuses('update', rules.update)], PATCH_415),
      },
    },
    delete: {
      operationId: `delete${c.base}Record`,
      tags,
      summary: `Delete a ${c.name} record`,
      description: lines(
        'A second DELETE of the same id is a 404. Its files are removed too. Records whose relations point to ' +
          'it follow their onDelete: restrict (the default) makes this a 409 `still-referenced` whose ' +
          '`referencedBy` lists them; cascade deletes them too; setNull clears the relation.',
        ifMatchNote,
        ruleText('delete', rules.delete),
      ),
      security: securityFor(rules.delete),
      parameters: [param('IfMatch'), param('IfUnmodifiedSince')],
      responses: {
        204: { description: 'Deleted.', headers: headerRefs('Cache-Control', 'Vary') },
        ...problems([
          400,
          403,
          404,
          409,
          412,
          500,
          507,
          ...required428,
          ...ruleStatuses('delete', rules.delete),
        ]),
      },
    },
  };
  item.post = overrideOperation(c, names);
  item.options = optionsOperation(item, `options${c.base}Record`, tags);
  return item;
}

/** The doc of `/api/:collection`: one path per collection. */
export const collectionListDoc: RouteDoc = (ctx) =>
  Object.fromEntries(ctx.collections.map((c) => [`/api/${c.name}`, listPath(c)]));

/** The doc of `/api/:collection/:id`: one path per collection. */
export const recordDoc: RouteDoc = (ctx) =>
  Object.fromEntries(ctx.collections.map((c) => [`/api/${c.name}/{id}`, recordPath(c)]));
