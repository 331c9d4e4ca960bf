/** Parsing flags with node:util, turning its errors into one clear usage line. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parse a command's arguments strictly: unknown flags and missing values are usage errors. */
export function parseFlags<O extends Options>(
  command: string,
  args: string[],
  options: O,
  positionals = 0,
): { values: ReturnType<typeof parseArgs<{ options: O }>>['values']; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: positionals > 0 });
    if (parsed.positionals.length > positionals) {
      throw new UsageError(`methodical ${command}: unexpected argument "${parsed.positionals[positionals]}"`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message =
      error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error);
    throw new UsageError(`methodical ${command}: ${message}`);
  }
}

/** Common flags of commands that open the database. */
export const DATABASE_FLAGS = {
  config: { type: 'string' },
  data: { type: 'string' },
  database: { type: 'string' },
} as const;

/** The flag of commands that open uploaded files: a folder for them (e.g. a shared disk). */
export const FILES_FLAGS = {
  files: { type: 'string' },
} as const;

/** A TCP port from a flag or PORT (0 picks a free one). */
export function parsePort(value: string, source: string): number {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`methodical serve: ${source} must be a port number from 0 to 65535, not "${value}"`);
  }
  return Number(value);
}
