/**
 * What one JSON Schema node says, in words: its types (with `null` folded
 * into "nullable"), format, enum or const, and its constraints. Pure, so the
 * node tests can check it; schema-view.tsx lays it out.
 */
import type { Json } from './openapi.js';

export interface TypeInfo {
  /** The JSON types without `null`, e.g. ["string"]; empty for "any". */
  types: string[];
  nullable: boolean;
  format?: string;
  /** Allowed values (enum, or a single const), as JSON text. */
  values?: string[];
}

export function typeInfo(schema: Json): TypeInfo {
  const s = schema ?? {};
  const raw: string[] = Array.isArray(s.type)
    ? s.type.map(String)
    : typeof s.type === 'string'
      ? [s.type]
      : [];
  let values: string[] | undefined;
  if (Array.isArray(s.enum)) values = s.enum.map((v: unknown) => JSON.stringify(v));
  else if (Object.hasOwn(s, 'const')) values = [JSON.stringify(s.const)];
  const nullable =
    raw.includes('null') || s.nullable === true || (Array.isArray(s.enum) && s.enum.includes(null));
  return {
    types: raw.filter((t) => t !== 'null'),
    nullable,
    format: typeof s.format === 'string' ? s.format : undefined,
    values: values?.filter((v) => v !== 'null'),
  };
}

/** The type as one short phrase: "string (date-time)", "integer", "any". */
export function typeText(schema: Json): string {
  const t = typeInfo(schema);
  let text = t.types.length > 0 ? t.types.join(' or ') : t.nullable ? 'null' : 'any';
  if (t.format) text += ` (${t.format})`;
  return text;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** One limit: words, and a literal (a pattern, a default) to show as code. */
export interface Constraint {
  text: string;
  code?: string;
}

/** The limits a value must meet, each as a short phrase. */
export function constraintsOf(schema: Json): Constraint[] {
  const s = schema ?? {};
  const out: Constraint[] = [];
  const push = (text: string, code?: string) => out.push(code === undefined ? { text } : { text, code });
  const range = (min: unknown, max: unknown, unit: string) => {
    const lo = typeof min === 'number' ? min : undefined;
    const hi = typeof max === 'number' ? max : undefined;
    if (lo !== undefined && hi !== undefined) push(`${lo} to ${plural(hi, unit)}`);
    else if (lo !== undefined) push(`at least ${plural(lo, unit)}`);
    else if (hi !== undefined) push(`at most ${plural(hi, unit)}`);
  };
  range(s.minLength, s.maxLength, 'character');
  range(s.minItems, s.maxItems, 'item');
  range(s.minProperties, s.maxProperties, 'member');
  if (typeof s.minimum === 'number') push(`≥ ${s.minimum}`);
  if (typeof s.exclusiveMinimum === 'number') push(`> ${s.exclusiveMinimum}`);
  if (typeof s.maximum === 'number') push(`≤ ${s.maximum}`);
  if (typeof s.exclusiveMaximum === 'number') push(`< ${s.exclusiveMaximum}`);
  if (typeof s.multipleOf === 'number') push(`multiple of ${s.multipleOf}`);
  if (s.uniqueItems === true) push('unique items');
  if (typeof s.pattern === 'string') push('pattern', s.pattern);
  if (typeof s.contentMediaType === 'string') push('content', s.contentMediaType);
  if (Object.hasOwn(s, 'default')) push('default', JSON.stringify(s.default));
  if (Object.hasOwn(s, 'example')) push('example', JSON.stringify(s.example));
  if (s.readOnly === true) push('read-only');
  if (s.writeOnly === true) push('write-only');
  if (s.deprecated === true) push('deprecated');
  return out;
}

/** The alternatives of anyOf / oneOf / allOf, with the word that joins them. */
export function alternativesOf(
  schema: Json,
): { word: 'One of' | 'Any of' | 'All of'; list: Json[] } | undefined {
  const s = schema ?? {};
  if (Array.isArray(s.oneOf)) return { word: 'One of', list: s.oneOf };
  if (Array.isArray(s.anyOf)) return { word: 'Any of', list: s.anyOf };
  if (Array.isArray(s.allOf)) return { word: 'All of', list: s.allOf };
  return undefined;
}

/** Has this node members or alternatives worth a table of their own (not just a type word)? */
export function isComplex(schema: Json): boolean {
  const s = schema ?? {};
  if (typeof s.$ref === 'string') return true;
  if (s.properties && typeof s.properties === 'object' && Object.keys(s.properties).length > 0) return true;
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    return isComplex(s.additionalProperties);
  if (s.items && typeof s.items === 'object') return isComplex(s.items);
  const alt = alternativesOf(s);
  return alt ? alt.list.some(isComplex) : false;
}
