/**
 * Route aliases (`"POST /add-book": "POST /api/books"`) as extra paths: each
 * repeats the target operation under its own operationId, saying whose alias it is.
 */
import type { RouteAlias } from '../../config/types.js';
import { ID_PATTERN } from '../../schema/types.js';
import { problems } from './components.js';
import { type Json, openApiPath } from './names.js';

const TEMPLATE = /^\{(.+)\}$/;
/** Methods an HTML form may stand for with `_method`. */
const OVERRIDABLE: ReadonlySet<string> = new Set(['PUT', 'PATCH', 'DELETE']);
const PARAM = /^:(.+)$/;

interface Target {
  path: string;
  operation: Json;
  /** Template parameter → the alias parameter that fills it, or the literal value the target fixes. */
  bindings: Map<string, { alias: string } | { value: string }>;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** The documented operations the alias target can land on. */
function targets(alias: RouteAlias, paths: Json): Target[] {
  const wanted = segments(alias.targetPath);
  const method = alias.targetMethod.toLowerCase();
  const out: Target[] = [];
  for (const [path, item] of Object.entries(paths)) {
    const operation = (item as Json)[method] as Json | undefined;
    const template = segments(path);
    if (operation === undefined || template.length !== wanted.length) continue;
    const bindings: Target['bindings'] = new Map();
    const fits = template.every((segment, i) => {
      const templateParam = TEMPLATE.exec(segment)?.[1];
      const targetParam = PARAM.exec(wanted[i])?.[1];
      if (templateParam !== undefined) {
        bindings.set(
          templateParam,
          targetParam !== undefined ? { alias: targetParam } : { value: wanted[i] },
        );
        return true;
      }
      return targetParam !== undefined || segment === wanted[i];
    });
    if (fits) out.push({ path, operation, bindings });
  }
  return out;
}

/** Path parameter objects of an alias path, typed from what they fill in the target. */
function aliasParameters(alias: RouteAlias, target: Target | undefined): Json[] {
  const filled = new Map<string, string>();
  for (const [templateName, binding] of target?.bindings ?? []) {
    if ('alias' in binding) filled.set(binding.alias, templateName);
  }
  const used = new Set(segments(alias.targetPath).map((s) => PARAM.exec(s)?.[1]));
  return segments(alias.path).flatMap((segment) => {
    const name = PARAM.exec(segment)?.[1];
    if (name === undefined) return [];
    const fills = filled.get(name);
    const schema: Json = fills === 'id' ? { type: 'string', pattern: ID_PATTERN.source } : { type: 'string' };
    const description =
      fills !== undefined
        ? `The target's \`${fills}\`.`
        : used.has(name)
          ? `Fills :${name} in ${alias.targetPath}.`
          : 'Not used by the target.';
    return [{ name, in: 'path', required: true, description, schema }];
  });
}

function slug(alias: RouteAlias): string {
  const words = `${alias.method} ${alias.path}`.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return words.join('_');
}

/** The operation of one alias: a copy of the target's, or a plain pointer when the target is not one route. */
function aliasOperation(alias: RouteAlias, found: Target[], operationId: string): Json {
  const of = `alias of ${alias.targetMethod} ${alias.targetPath}`;
  if (found.length !== 1) {
    return {
      operationId,
      tags: ['routes'],
      summary: `Alias of ${alias.targetMethod} ${alias.targetPath}`,
      description: `${of}; answers exactly as that route does.`,
      'x-alias-of': { method: alias.targetMethod, path: alias.targetPath },
      responses: {
        default: { description: `As ${alias.targetMethod} ${alias.targetPath} answers.` },
        // Whatever it targets, an API route can refuse the request like these.
        ...problems([400, 401, 404, 406, 500]),
      },
    };
  }
  const [target] = found;
  const operation = structuredClone(target.operation);
  const fixed = [...target.bindings]
    .flatMap(([name, b]) => ('value' in b ? [`\`${name}\` = \`${b.value}\``] : []))
    .join(', ');
  const original = typeof operation.description === 'string' ? `\n\n${operation.description}` : '';
  return {
    ...operation,
    operationId,
    description: `${of}${fixed === '' ? '' : ` (with ${fixed})`}.${original}`,
    'x-alias-of': {
      method: alias.targetMethod,
      path: alias.targetPath,
      operationId: target.operation.operationId,
    },
  };
}

/** The alias paths, keyed by OpenAPI path; `taken` holds operation ids already in use and is extended. */
export function aliasPaths(aliases: readonly RouteAlias[], paths: Json, taken: Set<string>): Json {
  const out: Record<string, Json> = {};
  for (const alias of aliases) {
    const found = targets(alias, paths);
    const stem = `${(found.length === 1 && (found[0].operation.operationId as string)) || 'alias'}_via_${slug(alias)}`;
    let operationId = stem;
    for (let n = 2; taken.has(operationId); n++) operationId = `${stem}_${n}`;
    taken.add(operationId);
    const path = openApiPath(alias.path);
    const item = out[path] ?? {};
    const parameters = aliasParameters(alias, found.length === 1 ? found[0] : undefined);
    if (parameters.length > 0 && item.parameters === undefined) item.parameters = parameters;
    item[alias.method.toLowerCase()] = aliasOperation(alias, found, operationId);
    out[path] = item;
  }
  for (const alias of aliases) overridePost(alias, aliases, out, paths, taken);
  return out;
}

/**
 * A form's POST to the path of a PUT, PATCH or DELETE alias (with no POST
 * alias of its own) goes to the alias's target as the form override
 * (routes/aliases.ts): documented as an alias of the target's POST.
 */
function overridePost(
  alias: RouteAlias,
  aliases: readonly RouteAlias[],
  out: Record<string, Json>,
  paths: Json,
  taken: Set<string>,
): void {
  const item = out[openApiPath(alias.path)];
  if (!OVERRIDABLE.has(alias.method) || item === undefined || item.post !== undefined) return;
  if (aliases.some((a) => a.method === 'POST' && a.path === alias.path)) return;
  const post: RouteAlias = { ...alias, method: 'POST', targetMethod: 'POST' };
  const found = targets(post, paths).filter((t) => t.operation['x-method-override'] === true);
  if (found.length !== 1) return;
  const stem = `${found[0].operation.operationId as string}_via_${slug(post)}`;
  let operationId = stem;
  for (let n = 2; taken.has(operationId); n++) operationId = `${stem}_${n}`;
  taken.add(operationId);
  const operation = aliasOperation(post, found, operationId);
  operation.description = `A form standing for this path's ${alias.method} (only the methods its aliases map onto the same URL). ${operation.description as string}`;
  item.post = operation;
}
