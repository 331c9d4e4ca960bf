/** `methodical init [DIR]`: a starter config and README, never overwriting a file. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags } from '../options.js';

const STARTER_CONFIG = {
  collections: {
    notes: {
      fields: {
        title: { type: 'text', required: true, max: 200 },
        body: { type: 'text' },
        done: { type: 'boolean', default: false },
      },
      rules: { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' },
    },
  },
};

const STARTER_README = `# My Methodical backend

Start it:

    npx methodical serve

Then try:

    curl -i -X POST http://127.0.0.1:3000/api/notes -H 'Content-Type: application/json' -d '{"title":"First"}'
    curl -i http://127.0.0.1:3000/api/notes

Edit \`methodical.config.json\` to describe your collections; \`methodical migrate\` shows what changes in the database.
The API description is served at /api/openapi.json.
`;

export async function init(args: string[]): Promise<void> {
  const { positionals } = parseFlags('init', args, {}, 1);
  const dir = resolve(positionals[0] ?? '.');
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['methodical.config.json', `${JSON.stringify(STARTER_CONFIG, null, 2)}\n`],
    ['README.md', STARTER_README],
  ];
  for (const [name, content] of files) {
    const path = join(dir, name);
    if (existsSync(path)) {
      process.stdout.write(`kept     ${path} (already there)\n`);
      continue;
    }
    writeFileSync(path, content);
    process.stdout.write(`created  ${path}\n`);
  }
}
