/** The docs page's pure helpers: the markdown subset, $ref resolution, grouping, search, schema words. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseInline, parseMarkdown, plainText, safeHref } from '../../admin/src/docs/markdown.js';
import {
  describeScheme,
  groupByTag,
  type Json,
  lookup,
  matches,
  operationsOf,
  parametersOf,
  resolve,
  securityOf,
  shownSummary,
  sortedStatuses,
} from '../../admin/src/docs/openapi.js';
import { constraintsOf, isComplex, typeInfo, typeText } from '../../admin/src/docs/schema-info.js';

describe('docs: the markdown subset', () => {
  test('paragraphs split on blank lines; single newlines join', () => {
    assert.deepEqual(parseMarkdown('One\nline.\n\n\nTwo.'), [
      { kind: 'paragraph', children: [{ kind: 'text', text: 'One line.' }] },
      { kind: 'paragraph', children: [{ kind: 'text', text: 'Two.' }] },
    ]);
    assert.deepEqual(parseMarkdown(undefined), []);
    assert.deepEqual(parseMarkdown('- a\n- `b`'), [
      {
        kind: 'list',
        items: [[{ kind: 'text', text: 'a' }], [{ kind: 'code', text: 'b' }]],
      },
    ]);
  });

  test('code, bold and links become spans; markup in them stays text', () => {
    assert.deepEqual(
      parseInline('Send `If-Match` **now**, see [the spec](https://www.rfc-editor.org/rfc/rfc9110).'),
      [
        { kind: 'text', text: 'Send ' },
        { kind: 'code', text: 'If-Match' },
        { kind: 'text', text: ' ' },
        { kind: 'bold', children: [{ kind: 'text', text: 'now' }] },
        { kind: 'text', text: ', see ' },
        {
          kind: 'link',
          href: 'https://www.rfc-editor.org/rfc/rfc9110',
          children: [{ kind: 'text', text: 'the spec' }],
        },
        { kind: 'text', text: '.' },
      ],
    );
    // Inside code nothing is parsed, and HTML is only ever text.
    assert.deepEqual(parseInline('`**x** <b>`'), [{ kind: 'code', text: '**x** <b>' }]);
    assert.deepEqual(parseInline('<img src=x onerror=alert(1)>'), [
      { kind: 'text', text: '<img src=x onerror=alert(1)>' },
    ]);
    // Unclosed marks are literal.
    assert.deepEqual(parseInline('a ` b ** c [d'), [{ kind: 'text', text: 'a ` b ** c [d' }]);
  });

  test('a link to javascript: (or any unsafe target) keeps its words and loses the link', () => {
    assert.deepEqual(parseInline('[click](javascript:void)'), [{ kind: 'text', text: 'click' }]);
    assert.ok(!parseInline('[click](javascript:alert(1))').some((s) => s.kind === 'link'));
    assert.equal(safeHref('JavaScript:alert(1)'), undefined);
    assert.equal(safeHref('//evil.example/'), undefined);
    assert.equal(safeHref('data:text/html,x'), undefined);
    assert.equal(safeHref('/api/openapi.json'), '/api/openapi.json');
    assert.equal(safeHref('#op-login'), '#op-login');
    assert.equal(safeHref('HTTPS://example.com'), 'HTTPS://example.com');
    assert.equal(plainText(parseInline('a **b `c`** [d](/e)')), 'a b c d');
  });
});

const DOC: Json = {
  openapi: '3.1.0',
  security: [{ bearer: [] }, { cookie: [] }],
  tags: [{ name: 'auth' }, { name: 'books', description: 'The books.' }, { name: 'meta' }],
  'x-collections': { books: {} },
  paths: {
    '/healthz': { get: { operationId: 'getHealth', tags: ['meta'], summary: 'Health check', security: [] } },
    '/api/books/{id}': {
      parameters: [{ $ref: '#/components/parameters/RecordId' }],
      get: {
        operationId: 'getBook',
        tags: ['books'],
        summary: 'Get a book',
        parameters: [
          { name: 'id', in: 'path', required: true, description: 'overridden' },
          { $ref: '#/components/parameters/Loop' },
        ],
      },
      head: {
        operationId: 'headBook',
        tags: ['books'],
        summary: 'Headers of a book',
        security: [{}, { bearer: [] }],
      },
    },
    '/api/auth/login': { post: { operationId: 'login', tags: ['auth'], summary: 'Sign in' } },
  },
  components: {
    parameters: {
      RecordId: { name: 'id', in: 'path', required: true, description: 'The record id.' },
      Loop: { $ref: '#/components/parameters/Loop' },
    },
    schemas: {
      'a/b~c': { type: 'string' },
      Node: { type: 'object', properties: { next: { $ref: '#/components/schemas/Node' } } },
    },
  },
};

describe('docs: reading the OpenAPI document', () => {
  test('refs resolve through JSON Pointer escapes; dangling and looping refs end as undefined', () => {
    assert.deepEqual(lookup(DOC, '#/components/schemas/a~1b~0c'), { type: 'string' });
    assert.equal(lookup(DOC, '#/components/schemas/Missing'), undefined);
    assert.equal(lookup(DOC, 'https://example.com/other.json#/x'), undefined);
    assert.equal(lookup(DOC, '#/components/schemas/Node/constructor'), undefined, 'own keys only');
    assert.equal(resolve(DOC, { $ref: '#/components/parameters/Loop' }), undefined);
    assert.equal(resolve(DOC, { $ref: '#/components/parameters/RecordId' }).name, 'id');
  });

  test('operations in path order, grouped collections first, then the fixed tags', () => {
    const ops = operationsOf(DOC);
    assert.deepEqual(
      ops.map((o) => `${o.method} ${o.path} ${o.id}`),
      [
        'get /healthz getHealth',
        'get /api/books/{id} getBook',
        'head /api/books/{id} headBook',
        'post /api/auth/login login',
      ],
    );
    const groups = groupByTag(DOC, ops);
    assert.deepEqual(
      groups.map((g) => [g.name, g.operations.map((o) => o.id)]),
      [
        ['books', ['getBook', 'headBook']],
        ['auth', ['login']],
        ['meta', ['getHealth']],
      ],
    );
    assert.equal(groups[0].description, 'The books.');
  });

  test('parameters: the path’s shared ones, overridden by the operation’s own; a looping ref is left out', () => {
    const get = operationsOf(DOC).find((o) => o.id === 'getBook');
    assert.ok(get);
    assert.deepEqual(parametersOf(DOC, get), [
      { name: 'id', in: 'path', required: true, description: 'overridden' },
    ]);
  });

  test('a summary that only repeats method and path is not shown', () => {
    const [health] = operationsOf(DOC);
    assert.equal(shownSummary(health), 'Health check');
    assert.equal(shownSummary({ ...health, summary: 'GET /edit-book/:id' }), '');
    assert.equal(shownSummary({ ...health, summary: 'Get /x and more' }), 'Get /x and more');
  });

  test('search matches every word against method, path, summary and operationId', () => {
    const ops = operationsOf(DOC);
    const ids = (q: string) => ops.filter((o) => matches(o, q)).map((o) => o.id);
    assert.deepEqual(ids(''), ['getHealth', 'getBook', 'headBook', 'login']);
    assert.deepEqual(ids('HEAD books'), ['headBook']);
    assert.deepEqual(ids('sign'), ['login']);
    assert.deepEqual(ids('books delete'), []);
  });

  test('security: none, required, optional; the document’s default when the operation says nothing', () => {
    const [health, get, head, login] = operationsOf(DOC);
    assert.deepEqual(securityOf(DOC, health.op), { none: true, optional: false, alternatives: [] });
    assert.deepEqual(securityOf(DOC, get.op), {
      none: false,
      optional: false,
      alternatives: [['bearer'], ['cookie']],
    });
    assert.deepEqual(securityOf(DOC, head.op), { none: false, optional: true, alternatives: [['bearer']] });
    assert.equal(securityOf(DOC, login.op).alternatives.length, 2);
    assert.equal(
      describeScheme('bearer', { type: 'http', scheme: 'bearer' }).how,
      'Authorization: Bearer <token>',
    );
    assert.equal(
      describeScheme('cookie', { type: 'apiKey', in: 'cookie', name: 'methodical_session' }).how,
      'Cookie methodical_session',
    );
  });

  test('statuses sort by code, ranges after their codes, default last', () => {
    assert.deepEqual(sortedStatuses({ default: {}, '422': {}, '2XX': {}, '201': {}, '304': {} }), [
      '201',
      '2XX',
      '304',
      '422',
      'default',
    ]);
  });
});

describe('docs: schema words', () => {
  test('types fold null into nullable and keep the format and values', () => {
    assert.deepEqual(typeInfo({ type: ['string', 'null'], enum: ['a', 'b', null] }), {
      types: ['string'],
      nullable: true,
      format: undefined,
      values: ['"a"', '"b"'],
    });
    assert.equal(typeText({ type: 'string', format: 'date-time' }), 'string (date-time)');
    assert.equal(typeText({}), 'any');
    assert.equal(typeText({ type: 'null' }), 'null');
    assert.deepEqual(typeInfo({ const: 'remove' }).values, ['"remove"']);
  });

  test('constraints in words, literals kept apart', () => {
    assert.deepEqual(
      constraintsOf({ minLength: 1, maxLength: 255, pattern: '^a$', default: 20, readOnly: true }),
      [
        { text: '1 to 255 characters' },
        { text: 'pattern', code: '^a$' },
        { text: 'default', code: '20' },
        { text: 'read-only' },
      ],
    );
    assert.deepEqual(constraintsOf({ maxLength: 1, minimum: 0, maximum: 500, maxItems: 100 }), [
      { text: 'at most 1 character' },
      { text: 'at most 100 items' },
      { text: '≥ 0' },
      { text: '≤ 500' },
    ]);
  });

  test('complex means members, a ref, or alternatives that have them', () => {
    assert.equal(isComplex({ type: 'string' }), false);
    assert.equal(isComplex({ anyOf: [{ type: 'string' }, { type: 'null' }] }), false);
    assert.equal(isComplex({ anyOf: [{ $ref: '#/x' }, { type: 'null' }] }), true);
    assert.equal(isComplex({ type: 'array', items: { type: 'object', properties: { a: {} } } }), true);
  });
});
