/** The version of this package, as its package.json says. */
import { readFileSync } from 'node:fs';

/** The name this package has on npm (the command it installs is `methodical`). */
export const PACKAGE_NAME = 'methodical-server';

let cached: string | undefined;

/** Read once from package.json, two folders up from both src/cli and dist/cli. */
export function packageVersion(): string {
  if (cached === undefined) {
    const file = new URL('../../package.json', import.meta.url);
    cached = String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown');
  }
  return cached;
}
