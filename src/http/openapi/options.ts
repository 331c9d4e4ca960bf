/**
 * OPTIONS of a path item, from the operations it documents: 204 with the
 * exact Allow list the route answers (and Accept-Patch, Accept-Post), so
 * the document and the route table cannot tell two stories.
 */
import { headerRefs, problems } from './components.js';
import type { Json } from './names.js';

const ORDER = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Whether an operation is a form's POST standing for another method, which Allow does not list. */
export function isOverride(operation: unknown): boolean {
  return (operation as Json | undefined)?.['x-method-override'] === true;
}

/** The Allow value of a path item: its methods (HEAD with GET), OPTIONS always. */
export function allowOfItem(item: Json): string {
  const methods: string[] = [];
  for (const m of ORDER) {
    if (item[m] === undefined || (m === 'post' && isOverride(item[m]))) continue;
    methods.push(m.toUpperCase());
    if (m === 'get') methods.push('HEAD');
  }
  methods.push('OPTIONS');
  return methods.join(', ');
}

/** The OPTIONS operation of a path item. */
export function optionsOperation(item: Json, operationId: string, tags?: readonly string[]): Json {
  const allow = allowOfItem(item);
  const headers: Json = {
    // Not required: a CORS preflight (Origin and Access-Control-Request-Method) is answered with
    // Access-Control-* headers instead.
    Allow: {
      description: 'The methods of this route (on any OPTIONS that is not a CORS preflight).',
      schema: { type: 'string', enum: [allow] },
    },
    ...headerRefs('Vary'),
  };
  if (item.patch !== undefined) Object.assign(headers, headerRefs('Accept-Patch'));
  if (allow.includes('POST')) Object.assign(headers, headerRefs('Accept-Post'));
  return {
    operationId,
    ...(tags ? { tags: [...tags] } : {}),
    summary: 'The methods of this route',
    description:
      'No content, and Allow. Any method not in Allow answers 405 with Allow (components/responses/MethodNotAllowed). ' +
      'With `cors.origins` set, a CORS preflight answers 204 with Access-Control-* headers, and needs no credentials.',
    security: [],
    responses: {
      204: { description: `No content. Allow: ${allow}.`, headers },
      ...problems([401, 404, 500]),
    },
  };
}
