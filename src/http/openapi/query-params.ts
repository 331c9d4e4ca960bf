/** The query parameters of a collection's reads: sort, fields, expand and shorthand equality. */
import { RESERVED_PARAMS } from '../../query/list-params.js';
import { fieldType } from '../../schema/fields/index.js';
import { ID_PATTERN } from '../../schema/types.js';
import type { CollectionDoc, Json } from './names.js';
import { ref } from './names.js';

const SYSTEM: Record<string, Json> = {
  id: { type: 'string', pattern: ID_PATTERN.source },
  created: { type: 'string', format: 'date-time' },
  updated: { type: 'string', format: 'date-time' },
};

function fieldNames(c: CollectionDoc): string[] {
  return [...Object.keys(SYSTEM), ...Object.keys(c.def.fields)];
}

function relations(c: CollectionDoc): string[] {
  return Object.entries(c.def.fields)
    .filter(([, def]) => def.type === 'relation')
    .map(([name]) => name);
}

function commaList(name: string, description: string): Json {
  return {
    name,
    in: 'query',
    required: false,
    description,
    schema: { type: 'string' },
  };
}

/** `fields` and `expand`, which GET of a list and of a record both take. */
export function pickParameters(c: CollectionDoc): Json[] {
  const rel = relations(c);
  return [
    commaList('fields', `Comma-separated fields to return, of: ${fieldNames(c).join(', ')}.`),
    commaList(
      'expand',
      rel.length > 0
        ? `Comma-separated relations to inline under \`expand\`, of: ${rel.join(', ')}.`
        : `${c.name} has no relation fields to expand.`,
    ),
  ];
}

/** `?field=value`: equality on one single-valued, non-JSON field. */
function shorthandParameters(c: CollectionDoc): Json[] {
  const out: Json[] = [];
  for (const [name, schema] of Object.entries(SYSTEM)) {
    if (!RESERVED_PARAMS.has(name)) out.push(shorthand(name, schema));
  }
  for (const [name, def] of Object.entries(c.def.fields)) {
    const impl = fieldType(def.type);
    if (RESERVED_PARAMS.has(name) || def.multiple === true || impl.storage === 'json') continue;
    out.push(shorthand(name, impl.jsonSchema(def)));
  }
  return out;
}

function shorthand(name: string, schema: Json): Json {
  return {
    name,
    in: 'query',
    required: false,
    description: `Shorthand for \`filter=${name}="…"\` (equality; an empty value matches null). ANDed with filter.`,
    schema,
  };
}

/** The cursor a `next` link carries; opaque to clients, checked by the server. */
const AFTER: Json = {
  name: 'after',
  in: 'query',
  required: false,
  description:
    'Opaque cursor from a `next` link: the page starts after the row it names, found through the sort ' +
    '(and an index on it) instead of skipping rows, so a deep page costs what page 1 costs. It only fits the ' +
    'same sort; `page` then only numbers the page. A malformed or mismatched cursor: 400.',
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
};

/** Every query parameter of GET /api/{collection}. */
export function listParameters(c: CollectionDoc): Json[] {
  return [
    ref('parameters', 'Filter'),
    {
      name: 'sort',
      in: 'query',
      required: false,
      description: `Comma-separated sort keys, \`-\` for descending (e.g. \`-created,id\`), of: ${fieldNames(c).join(', ')}.`,
      schema: { type: 'string' },
    },
    ref('parameters', 'Page'),
    ref('parameters', 'PerPage'),
    AFTER,
    ...pickParameters(c),
    ref('parameters', 'SkipTotal'),
    ...shorthandParameters(c),
  ];
}
