/**
 * Checks responses against the app's own OpenAPI document: the operation
 * is found by method and path template; its status must be documented,
 * the headers it marks required present, the notable headers sent
 * documented, and the body valid against the schema for that status and
 * media type. The harness hands every response here while recording is on
 * (openapi-conformance.test.ts turns it on around the scenario suites).
 */

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Config } from '../../src/config/types.js';
import { openApiDocument } from '../../src/http/openapi/document.js';
import { allowOfItem } from '../../src/http/openapi/options.js';
import { registeredRoutes } from '../../src/http/route-table.js';
import { compileSchema } from '../../src/schema/compile-schema.js';

type Json = Record<string, unknown>;

// A CommonJS plugin seen through ESM: the function is its default export.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

/** Headers a client acts on: sent, they must be documented on that response. */
const NOTABLE = [
  'etag',
  'last-modified',
  'location',
  'content-location',
  'vary',
  'cache-control',
  'link',
  'allow',
  'accept-patch',
  'accept-post',
  'retry-after',
  'www-authenticate',
  'idempotent-replayed',
  'preference-applied',
  'content-range',
  'accept-ranges',
  'content-disposition',
  'set-cookie',
];

/** Statuses any route may answer before its handler runs (bad URL, credentials, CSRF, body limits). */
const BEFORE_ROUTING = new Set([400, 401, 403, 413, 415, 431, 501]);

const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'];

export interface Checked {
  doc: Json;
  ajv: Ajv2020;
  paths: { template: string; pattern: RegExp; params: number; item: Json }[];
  validators: Map<string, ValidateFunction>;
}

