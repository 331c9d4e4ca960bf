/**
 * Finds and loads the config file: JSON is parsed here, TS/JS is run through
 * jiti. Whatever goes wrong comes out as a ConfigError naming the file.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import { ConfigError } from './config-error.js';
import type { Config } from './types.js';
import { validateConfig } from './validate.js';

export const CONFIG_FILE_NAMES = [
  'methodical.config.ts',
  'methodical.config.js',
  'methodical.config.mjs',
  'methodical.config.json',
] as const;

/** The first config file in `cwd`, in the order of CONFIG_FILE_NAMES. */
export function findConfigFile(cwd: string): string {
  for (const name of CONFIG_FILE_NAMES) {
    const file = join(cwd, name);
    if (existsSync(file)) return file;
  }
  throw new ConfigError(cwd, '', `no config file found; expected one of ${CONFIG_FILE_NAMES.join(', ')}`);
}

/**
 * Where `import … from 'methodical'` points in a config: `defineConfig`'s own
 * module (source or built), not the whole server, which jiti would compile again.
 */
function packageEntry(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(fromSource ? './define-config.ts' : './define-config.js', import.meta.url));
}

/** Turns `… in JSON at position 42` into a line and column of `text`, both from 1. */
function jsonErrorLocation(text: string, message: string): string {
  const match = /at position (\d+)/.exec(message);
  const position = match === null ? text.length : Number(match[1]);
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    // V8 appends the position (and sometimes the line and column, or the source): say it once, our way.
    const reason = message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/, ".*" is not valid JSON$/s, '');
    throw new ConfigError(file, jsonErrorLocation(text, message), `invalid JSON: ${reason}`);
  }
}

/** The message of whatever a config threw, on one line: never a stack or Node's "Require stack" list. */
function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .split('\nRequire stack:')[0]
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** Raised (as a ConfigError) when a TS/JS config has no default export. */
const NO_DEFAULT_EXPORT =
  'the file has no default export, so it configures nothing; write `export default defineConfig({ … })` (or `module.exports = { … }` in CommonJS)';

async function importModule(file: string): Promise<unknown> {
  const jiti = createJiti(import.meta.url, {
    interopDefault: true,
    moduleCache: false,
    alias: { 'methodical-server': packageEntry(), methodical: packageEntry() },
  });
  const module = (await jiti.import(file)) as Record<string, unknown> | null;
  // CommonJS `module.exports` comes through as `default` too.
  if (typeof module !== 'object' || module === null || !('default' in module)) {
    const named = typeof module === 'object' && module !== null ? Object.keys(module) : [];
    const found = named.length === 0 ? '' : ` (it exports ${named.map((n) => `"${n}"`).join(', ')})`;
    throw new ConfigError(file, '', `${NO_DEFAULT_EXPORT}${found}`);
  }
  return module.default;
}

/** Reads, runs (TS/JS) or parses (JSON), and validates a config file. */
export async function loadConfig(file: string): Promise<Config> {
  const absolute = resolve(file);
  if (!existsSync(absolute)) throw new ConfigError(file, '', 'file not found');
  let input: unknown;
  try {
    input = absolute.endsWith('.json')
      ? parseJson(file, await readFile(absolute, 'utf8'))
      : await importModule(absolute);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(file, '', `could not load the config: ${oneLine(err)}`);
  }
  return validateConfig(input, file, dirname(absolute));
}
