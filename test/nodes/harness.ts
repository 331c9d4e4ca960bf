/**
 * What the multi-node test runs: the config every node reads (with the
 * hooks it needs), docs/nginx-nodes.conf with its ports replaced, and a
 * client that retries a write with its Idempotency-Key until it is answered.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Answer, send } from '../proxy/harness.js';

/** The load balancer config the docs give, run as it is. */
export const NODES_SITE = fileURLToPath(new URL('../../docs/nginx-nodes.conf', import.meta.url));
const PUBLIC = { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' };
const OWNER = { list: 'owner', view: 'owner', create: 'auth', update: 'owner', delete: 'owner' };

/**
 * The config every node reads: trustProxy, and a checkout hook that checks
 * and takes stock in the order's transaction. On a node started with
 * STALL_WRITES=1, a note titled "… stalled" hangs inside its transaction (its
 * Idempotency-Key claimed) after saying so on stderr, for the test to kill it there.
 */
export const CONFIG_TS = `export default {
  trustProxy: true,
  collections: {
    notes: { fields: { title: { type: 'text', required: true } }, rules: ${JSON.stringify(PUBLIC)} },
    products: {
      fields: { name: { type: 'text', required: true }, stock: { type: 'integer', min: 0, default: 0 } },
      rules: ${JSON.stringify(PUBLIC)},
    },
    orders: { fields: { product: { type: 'text', required: true } }, rules: ${JSON.stringify(PUBLIC)} },
    uploads: { fields: { title: { type: 'text' }, doc: { type: 'file' } }, rules: ${JSON.stringify(PUBLIC)} },
    diary: { fields: { title: { type: 'text', required: true } }, rules: ${JSON.stringify(OWNER)} },
  },
  hooks: {
    notes: {
      async beforeCreate(ctx: any) {
        if (process.env.STALL_WRITES === '1' && String(ctx.record.title).endsWith(' stalled')) {
          console.error('stalling a write');
          await new Promise((resolve) => setTimeout(resolve, 120000));
        }
      },
    },
    orders: {
      async beforeCreate(ctx: any) {
        const p = await ctx.tx.get('products', ctx.record.product);
        if (!p) return ctx.reject(422, 'There is no product "' + ctx.record.product + '".');
        if (p.stock < 1) return ctx.reject(409, 'Out of stock: no "' + p.name + '" left.');
        await ctx.tx.update('products', p.id, { stock: p.stock - 1 });
      },
    },
  },
};
`;

/** docs/nginx-nodes.conf with the listen port and the three node ports replaced, each exactly once. */
export function nodesSite(port: number, nodePorts: readonly number[]): string {
  let text = readFileSync(NODES_SITE, 'utf8');
  const swaps: [string, string][] = [
    ['listen 80;', `listen 127.0.0.1:${port};`],
    ...nodePorts.map((p, i): [string, string] => [`server 127.0.0.1:${3001 + i} `, `server 127.0.0.1:${p} `]),
  ];
  for (const [from, to] of swaps) {
    assert.equal(text.split(from).length, 2, `docs/nginx-nodes.conf holds "${from}" exactly once`);
    text = text.replace(from, to);
  }
  return text;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const body = (a: Answer) => JSON.parse(a.body) as Record<string, unknown>;

/** One attempt of a write: the answer, or the network error that stood for it. */
export interface Attempt {
  target: string;
  status: number | string;
}

export interface LoadWrite {
  key: string;
  title: string;
  attempts: Attempt[];
  final?: Answer;
}

/**
 * A careful client: POSTs a note until it has an answer. A refused or cut
 * connection, or a 502/503/504, is retried with the same Idempotency-Key
 * through the next target (starting at `targets[first]`); a 409 (the key
 * still in flight) after a pause. Every attempt is recorded.
 */
export async function postUntilAnswered(
  w: LoadWrite,
  targets: readonly string[],
  first: number,
): Promise<void> {
  for (let k = 0; k < 12 && w.final === undefined; k++) {
    const target = targets[(first + k) % targets.length];
    try {
      const answer = await send(`${target}/api/notes`, {
        method: 'POST',
        headers: { 'idempotency-key': `"${w.key}"` },
        body: { title: w.title },
      });
      w.attempts.push({ target, status: answer.status });
      if (answer.status === 409) await sleep(500);
      else if ([502, 503, 504].includes(answer.status)) await sleep(100);
      else w.final = answer;
    } catch (error) {
      w.attempts.push({ target, status: (error as NodeJS.ErrnoException).code ?? String(error) });
      await sleep(100);
    }
  }
}
