/** `methodical serve`: start the server and print the one listening line. */
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/types.js';
import type { FileStorage } from '../../files/storage.js';
import { createApp } from '../../http/app.js';
import { issueSetupToken } from '../../service/admin-setup.js';
import { indexNotes } from '../../service/index-advice.js';
import { SeedFailed, seedDatabase } from '../../service/seed.js';
import { tidyStagedFiles } from '../../service/uploads.js';
import type { Store } from '../../store/store.js';
import { bannerLines, noteLines, setupLine } from '../banner.js';
import { importOnFirstStart, jsonServerConfig } from '../json-server-start.js';
import { applyOnStart } from '../migrate-on-start.js';
import { configFrom, openFiles, openStore } from '../open-store.js';
import { DATABASE_FLAGS, FILES_FLAGS, parseFlags, parsePort } from '../options.js';
import { logFormat, prettyLogStream } from '../request-log.js';
import { UsageError } from '../usage-error.js';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;
/** Staged uploads are tidied this often, taking those idle this long (a live one is never idle: its body timeout would cut it first). */
const STAGING_INTERVAL_MS = 5 * 60 * 1000;
const STAGING_IDLE_MS = 10 * 60 * 1000;

/** `http://HOST:PORT` with IPv6 hosts in brackets. */
function origin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function serve(args: string[]): Promise<void> {
  const { values } = parseFlags('serve', args, {
    ...DATABASE_FLAGS,
    ...FILES_FLAGS,
    host: { type: 'string' },
    port: { type: 'string' },
    'json-server': { type: 'string' },
  });
  const dbJson = values['json-server'];
  if (dbJson !== undefined && values.config !== undefined)
    throw new UsageError(
      'methodical serve: --json-server infers the config from the file; leave out --config (or import the file into that config with methodical import)',
    );
  const port =
    values.port !== undefined
      ? parsePort(values.port, '--port')
      : process.env.PORT
        ? parsePort(process.env.PORT, 'PORT')
        : 3000;
  const host = values.host ?? '127.0.0.1';
  const format = logFormat(process.env, process.stderr.isTTY === true);
  const start = dbJson === undefined ? undefined : await jsonServerConfig(dbJson);
  const config = start?.config ?? (await configFrom(values));
  const store = await openStore(config, values);
  let imported: string | undefined;
  try {
    await applyOnStart(store, config.file);
    if (start && dbJson) imported = await importOnFirstStart(store, start, dbJson);
  } catch (error) {
    await store.close();
    throw error;
  }
  if (imported) process.stderr.write(`${imported}\n`);
  const files = openFiles(values);
  // On SQLite nothing is in flight yet: every staged file but those of committed records is a
  // leftover. On PostgreSQL other nodes may be receiving uploads into a shared --files folder
  // right now: only what is idle as long as the periodic tidy-up waits counts as left behind.
  const shared = /^postgres(ql)?:\/\//.test(values.database ?? process.env.DATABASE_URL ?? '');
  await tidyStagedFiles(store, files, shared ? STAGING_IDLE_MS : 0);
  await seed(config, store, files);
  // No administrator (a seed may have made one): a one-time link to make the first, never a built-in password.
  const setupToken = await issueSetupToken(store);
  const app = createApp(
    { config, store, files },
    {
      // In a terminal, one readable line per request; otherwise pino's JSON, warnings and errors only.
      logger:
        format === 'pretty'
          ? {
              level: process.env.LOG_LEVEL ?? 'info',
              stream: prettyLogStream(process.stderr),
              // The path as the client sent it, before an alias rewrote it.
              serializers: { req: (req: FastifyRequest) => ({ method: req.method, url: req.originalUrl }) },
            }
          : { level: process.env.LOG_LEVEL ?? 'warn', stream: process.stderr },
    },
  );
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
  const address = app.server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  // A stray rejection somewhere in a plugin or hook is logged, not allowed to stop every other request.
  process.on('unhandledRejection', (reason) => app.log.error({ err: reason }, 'unhandled rejection'));
  const purge = setInterval(() => void purgeExpired(store, config), PURGE_INTERVAL_MS);
  purge.unref();
  const tidy = setInterval(() => void tidyStaging(app, store, files), STAGING_INTERVAL_MS);
  tidy.unref();
  stopOnSignals(app, store, files, [purge, tidy]);
  // Announced last, once a signal is sure to stop it cleanly.
  process.stdout.write(`Methodical listening on ${origin(host, actual)}\n`);
  const banner = bannerLines(config.file, values);
  if (dbJson !== undefined)
    banner[0] = `  config    inferred from ${resolve(dbJson)} (in memory; methodical import writes it to a file)`;
  if (setupToken) banner.push(setupLine(config.publicUrl ?? origin(host, actual), setupToken));
  banner.push(...noteLines(indexNotes(config.collections)));
  process.stderr.write(`${banner.join('\n')}\n`);
}

/** The config's seed, once per database, before the server listens; a failure stops the start (exit 2). */
async function seed(config: Config, store: Store, files: FileStorage): Promise<void> {
  const report = (error: unknown) =>
    process.stderr.write(
      `methodical: a seed's after-hook failed: ${(error as Error)?.message ?? String(error)}\n`,
    );
  try {
    await seedDatabase(config, store, files, report);
  } catch (error) {
    if (!(error instanceof SeedFailed)) throw error;
    await store.close();
    throw new UsageError(`methodical: ${config.file}: ${error.message}`);
  }
}

/** Expired idempotency entries and sessions, and failed logins older than the throttling window. */
async function purgeExpired(store: Store, config: Config): Promise<void> {
  const now = Date.now();
  const before = (seconds: number) => new Date(now - seconds * 1000).toISOString();
  await store
    .purgeExpired(
      before(config.idempotency.ttlSeconds),
      new Date(now).toISOString(),
      before(config.auth.loginThrottle.windowSeconds),
    )
    .catch(() => {});
}

async function tidyStaging(app: FastifyInstance, store: Store, files: FileStorage): Promise<void> {
  try {
    const removed = await tidyStagedFiles(store, files, STAGING_IDLE_MS);
    if (removed > 0) app.log.info({ removed }, 'removed staged uploads left behind');
  } catch (error) {
    app.log.error({ err: error }, 'could not tidy staged uploads');
  }
}

/** SIGINT/SIGTERM: stop accepting, finish in-flight requests, close the database and files, exit 0. */
function stopOnSignals(
  app: FastifyInstance,
  store: Store,
  files: FileStorage,
  timers: NodeJS.Timeout[],
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      process.stderr.write(`methodical: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    for (const timer of timers) clearInterval(timer);
    try {
      await app.close();
      await store.close();
      await files.close?.();
      process.exit(0);
    } catch (error) {
      process.stderr.write(`methodical: error while stopping: ${(error as Error).message}\n`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
