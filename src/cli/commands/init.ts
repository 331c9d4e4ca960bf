/**
 * `methodical init [DIR]`: a starter project (config, README, package.json
 * depending on this package, .gitignore), never overwriting a file.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseFlags } from '../options.js';
import { PACKAGE_NAME, packageVersion } from '../version.js';

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

function starterReadme(name: string): string {
  return `# ${name}

A backend served by Methodical (${PACKAGE_NAME}). Start it:

    npx ${PACKAGE_NAME} serve

(or \`npm install\` once, then \`npm start\`). It listens on http://127.0.0.1:3000
(\`--port P\` or \`PORT\` to change that) and keeps its data in \`./data\`.

Then try:

    curl -i -X POST http://127.0.0.1:3000/api/notes -H 'Content-Type: application/json' -d '{"title":"First"}'
    curl -i http://127.0.0.1:3000/api/notes

Edit \`methodical.config.json\` to describe your collections; \`npx ${PACKAGE_NAME} migrate --dry-run\`
shows what changes in the database. The API description is served at /api/openapi.json, and
the admin page at /_/ (make an admin with
\`npx ${PACKAGE_NAME} user create --email you@example.com --password '…' --admin\`).
`;
}

/** A package name npm accepts, made from the folder's name. */
function npmName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '')
    .slice(0, 214);
  return name === '' ? 'my-backend' : name;
}

function starterPackage(name: string): string {
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { start: 'methodical serve', migrate: 'methodical migrate' },
    dependencies: { [PACKAGE_NAME]: `^${packageVersion()}` },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const STARTER_GITIGNORE = 'node_modules/\ndata/\n';

export async function init(args: string[]): Promise<void> {
  const { positionals } = parseFlags('init', args, {}, 1);
  const dir = resolve(positionals[0] ?? '.');
  mkdirSync(dir, { recursive: true });
  const name = npmName(dir);
  const files: [string, string][] = [
    ['methodical.config.json', `${JSON.stringify(STARTER_CONFIG, null, 2)}\n`],
    ['README.md', starterReadme(name)],
    ['package.json', starterPackage(name)],
    ['.gitignore', STARTER_GITIGNORE],
  ];
  for (const [file, content] of files) {
    const path = join(dir, file);
    if (existsSync(path)) {
      process.stdout.write(`kept     ${path} (already there)\n`);
      continue;
    }
    writeFileSync(path, content);
    process.stdout.write(`created  ${path}\n`);
  }
  const cd = positionals[0] === undefined ? '' : `cd ${positionals[0]} && `;
  process.stdout.write(`\nNext: ${cd}npx ${PACKAGE_NAME} serve\n`);
}
