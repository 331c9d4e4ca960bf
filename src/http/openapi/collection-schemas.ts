/** Per-collection components: record, input, patch, form and list-page schemas, and request bodies. */

import { DEFAULT_MAX_PER_PAGE as MAX_PER_PAGE } from '../../query/list-params.js';
import { fieldJsonSchema } from '../../schema/json-schema.js';
import { type CollectionDoc, type Json, ref, schemaNames } from './names.js';

/** A collection JSON Schema as a component: the `$schema` keyword is the document's dialect already. */
function component(schema: Record<string, unknown>): Json {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

function properties(schema: Json): Json {
  return { ...(schema.properties as Json) };
}

function required(schema: Json): string[] {
  return Array.isArray(schema.required) ? (schema.required as string[]) : [];
}

const FORM_CONTROLS: Json = {
  _redirect: {
    type: 'string',
    pattern: '^/(?!/)',
    description: 'Forms with Accept: text/html: where the 303 goes (a same-origin path).',
  },
  _idempotency_key: {
    type: 'string',
    minLength: 1,
    maxLength: 255,
    description: 'Same as the Idempotency-Key header, so a double-clicked submit makes one record.',
  },
};

const binary = (accept: readonly string[] | undefined): Json => ({
  type: 'string',
  format: 'binary',
  contentMediaType:
    accept?.length === 1 && !accept[0].endsWith('/*') ? accept[0] : 'application/octet-stream',
});

/** A form body: the input fields (file fields as uploads when `multipart`) plus the form controls. */
function formSchema(c: CollectionDoc, input: Json, multipart: boolean): Json {
  const props = properties(input);
  delete props.id;
  delete props.created;
  delete props.updated;
  for (const [name, def] of Object.entries(c.def.fields)) {
    if (def.type !== 'file' || !multipart) continue;
    const file = binary(def.accept);
    if (def.maxSize !== undefined) file.description = `At most ${def.maxSize} bytes.`;
    props[name] = def.multiple === true ? { type: 'array', items: file } : file;
  }
  // Browsers send nothing for an unchecked box, which reads as false.
  const needed = required(input).filter((name) => c.def.fields[name]?.type !== 'boolean');
  return {
    title: `${c.name} ${multipart ? 'multipart' : 'form'}`,
    type: 'object',
    description:
      'Values are coerced by field type; an empty optional value means null; checkboxes `on`/`true`/`1`.',
    properties: { ...props, ...FORM_CONTROLS },
    required: needed,
    additionalProperties: false,
  };
}

/** A merge patch: any subset of the fields; null unsets one. */
function patchSchema(c: CollectionDoc, input: Json): Json {
  const props = properties(input);
  // Nullable even when required, since RFC 7396 says null removes; the result is then checked (422).
  for (const [name, def] of Object.entries(c.def.fields))
    props[name] = fieldJsonSchema({ ...def, required: false, default: undefined });
  return {
    title: `${c.name} merge patch`,
    type: 'object',
    description:
      'RFC 7396: members replace, null removes, arrays replace whole. id/created/updated are ignored.',
    properties: props,
    additionalProperties: false,
  };
}

function listPageSchema(c: CollectionDoc): Json {
  const count = (description: string): Json => ({ type: ['integer', 'null'], minimum: 0, description });
  return {
    title: `${c.name} list page`,
    type: 'object',
    required: ['items', 'page', 'perPage', 'totalItems', 'totalPages'],
    properties: {
      items: {
        type: 'array',
        items: ref('schemas', schemaNames(c.base).read),
        description: 'The records (only the requested `fields` when given).',
      },
      page: { type: 'integer', minimum: 1 },
      perPage: { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE },
      totalItems: count('Matching records; null with skipTotal=true.'),
      totalPages: count('Pages; null with skipTotal=true.'),
    },
    additionalProperties: false,
  };
}

/** Setting a password on an auth collection's record: the new one, and one's own current one. */
const PASSWORD_FIELDS: Json = {
  password: {
    type: 'string',
    minLength: 8,
    maxLength: 256,
    writeOnly: true,
    description: 'A new password. Revokes the user’s other sessions; the current one stays signed in.',
  },
  oldPassword: {
    type: 'string',
    writeOnly: true,
    description:
      'The current password, needed to change one’s own (a wrong or missing one: 422 on this field); ' +
      'admins may set anyone’s password without it.',
  },
};

/** With the password fields on an auth collection's write bodies. */
function withPasswords(c: CollectionDoc, schema: Json): Json {
  if (!c.def.auth) return schema;
  return { ...schema, properties: { ...(schema.properties as Json), ...PASSWORD_FIELDS } };
}

/**
 * Fields a response may leave out for some callers: `hidden` ones (shown to
 * admins only) and a user's email (shown to the user and admins).
 */
function sometimesShown(c: CollectionDoc): Set<string> {
  const out = new Set<string>();
  for (const [name, def] of Object.entries(c.def.fields)) {
    if ((def as { hidden?: boolean }).hidden === true) out.add(name);
  }
  if (c.def.auth) out.add('email');
  return out;
}

/** `expand`: for each relation, the related record (or null), or an array of them for `multiple`. */
function expandSchema(c: CollectionDoc, all: readonly CollectionDoc[]): Json | undefined {
  const properties: Json = {};
  for (const [name, def] of Object.entries(c.def.fields)) {
    if (def.type !== 'relation') continue;
    const target = all.find((other) => other.name === def.collection);
    const record: Json = target ? ref('schemas', schemaNames(target.base).record) : { type: 'object' };
    properties[name] =
      def.multiple === true
        ? { type: 'array', items: record }
        : { anyOf: [record, { type: 'null', description: 'Not set, or not visible to the caller.' }] };
  }
  if (Object.keys(properties).length === 0) return undefined;
  return {
    type: 'object',
    description: 'Related records inlined by ?expand=, as far as the caller may view them.',
    properties,
    additionalProperties: false,
  };
}

/** The components.schemas entries of one collection. */
export function collectionSchemas(c: CollectionDoc, all: readonly CollectionDoc[] = [c]): Json {
  const names = schemaNames(c.base);
  const input = withPasswords(c, component(c.compiled.jsonSchema('input')));
  const record = component(c.compiled.jsonSchema('record'));
  const expand = expandSchema(c, all);
  if (expand) record.properties = { ...(record.properties as Json), expand };
  const optional = sometimesShown(c);
  if (optional.size > 0) record.required = required(record).filter((name) => !optional.has(name));
  const { required: _all, ...fields } = record;
  return {
    [names.record]: record,
    [names.fields]: {
      ...fields,
      title: `${c.name} fields`,
      description: 'The fields a read asked for with `fields=`: any subset of the record.',
    },
    [names.read]: {
      title: `${c.name} read`,
      description: 'The whole record, or with `fields=` only the fields asked for.',
      anyOf: [ref('schemas', names.record), ref('schemas', names.fields)],
    },
    [names.input]: input,
    [names.patch]: withPasswords(c, patchSchema(c, input)),
    [names.form]: formSchema(c, input, false),
    [names.multipart]: formSchema(c, input, true),
    [names.page]: listPageSchema(c),
  };
}

function multipartEncoding(c: CollectionDoc): Json | undefined {
  const encoding: Json = {};
  for (const [name, def] of Object.entries(c.def.fields)) {
    if (def.type === 'file' && def.accept !== undefined && def.accept.length > 0) {
      encoding[name] = { contentType: def.accept.join(', ') };
    }
  }
  return Object.keys(encoding).length > 0 ? encoding : undefined;
}

/** The components.requestBodies entries of one collection: `{Base}Write` and `{Base}Patch`. */
export function collectionRequestBodies(c: CollectionDoc): Json {
  const names = schemaNames(c.base);
  const multipart: Json = { schema: ref('schemas', names.multipart) };
  const encoding = multipartEncoding(c);
  if (encoding !== undefined) multipart.encoding = encoding;
  return {
    [`${c.base}Write`]: {
      required: true,
      description: `A whole ${c.name} record. Fields left out take their defaults. Unknown fields: 422.`,
      content: {
        'application/json': { schema: ref('schemas', names.input) },
        'application/x-www-form-urlencoded': { schema: ref('schemas', names.form) },
        'multipart/form-data': multipart,
      },
    },
    [`${c.base}Patch`]: {
      required: true,
      description: 'A merge patch (RFC 7396; application/json reads as one) or a JSON Patch (RFC 6902).',
      content: {
        'application/merge-patch+json': { schema: ref('schemas', names.patch) },
        'application/json': { schema: ref('schemas', names.patch) },
        'application/json-patch+json': { schema: ref('schemas', 'JsonPatch') },
      },
    },
  };
}
