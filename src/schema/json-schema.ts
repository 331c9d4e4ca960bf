/** JSON Schema (2020-12) of a collection's records and of its create/replace bodies. */
import { fieldType } from './fields/index.js';
import { type CollectionDef, type FieldDef, ID_PATTERN, SELF_ONLY_USER_FIELDS } from './types.js';

export type SchemaKind = 'record' | 'input';

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** Lets a value schema also accept null, keeping it readable where `type` is a plain name. */
function nullable(schema: Record<string, unknown>): Record<string, unknown> {
  if (Object.keys(schema).length === 0) return schema; // `{}` already admits null
  // A union (a date is a date or a date-time) gains a null branch, every branch typed.
  if (schema.type === undefined && Array.isArray(schema.anyOf)) {
    return { ...schema, anyOf: [...schema.anyOf, { type: 'null' }] };
  }
  if (typeof schema.type !== 'string') return { anyOf: [schema, { type: 'null' }] };
  const out: Record<string, unknown> = { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.enum)) out.enum = [...schema.enum, null];
  return out;
}

/** The schema of one field's value: the type's schema, as an array for `multiple`, null when optional. */
export function fieldJsonSchema(def: FieldDef): Record<string, unknown> {
  const one = fieldType(def.type).jsonSchema(def);
  let schema = one;
  if (def.multiple === true) {
    schema = { type: 'array', items: one };
    if (def.min !== undefined) schema.minItems = def.min;
    if (def.max !== undefined) schema.maxItems = def.max;
  }
  if (def.required !== true) schema = nullable(schema);
  if (def.default !== undefined) schema = { ...schema, default: def.default };
  return schema;
}

/** A field some callers do not see in a record, so a record may come without it. */
function hiddenFromSome(def: CollectionDef, name: string, field: FieldDef): boolean {
  return field.hidden === true || (def.auth && SELF_ONLY_USER_FIELDS.includes(name));
}

/** The record (with system fields) or the input body (create/replace) of a collection. */
export function collectionJsonSchema(def: CollectionDef, kind: SchemaKind): Record<string, unknown> {
  const fields = Object.entries(def.fields);
  const properties: Record<string, unknown> = {
    id: { type: 'string', pattern: ID_PATTERN.source },
    created: { type: 'string', format: 'date-time', readOnly: true },
    updated: { type: 'string', format: 'date-time', readOnly: true },
  };
  for (const [name, field] of fields) {
    properties[name] = fieldJsonSchema(field);
    if (kind === 'record' && hiddenFromSome(def, name, field)) {
      const who = field.hidden === true ? 'administrators' : 'the user themself and administrators';
      properties[name] = { ...(properties[name] as object), description: `Sent only to ${who}.` };
    }
  }
  const required =
    kind === 'record'
      ? [
          'id',
          'created',
          'updated',
          ...fields.filter(([name, f]) => !hiddenFromSome(def, name, f)).map(([name]) => name),
        ]
      : fields.filter(([, f]) => f.required === true && f.default === undefined).map(([name]) => name);
  if (kind === 'record') {
    const relations = fields.filter(([, f]) => f.type === 'relation').map(([name]) => name);
    if (relations.length > 0) {
      properties.expand = {
        type: 'object',
        description: 'Related records inlined by ?expand=',
        propertyNames: { type: 'string', enum: relations },
      };
    }
  }
  return {
    $schema: DIALECT,
    title: kind === 'record' ? def.name : `${def.name} input`,
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  };
}
