/** Reading a json-server db.json for `import` and `serve --json-server`, and inferring its config; errors as usage errors (exit 2). */
import { readFile, stat } from 'node:fs/promises';
import { InferError, type InferredConfig, inferConfig } from '../config/infer-config.js';
import { UsageError } from './usage-error.js';

/** The largest db.json read: JSON.parse holds all of it, and every record, in memory at once. */
export const MAX_DB_JSON_BYTES = 256 * 1024 * 1024;

/** The parsed file; a missing, too large or invalid one is a UsageError naming it. */
export async function readDbJson(command: string, file: string): Promise<unknown> {
  try {
    const { size } = await stat(file);
    if (size > MAX_DB_JSON_BYTES)
      throw new UsageError(
        `methodical ${command}: ${file}: ${size} bytes; at most ${MAX_DB_JSON_BYTES} (256 MiB) are read at once — split the file`,
      );
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new UsageError(`methodical ${command}: ${file}: ${reason}`);
  }
}

/** The config the file implies; what cannot be inferred is a UsageError listing every problem. */
export function inferFrom(command: string, file: string, data: unknown): InferredConfig {
  try {
    return inferConfig(data);
  } catch (error) {
    if (error instanceof InferError) throw new UsageError(`methodical ${command}: ${file}: ${error.message}`);
    throw error;
  }
}
