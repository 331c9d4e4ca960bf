/**
 * The document is valid OpenAPI 3.1: every schema against the JSON Schema
 * 2020-12 meta-schema and compiled with every reference resolved (ajv),
 * and the whole document against the official OAS 3.1 schema
 * (@seriousme/openapi-schema-validator).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { validateConfig } from '../../config/validate.js';
import { BOOKS_CONFIG, doc, documentOf, type Json } from './test-fixture.js';

const CUSTOM = validateConfig(
  {
    ...BOOKS_CONFIG,
    routes: {
      ...BOOKS_CONFIG.routes,
      'GET /pages/:slug': () => ({}),
      'PUT /pages/:slug': () => ({}),
      'POST /newsletter': () => ({}),
    },
    publicUrl: 'https://books.methodical.test',
  },
  'methodical.config.ts',
  '/srv/app',
);

/** Every `schema` of the document with where it is, and every component schema. */
function schemasOf(document: Json): [string, unknown][] {
  const out: [string, unknown][] = [];
  const walk = (node: unknown, at: string) => {
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const here = `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (key === 'schema') out.push([here, value]);
      else walk(value, here);
    }
  };
  walk(document.paths, '#/paths');
  walk(document.components, '#/components');
  const components = (document.components as Record<string, Record<string, unknown>>).schemas;
  for (const [name, schema] of Object.entries(components)) out.push([`#/components/schemas/${name}`, schema]);
  return out;
}

describe('the OpenAPI document is valid', () => {
  const documents: [string, () => Promise<Json>][] = [
    ['the books config', async () => doc],
    ['custom routes, aliases and publicUrl', () => documentOf(CUSTOM)],
  ];

  for (const [name, make] of documents) {
    it(`${name}: every schema is JSON Schema 2020-12 and compiles with its references`, async () => {
      const document = await make();
      const ajv = new Ajv2020({ strict: false });
      ajv.addFormat('binary', true);
      ajv.addSchema(document as object, 'openapi.json');
      const problems: string[] = [];
      for (const [at, schema] of schemasOf(document)) {
        if (!ajv.validateSchema(schema as object)) problems.push(`${at}: ${ajv.errorsText(ajv.errors)}`);
        try {
          ajv.compile({ $ref: `openapi.json${at}` });
        } catch (error) {
          problems.push(`${at}: ${(error as Error).message}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  for (const [name, make] of documents) {
    it(`${name}: the whole document is valid against the OAS 3.1 schema`, async () => {
      const result = await new Validator().validate((await make()) as Record<string, unknown>);
      assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    });
  }

  it('advertises its server: publicUrl, else the server it is served from', async () => {
    assert.deepEqual(doc.servers, [{ url: '/' }]);
    assert.deepEqual((await documentOf(CUSTOM)).servers, [{ url: 'https://books.methodical.test' }]);
  });
});

describe('the OpenAPI document lints clean', () => {
  it("passes Redocly's recommended rules (but info-license: the licence of an API is its owner's to state)", async () => {
    // The admin page is at `/_/` (PRODUCT.md), the one path that ends in a slash.
    const config = await createConfig({
      extends: ['recommended'],
      rules: { 'info-license': 'off', 'no-path-trailing-slash': 'off' },
    });
    assert.deepEqual(
      Object.keys(doc.paths as object).filter((path) => path.endsWith('/')),
      ['/_/'],
    );
    for (const document of [doc, await documentOf(CUSTOM)]) {
      const found = await lintFromString({
        source: JSON.stringify(document),
        absoluteRef: 'openapi.json',
        config,
      });
      const lines = found.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
      assert.deepEqual(lines, []);
    }
  });

  it('tags every operation with a declared tag (Spectral operation-tags, operation-tag-defined)', async () => {
    for (const document of [doc, await documentOf(CUSTOM)]) {
      const declared = new Set((document.tags as Json[]).map((tag) => tag.name));
      const problems: string[] = [];
      for (const [path, item] of Object.entries(document.paths as Record<string, Json>)) {
        for (const method of ['get', 'head', 'post', 'put', 'patch', 'delete', 'options']) {
          const op = item[method] as Json | undefined;
          if (!op) continue;
          const tags = (op.tags ?? []) as string[];
          if (tags.length === 0) problems.push(`${method} ${path}: no tags`);
          for (const tag of tags)
            if (!declared.has(tag)) problems.push(`${method} ${path}: tag ${tag} undeclared`);
        }
      }
      assert.deepEqual(problems, []);
    }
  });

  it('keeps no component nothing refers to (Redocly no-unused-components)', async () => {
    for (const document of [doc, await documentOf(CUSTOM)]) {
      const text = JSON.stringify(document.paths) + JSON.stringify(document.components);
      const unused: string[] = [];
      for (const [kind, entries] of Object.entries(document.components as Record<string, Json>)) {
        if (kind === 'securitySchemes') continue;
        for (const name of Object.keys(entries)) {
          if (!text.includes(`"#/components/${kind}/${name}"`)) unused.push(`${kind}/${name}`);
        }
      }
      assert.deepEqual(unused, []);
    }
  });
});
