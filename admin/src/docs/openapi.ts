/**
 * The OpenAPI document as the docs page reads it: $refs resolved (with a
 * guard, so a dangling or looping ref shows as a name instead of hanging
 * the page), operations listed in path order and grouped by tag with the
 * collections first, and the search that narrows the table of contents.
 * Pure (no DOM), so the node tests can check it.
 */

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is free-form JSON
export type Json = any;

export const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'trace'] as const;

/** Methods that only repeat another operation (GET's headers, the Allow list): shown folded. */
export const MINOR_METHODS = new Set(['head', 'options']);

export interface Operation {
  id: string;
  method: string;
  path: string;
  tag: string;
  summary: string;
  op: Json;
  /** Path-level parameters, which every operation of the path shares. */
  shared: Json[];
}

export interface TagGroup {
  name: string;
  description?: string;
  operations: Operation[];
}

/** The object a local ref (`#/components/schemas/X`) names, or undefined. */
export function lookup(doc: Json, ref: string): Json {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** The last segment of a ref: the component's name. */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/**
 * Follows $ref chains (a parameter that refs a parameter, …) to a real
 * object. A chain longer than 16 or one that loops ends as undefined.
 */
export function resolve(doc: Json, node: Json): Json {
  let current = node;
  for (let hops = 0; hops < 16; hops++) {
    if (!current || typeof current !== 'object' || typeof current.$ref !== 'string') return current;
    current = lookup(doc, current.$ref);
  }
  return undefined;
}

/** An id usable as a URL fragment and an element id. */
export function anchor(prefix: string, name: string): string {
  return `${prefix}-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

export const opAnchor = (op: Operation) => anchor('op', op.id);
export const schemaAnchor = (name: string) => anchor('schema', name);

/** Every operation of the document, in the document's path order. */
export function operationsOf(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<Json>(doc?.paths ?? {})) {
    const pathItem = resolve(doc, item);
    if (!pathItem || typeof pathItem !== 'object') continue;
    const shared = Array.isArray(pathItem.parameters) ? pathItem.parameters : [];
    for (const method of METHODS) {
      const op = pathItem[method];
      if (!op || typeof op !== 'object') continue;
      out.push({
        id: typeof op.operationId === 'string' ? op.operationId : `${method}_${path}`,
        method,
        path,
        tag: Array.isArray(op.tags) && typeof op.tags[0] === 'string' ? op.tags[0] : 'other',
        summary: typeof op.summary === 'string' ? op.summary : '',
        op,
        shared,
      });
    }
  }
  return out;
}

/** The summary worth showing beside method and path: a route's is often just "GET /path" again. */
export function shownSummary(op: Operation): string {
  return new RegExp(`^${op.method}\\s+\\S+$`, 'i').test(op.summary) ? '' : op.summary;
}

/** Tags in reading order: the collections, then auth, files, batch, meta, admin, routes, then any other. */
export function groupByTag(doc: Json, operations: Operation[]): TagGroup[] {
  const declared: Json[] = Array.isArray(doc?.tags) ? doc.tags : [];
  const collections = new Set(Object.keys(doc?.['x-collections'] ?? {}));
  const fixed = ['auth', 'files', 'batch', 'meta', 'admin', 'routes'];
  const names = [...new Set([...declared.map((t) => String(t.name)), ...operations.map((o) => o.tag)])];
  const rank = (name: string) => {
    if (collections.has(name)) return 0;
    const i = fixed.indexOf(name);
    return i >= 0 ? 1 + i : fixed.length + 1;
  };
  // A stable sort keeps the document's own order within each rank.
  names.sort((a, b) => rank(a) - rank(b));
  return names
    .map((name) => ({
      name,
      description: declared.find((t) => t.name === name)?.description,
      operations: operations.filter((o) => o.tag === name),
    }))
    .filter((g) => g.operations.length > 0);
}

/** Does the operation match every word of the search (by method, path, summary or operationId)? */
export function matches(op: Operation, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = `${op.method} ${op.path} ${op.summary} ${op.id}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

/** The parameters an operation takes: the path's shared ones, overridden by the operation's own (by name and place). */
export function parametersOf(doc: Json, op: Operation): Json[] {
  const byKey = new Map<string, Json>();
  for (const raw of [...op.shared, ...(Array.isArray(op.op.parameters) ? op.op.parameters : [])]) {
    const p = resolve(doc, raw);
    if (p && typeof p === 'object') byKey.set(`${p.in}:${p.name}`, p);
  }
  return [...byKey.values()];
}

export interface SchemeInfo {
  name: string;
  /** How a client sends it, e.g. "Authorization: Bearer <token>" or the cookie's name. */
  how: string;
  description?: string;
}

/** A security scheme, said the way a developer uses it. */
export function describeScheme(name: string, scheme: Json): SchemeInfo {
  const s = scheme ?? {};
  let how = name;
  if (s.type === 'http' && String(s.scheme).toLowerCase() === 'bearer') how = 'Authorization: Bearer <token>';
  else if (s.type === 'http') how = `Authorization: ${s.scheme}`;
  else if (s.type === 'apiKey')
    how = `${s.in === 'cookie' ? 'Cookie' : s.in === 'query' ? 'Query parameter' : 'Header'} ${s.name}`;
  else if (s.type) how = String(s.type);
  return { name, how, description: typeof s.description === 'string' ? s.description : undefined };
}

export interface SecurityInfo {
  /** No authentication at all (`security: []`). */
  none: boolean;
  /** Anonymous callers may call it too (an empty requirement `{}`). */
  optional: boolean;
  /** The alternatives: each lists the schemes sent together. */
  alternatives: string[][];
}

/** Who may call an operation: its own security, or the document's default. */
export function securityOf(doc: Json, op: Json): SecurityInfo {
  const reqs: Json[] = Array.isArray(op?.security)
    ? op.security
    : Array.isArray(doc?.security)
      ? doc.security
      : [];
  const alternatives = reqs.map((r) => Object.keys(r ?? {})).filter((names) => names.length > 0);
  return {
    none: alternatives.length === 0,
    optional: reqs.some((r) => Object.keys(r ?? {}).length === 0),
    alternatives,
  };
}

/** Responses in status order, with `2XX`-style ranges after their exact codes and `default` last. */
export function sortedStatuses(responses: Json): string[] {
  const key = (s: string) =>
    s === 'default' ? 1000 : Number(s.replace(/X/gi, '9')) + (/X/i.test(s) ? 0.5 : 0);
  return Object.keys(responses ?? {}).sort((a, b) => key(a) - key(b));
}
