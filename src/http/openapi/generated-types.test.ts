/**
 * What a generated client sees: the document through openapi-typescript, the
 * generator most TypeScript clients use. Every field has a real type there
 * (a date is a string, an optional one `string | null`), never `unknown`,
 * except `json` fields, which may hold anything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import openapiTS, { astToString } from 'openapi-typescript';
import { doc } from './test-fixture.js';

/** The body of the generated type `name: { … };` inside components.schemas. */
function typeBlock(text: string, name: string): string {
  const start = text.indexOf(`\n        ${name}: {\n`);
  assert.notEqual(start, -1, `${name} is generated`);
  const end = text.indexOf('\n        };', start);
  return text.slice(start, end);
}

/** `field: type` per property line of a block, comments left out. */
function properties(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of block.matchAll(/^ {12}(?:readonly )?(\w+\??): (.+);$/gm)) {
    out[match[1] as string] = match[2] as string;
  }
  return out;
}

describe('the document as openapi-typescript generates it', async () => {
  const text = astToString(await openapiTS(doc as never));

  it('types dates as strings: a required one `string`, an optional one `string | null`', () => {
    assert.deepEqual(properties(typeBlock(text, 'EventsRecord')), {
      id: 'string',
      created: 'string',
      updated: 'string',
      day: 'string | null',
      starts: 'string',
    });
  });

  it('gives every record field a type; only json fields are unknown', () => {
    const unknown: string[] = [];
    for (const name of ['BooksRecord', 'EventsRecord', 'OrderItemsRecord', 'UsersRecord']) {
      for (const [field, type] of Object.entries(properties(typeBlock(text, name)))) {
        if (type.includes('unknown')) unknown.push(`${name}.${field}`);
      }
    }
    assert.deepEqual(unknown, ['BooksRecord.tags']);
  });

  it('reads with fields= return a partial record: every field optional', () => {
    const fields = properties(typeBlock(text, 'EventsFields'));
    assert.deepEqual(Object.keys(fields), ['id?', 'created?', 'updated?', 'day?', 'starts?']);
  });
});
