/**
 * A bad config or flag: exit code 2 and one line on stderr that names the
 * file, the path inside it and what is wrong — never a stack trace, and the
 * server never starts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertUsageFailure, PUBLIC_RULES, run, SLOW, tempDir, writeJsonConfig } from './helpers.js';

const tmp = tempDir();
after(() => tmp.remove());

const GOOD = { collections: { books: { fields: { title: { type: 'text' } }, rules: PUBLIC_RULES } } };
const good = writeJsonConfig(tmp.dir, GOOD, 'good.json');
const emptyDir = join(tmp.dir, 'empty');
mkdirSync(emptyDir);

function file(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

const unknownType = writeJsonConfig(
  tmp.dir,
  { collections: { books: { fields: { title: { type: 'texty' } } } } },
  'unknown-type.json',
);
const badJson = file(
  'bad-json.json',
  '{\n  "collections": {\n    "books": { "fields": { "title": { "type": "text" }, } }\n  }\n}\n',
);
const unknownKey = writeJsonConfig(tmp.dir, { ...GOOD, colour: 'blue' }, 'unknown-key.json');
const unknownFieldKey = writeJsonConfig(
  tmp.dir,
  { collections: { books: { fields: { title: { type: 'text', maxx: 3 } } } } },
  'unknown-field-key.json',
);
const badRule = writeJsonConfig(
  tmp.dir,
  { collections: { books: { fields: { title: { type: 'text' } }, rules: { list: 'everyone' } } } },
  'bad-rule.json',
);
const throwingTs = file('throws.config.ts', "throw new Error('config exploded');\nexport default {};\n");

interface Case {
  name: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Everything the one line must contain. */
  says: (string | RegExp)[];
  todo?: string;
}

const CONFIG_CASES: Case[] = [
  {
    name: 'unknown field type',
    args: ['serve', '--port', '0', '--config', unknownType],
    says: [unknownType, 'collections.books.fields.title.type', 'texty'],
  },
  {
    name: 'bad JSON, with line and column',
    args: ['serve', '--port', '0', '--config', badJson],
    says: [badJson, 'line 3, column 57', /invalid JSON/i],
  },
  {
    name: 'missing config file',
    args: ['serve', '--port', '0', '--config', join(tmp.dir, 'missing.json')],
    says: [join(tmp.dir, 'missing.json'), /not found/i],
  },
  {
    name: 'unknown top-level key',
    args: ['serve', '--port', '0', '--config', unknownKey],
    says: [unknownKey, 'colour', /unknown key/i],
  },
  {
    name: 'unknown key in a field (migrate)',
    args: ['migrate', '--config', unknownFieldKey, '--data', join(tmp.dir, 'd1')],
    says: [unknownFieldKey, 'collections.books.fields.title.maxx'],
  },
  {
    name: 'bad rule (user create)',
    args: ['user', 'create', '--email', 'a@b.io', '--password', 'long-enough', '--config', badRule],
    says: [badRule, 'collections.books.rules.list'],
  },
  {
    name: 'a TS config that throws',
    args: ['serve', '--port', '0', '--config', throwingTs],
    says: [throwingTs, 'config exploded'],
  },
  {
    name: 'no config in the current folder',
    args: ['serve', '--port', '0'],
    cwd: emptyDir,
    says: [emptyDir, 'methodical.config.json', 'methodical.config.ts'],
  },
];

const FLAG_CASES: Case[] = [
  { name: '--port abc', args: ['serve', '--port', 'abc', '--config', good], says: ['--port', '"abc"'] },
  { name: '--port 70000', args: ['serve', '--port', '70000', '--config', good], says: ['--port', '70000'] },
  { name: '--port with no value', args: ['serve', '--config', good, '--port'], says: ['--port'] },
  { name: 'PORT=abc', args: ['serve', '--config', good], env: { PORT: 'abc' }, says: ['PORT', '"abc"'] },
  { name: 'unknown flag --bogus', args: ['serve', '--bogus', '--config', good], says: ['--bogus'] },
  { name: 'unknown migrate flag', args: ['migrate', '--force', '--config', good], says: ['--force'] },
  {
    name: 'unknown command',
    args: ['frobnicate'],
    says: ['frobnicate'],
  },
  { name: 'unknown user action', args: ['user', 'delete'], says: ['create'] },
  {
    name: 'user create without --password',
    args: ['user', 'create', '--email', 'a@b.io', '--config', good],
    says: ['--password'],
  },
  {
    name: 'init with two folders',
    args: ['init', join(tmp.dir, 'a'), join(tmp.dir, 'b')],
    says: ['unexpected'],
  },
  {
    name: '--database that is not postgres://',
    args: ['serve', '--port', '0', '--config', good, '--database', 'mysql://localhost/x'],
    says: ['--database', 'mysql://localhost/x'],
  },
];

function table(title: string, cases: Case[]): void {
  describe(title, { ...SLOW, concurrency: 4 }, () => {
    for (const c of cases) {
      test(c.name, { todo: c.todo }, async () => {
        const result = await run(c.args, { cwd: c.cwd ?? tmp.dir, env: c.env });
        const line = assertUsageFailure(result);
        for (const part of c.says) {
          if (typeof part === 'string') assert.ok(line.includes(part), `${JSON.stringify(part)} in: ${line}`);
          else assert.match(line, part);
        }
        assert.equal(result.stdout, '', 'nothing on stdout: no listening line, no plan');
      });
    }
  });
}

table('a bad config: exit 2, one line with the file and the path inside it', CONFIG_CASES);
table('a bad flag or command: exit 2, one line', FLAG_CASES);
