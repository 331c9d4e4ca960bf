/**
 * `methodical copy --from SOURCE --to TARGET [--config FILE] [--allow-non-empty]`:
 * one store and its uploaded files into another, e.g. a SQLite project onto
 * PostgreSQL. SOURCE and TARGET are each a postgres:// URL, a data folder
 * (its methodical.db, uploads in its files/) or, for SOURCE, the SQLite file
 * itself. --from-files / --to-files name upload folders (a shared disk)
 * instead of the default for that side.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../../config/types.js';
import { LocalFileStorage } from '../../files/local/local-storage.js';
import { PostgresFileStorage } from '../../files/postgres/postgres-storage.js';
import type { FileStorage } from '../../files/storage.js';
import { CopyError, type CopyProgress, copyStore } from '../../service/copy-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { redactUrl } from '../banner.js';
import { configFrom, openPostgres } from '../open-store.js';
import { parseFlags } from '../options.js';
import { UsageError } from '../usage-error.js';

const POSTGRES_URL = /^postgres(ql)?:\/\//;
const DB_FILE = 'methodical.db';

interface Endpoint {
  /** For messages: the URL (password hidden) or the SQLite file. */
  label: string;
  url?: string;
  /** The SQLite file. */
  file?: string;
  /** The upload folder, for a SQLite side or when named. */
  filesDir?: string;
}

/** What a --from / --to value names. A source must exist; a target folder is made. */
function endpoint(flag: 'from' | 'to', value: string | undefined, filesFlag: string | undefined): Endpoint {
  if (!value)
    throw new UsageError(`methodical copy: --${flag} is required (a postgres:// URL or a data folder)`);
  const filesDir = filesFlag === undefined ? undefined : resolve(filesFlag);
  if (filesFlag === '') throw new UsageError(`methodical copy: --${flag}-files must name a folder`);
  if (POSTGRES_URL.test(value)) return { label: redactUrl(value), url: value, filesDir };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new UsageError(
      `methodical copy: --${flag} must be a postgres:// URL or a folder, not "${redactUrl(value)}"`,
    );
  }
  const path = resolve(value);
  const isFile = existsSync(path) && statSync(path).isFile();
  if (flag === 'to' && isFile) {
    throw new UsageError(
      `methodical copy: --to ${value} is a file; name a data folder (its ${DB_FILE} is made there)`,
    );
  }
  const file = isFile ? path : resolve(path, DB_FILE);
  if (flag === 'from' && !existsSync(file)) {
    throw new UsageError(
      `methodical copy: --from ${value}: no SQLite database there (looked for ${file}); ` +
        'name the data folder of the project, its methodical.db, or a postgres:// URL',
    );
  }
  return { label: file, file, filesDir: filesDir ?? resolve(dirname(file), 'files') };
}

async function openEndpoint(side: Endpoint, config: Config): Promise<Store> {
  if (side.url) return openPostgres(side.url, config);
  return new SqliteStore({
    path: side.file as string,
    collections: config.collections,
    durability: config.durability,
  });
}

function openFilesOf(side: Endpoint): FileStorage {
  if (side.filesDir !== undefined) return new LocalFileStorage(side.filesDir);
  return new PostgresFileStorage({ url: side.url as string });
}

/** The source must already match the config: its tables are read as the config describes them. */
async function checkSource(store: Store, side: Endpoint, configFile: string): Promise<void> {
  const steps = await store.planMigration();
  if (steps.length === 0) return;
  throw new UsageError(
    [
      `methodical copy: the source ${side.label} does not match ${configFile}:`,
      ...steps.map((s) => `  - ${s.description}`),
      'Nothing was copied. Run "methodical migrate" on the source first, or copy with the config it was served with.',
    ].join('\n'),
  );
}

/** The target is brought up to the config; a change that would lose data there stops the copy. */
async function prepareTarget(store: Store, side: Endpoint): Promise<void> {
  const steps = await store.planMigration();
  const held = steps.filter((s) => s.destructive);
  if (held.length > 0) {
    throw new UsageError(
      [
        `methodical copy: the target ${side.label} does not match the config, and changing it would lose data:`,
        ...held.map((s) => `  ! ${s.description}`),
        'Nothing was copied.',
      ].join('\n'),
    );
  }
  await store.migrate(steps);
}

function progress(stream: NodeJS.WriteStream): (p: CopyProgress) => void {
  return ({ collection, records, files }) => {
    const line = `${collection.padEnd(16)} ${records} records${files ? `, ${files} files` : ''}`;
    if (stream.isTTY) stream.write(`\r${line}`);
  };
}

export async function copyCommand(args: string[]): Promise<number> {
  const { values } = parseFlags('copy', args, {
    config: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'from-files': { type: 'string' },
    'to-files': { type: 'string' },
    'allow-non-empty': { type: 'boolean' },
  });
  const from = endpoint('from', values.from, values['from-files']);
  const to = endpoint('to', values.to, values['to-files']);
  if ((from.url && from.url === to.url) || (from.file && from.file === to.file)) {
    throw new UsageError('methodical copy: --from and --to name the same database');
  }
  const config = await configFrom(values);
  const source = await openEndpoint(from, config);
  let target: Store | undefined;
  const files: { from?: FileStorage; to?: FileStorage } = {};
  try {
    await checkSource(source, from, config.file);
    target = await openEndpoint(to, config);
    await prepareTarget(target, to);
    files.from = openFilesOf(from);
    files.to = openFilesOf(to);
    const result = await copyStore(
      source,
      target,
      config.collections,
      { from: files.from, to: files.to },
      { allowNonEmpty: values['allow-non-empty'] === true, onProgress: progress(process.stderr) },
    );
    if (process.stderr.isTTY) process.stderr.write('\n');
    for (const key of result.missingFiles.slice(0, 20)) {
      process.stderr.write(
        `methodical copy: warning: ${key} is named by its record but not in the source's files\n`,
      );
    }
    if (result.missingFiles.length > 20) {
      process.stderr.write(
        `methodical copy: warning: and ${result.missingFiles.length - 20} more files named by records but not in the source's files\n`,
      );
    }
    const summary = [...result.counts]
      .map(([name, c]) => `${c.records} ${name}${c.files ? ` (${c.files} files)` : ''}`)
      .join(', ');
    process.stdout.write(`Copied ${summary || 'nothing'} from ${from.label} to ${to.label}.\n`);
    return result.missingFiles.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof CopyError) throw new UsageError(`methodical copy: ${error.message}`);
    throw error;
  } finally {
    await files.from?.close?.();
    await files.to?.close?.();
    await target?.close();
    await source.close();
  }
}
