#!/usr/bin/env node
/** The `methodical` command: parses the command name and hands over; no logic here. */
import { ConfigError } from '../config/config-error.js';
import { copyCommand } from './commands/copy.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { init } from './commands/init.js';
import { migrate } from './commands/migrate.js';
import { serve } from './commands/serve.js';
import { user } from './commands/user.js';
import { listenFailure } from './listen-error.js';
import { UsageError } from './usage-error.js';
import { packageVersion } from './version.js';

const USAGE = `Usage: methodical <command> [options]
       methodical --version

Commands:
  serve [--config FILE] [--data DIR] [--database URL] [--host H] [--port P] [--files DIR]
  serve --json-server db.json [--data DIR] [--database URL] [--host H] [--port P]
  init [DIR]
  migrate [--dry-run] [--allow-destructive] [--config FILE] [--data DIR] [--database URL]
  user create --email E --password P [--admin] [--name N]
  import FILE.json [--collection-per-key] [--config FILE] [--data DIR] [--database URL]
                  (no config file: one is inferred from FILE.json and written first)
  export [--out FILE] [--config FILE] [--data DIR] [--database URL]
  copy --from SOURCE --to TARGET [--config FILE] [--allow-non-empty] [--from-files DIR] [--to-files DIR]
                  (SOURCE, TARGET: a postgres:// URL or a data folder; SOURCE also its methodical.db)

Options:
  --version, -v   print the version and exit
  --help, -h      print this help and exit
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      await serve(args);
      return -1; // keeps running until a signal
    case 'init':
      await init(args);
      return 0;
    case 'migrate':
      return migrate(args);
    case 'user':
      return user(args);
    case 'import':
      return importCommand(args);
    case 'export':
      return exportCommand(args);
    case 'copy':
      return copyCommand(args);
    case '--version':
    case '-v':
    case 'version':
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(
        `methodical: unknown command "${command}"; run "methodical --help" for the commands`,
      );
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(
        `${error.message.startsWith('methodical') ? '' : 'methodical: '}${error.message}\n`,
      );
      process.exit(2);
    }
    const listen = listenFailure(error);
    if (listen !== undefined) {
      process.stderr.write(`${listen}\n`);
      process.exit(1);
    }
    process.stderr.write(`methodical: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  },
);