/** The document of an app, made ready for checking. */
export function checkerFor(app: FastifyInstance, config: Config): Checked {
  const doc = openApiDocument(config, compileSchema(config), { version: '0', routes: registeredRoutes(app) });
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema(doc as object, 'openapi.json');
  const paths = Object.entries(doc.paths as Record<string, Json>).map(([template, item]) => {
    const source = template
      .split('/')
      .map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    return {
      template,
      pattern: new RegExp(`^${source}/?$`),
      params: (template.match(/\{/g) ?? []).length,
      item,
    };
  });
  paths.sort((a, b) => a.params - b.params);
  return { doc, ajv, paths, validators: new Map() };
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Follows `$ref`s from a node; returns the node and its JSON Pointer in the document. */
function deref(doc: Json, node: unknown, pointer: string): { node: Json; pointer: string } {
  let current = node as Json;
  let at = pointer;
  for (let i = 0; i < 10 && typeof current?.$ref === 'string'; i++) {
    at = (current.$ref as string).slice(1);
    current = at
      .slice(1)
      .split('/')
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((n, k) => (n as Json)?.[k], doc) as Json;
  }
  return { node: current, pointer: at };
}

function mediaTypeOf(res: LightMyRequestResponse): string {
  return String(res.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

function isJson(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

function validate(c: Checked, pointer: string, value: unknown): string[] {
  const v = c.validators.get(pointer) ?? c.ajv.compile({ $ref: `openapi.json#${pointer}` });
  c.validators.set(pointer, v);
  if (v(value)) return [];
  return (v.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

/** Where a problem body may be an HTML page instead: a request that prefers HTML (a browser form). */
function prefersHtml(options: InjectOptions): boolean {
  const accept = String((options.headers as Json | undefined)?.accept ?? '');
  return accept.includes('text/html');
}

/** The mismatches of one response with the document, as readable lines. */
export function mismatches(c: Checked, options: InjectOptions, res: LightMyRequestResponse): string[] {
  const method = String(options.method ?? 'GET').toUpperCase();
  const url = String(options.url ?? (options as Json).path ?? '/');
  const path = url.split('?')[0];
  const status = res.statusCode;
  const found = c.paths.find((p) => p.pattern.test(path));
  if (!found) return []; // Not the API's: a static file, or nothing (404).
  const where = `${method} ${found.template} ${status}`;
  const item = found.item;
  const operation = item[method.toLowerCase()] as Json | undefined;
  if (!operation || !METHODS.includes(method.toLowerCase())) {
    if (status === 405) {
      const allow = allowOfItem(item);
      const out =
        res.headers.allow === allow ? [] : [`${where}: Allow is ${res.headers.allow}, documented ${allow}`];
      if (res.body === '') return out;
      if (mediaTypeOf(res) === 'application/problem+json') {
        const pointer = '/components/responses/MethodNotAllowed/content/application~1problem+json/schema';
        for (const error of validate(c, pointer, JSON.parse(res.body))) out.push(`${where}: body ${error}`);
      } else if (!prefersHtml(options)) out.push(`${where}: a ${mediaTypeOf(res)} body, not a problem`);
      return out;
    }
    if (BEFORE_ROUTING.has(status)) return [];
    return [`${where}: the method is not documented on this path`];
  }
  const responses = operation.responses as Json;
  const pointerOf = `/paths/${escapePointer(found.template)}/${method.toLowerCase()}/responses`;
  const range = `${String(status)[0]}XX`;
  const key = [String(status), range, 'default'].find((k) => responses[k] !== undefined) ?? String(status);
  if (responses[key] === undefined) return [`${where}: status not documented`];
  const { node: response, pointer } = deref(c.doc, responses[key], `${pointerOf}/${escapePointer(key)}`);
  const out: string[] = [];
  const headers = (response.headers ?? {}) as Json;
  const documented = new Map(Object.keys(headers).map((h) => [h.toLowerCase(), h]));
  for (const [name, header] of Object.entries(headers)) {
    const resolved = deref(c.doc, header, '').node;
    const value = res.headers[name.toLowerCase()];
    if (resolved.required === true && value === undefined)
      out.push(`${where}: required header ${name} missing`);
    const schema = resolved.schema as Json | undefined;
    if (value !== undefined && schema && (schema.enum !== undefined || schema.const !== undefined)) {
      const allowed = (schema.enum as unknown[] | undefined) ?? [schema.const];
      if (!allowed.includes(String(value)))
        out.push(`${where}: header ${name} is ${value}, documented ${allowed.join(' | ')}`);
    }
  }
  for (const name of NOTABLE) {
    if (res.headers[name] !== undefined && !documented.has(name))
      out.push(`${where}: header ${name} undocumented`);
  }
  if (method === 'HEAD' || status === 204 || status === 304 || res.body === '') return out;
  const type = mediaTypeOf(res);
  const content = response.content as Json | undefined;
  if (!content) return [...out, `${where}: a ${type} body, documented none`];
  const entry = (content[type] ?? content['*/*']) as Json | undefined;
  if (!entry) {
    if (type === 'text/html' && status >= 400 && prefersHtml(options)) return out;
    return [...out, `${where}: body ${type}, documented ${Object.keys(content).join(', ')}`];
  }
  if (!isJson(type) || entry.schema === undefined) return out;
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return [...out, `${where}: body is not JSON`];
  }
  const schemaPointer = `${pointer}/content/${escapePointer(content[type] ? type : '*/*')}/schema`;
  for (const error of validate(c, schemaPointer, body)) out.push(`${where}: body ${error}`);
  return out;
}

/** The recording the harness feeds while it is on: mismatch → an example URL. */
export const recording: {
  on: boolean;
  found: Map<string, string>;
  checkers: WeakMap<FastifyInstance, Checked>;
  responses: number;
} = { on: false, found: new Map(), checkers: new WeakMap(), responses: 0 };

/** Called by the harness for each response while recording is on. */
export function recordResponse(
  app: FastifyInstance,
  config: Config,
  options: InjectOptions | string,
  res: LightMyRequestResponse,
): void {
  if (!recording.on) return;
  const opts: InjectOptions = typeof options === 'string' ? { url: options } : options;
  let checker = recording.checkers.get(app);
  if (!checker) {
    checker = checkerFor(app, config);
    recording.checkers.set(app, checker);
  }
  recording.responses++;
  for (const line of mismatches(checker, opts, res)) {
    if (!recording.found.has(line)) recording.found.set(line, `${opts.method ?? 'GET'} ${opts.url}`);
  }
}
