/** `methodical user create --email E --password P [--admin] [--name N]`. */
import { compileSchema } from '../../schema/compile-schema.js';
import { AuthService } from '../../service/auth.js';
import { RecordWriter } from '../../service/record-writes.js';
import { isProblem } from '../../util/problem.js';
import { applyOnStart } from '../migrate-on-start.js';
import { configFrom, openStore } from '../open-store.js';
import { DATABASE_FLAGS, parseFlags } from '../options.js';
import { UsageError } from '../usage-error.js';

export async function user(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'create') throw new UsageError('methodical user: the only action is "create"');
  const { values } = parseFlags('user create', rest, {
    ...DATABASE_FLAGS,
    email: { type: 'string' },
    password: { type: 'string' },
    name: { type: 'string' },
    admin: { type: 'boolean' },
  });
  if (!values.email || !values.password) {
    throw new UsageError('methodical user create: --email and --password are required');
  }
  const config = await configFrom(values);
  const store = await openStore(config, values);
  try {
    await applyOnStart(store, config.file);
    const schema = compileSchema(config);
    const writer = new RecordWriter({ schema, hooks: config.hooks, limits: config.limits });
    const auth = new AuthService({ store, schema, config, writer });
    const created = await auth
      .createUser({
        email: values.email,
        password: values.password,
        admin: values.admin === true,
        name: values.name,
      })
      .catch((error: unknown) => {
        // A refused user (bad email, short password, taken email) is a bad flag: exit 2 and say which.
        if (!isProblem(error)) throw error;
        const fields = (error.errors ?? []).map((e) => `--${e.field} ${e.message}`).join('; ');
        throw new UsageError(`methodical user create: ${error.detail}${fields ? ` ${fields}` : ''}`);
      });
    process.stdout.write(
      `Created ${created.admin ? 'admin ' : ''}user ${created.email} (id ${created.id}).\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
