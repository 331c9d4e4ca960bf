/**
 * Nodes on one PostgreSQL database with `--files DIR` on a disk they share
 * (docs/scale-out.md): a node that starts (a rolling restart) while another
 * node is receiving an upload leaves that upload alone, so it completes and
 * downloads byte for byte from either node.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { freePort, killServers, type Server, serve, tempDir } from '../cli/helpers.js';
import { withSearchPath } from '../postgres-schema.js';
import { sleep } from './harness.js';

const BASE = process.env.TEST_DATABASE_URL;
const BOUNDED = { timeout: 180_000 };
const PUBLIC = { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' };

/** A multipart POST whose file part is sent in two halves, `between` running after the first. */
function uploadInTwoHalves(
  url: string,
  bytes: Buffer,
  between: () => Promise<void>,
): Promise<{ status: number; body: string }> {
  const boundary = `----methodical${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="doc"; filename="data.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const half = Math.floor(bytes.length / 2);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          accept: 'application/json',
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + bytes.length + tail.length),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.write(Buffer.concat([head, bytes.subarray(0, half)]));
    between().then(
      () => req.end(Buffer.concat([bytes.subarray(half), tail])),
      (error) => {
        req.destroy();
        reject(error);
      },
    );
  });
}

if (!BASE) {
  test('nodes sharing --files DIR', { skip: 'set TEST_DATABASE_URL=postgres://… to run it' }, () => {});
} else {
  describe('two nodes on one PostgreSQL schema sharing --files DIR', BOUNDED, () => {
    const tmp = tempDir('methodical-shared-files-');
    const schema = `methodical_nodes_${randomBytes(6).toString('hex')}`;
    const url = withSearchPath(BASE, schema);
    const db = new pg.Client({ connectionString: BASE });
    const config = join(tmp.dir, 'methodical.config.json');
    const files = join(tmp.dir, 'shared-files');
    const nodes: Server[] = [];
    const startNode = async (i: number, port: number) =>
      serve(
        [
          '--config',
          config,
          '--data',
          join(tmp.dir, `data-${i}`),
          '--database',
          url,
          '--files',
          files,
          '--port',
          String(port),
        ],
        { cwd: tmp.dir },
      );

    before(async () => {
      await db.connect();
      await db.query(`CREATE SCHEMA "${schema}"`);
      writeFileSync(
        config,
        JSON.stringify({ collections: { uploads: { fields: { doc: { type: 'file' } }, rules: PUBLIC } } }),
      );
      nodes.push(await startNode(0, 0));
      nodes.push(await startNode(1, await freePort()));
    });
    after(async () => {
      for (const node of nodes) await node.stop();
      killServers();
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
      await db.end().catch(() => {});
      tmp.remove();
    });

    test('a node restarting while another receives an upload leaves that upload alone', async () => {
      const bytes = randomBytes(512 * 1024);
      const staging = join(files, '.staging');
      const answer = await uploadInTwoHalves(`${nodes[0].url}/api/uploads`, bytes, async () => {
        // The first half is staged on the shared disk...
        for (let i = 0; !(existsSync(staging) && readdirSync(staging).length > 0); i++) {
          assert.ok(i < 600, 'the upload is staged');
          await sleep(50);
        }
        // ...when node 1 restarts, tidying what crashed uploads left behind as it starts.
        const port = nodes[1].port;
        assert.deepEqual(await nodes[1].stop('SIGTERM'), { code: 0, signal: null });
        nodes[1] = await startNode(1, port);
      });
      assert.equal(answer.status, 201, answer.body);
      const record = JSON.parse(answer.body) as { id: string; doc: string };
      for (const node of nodes) {
        const down = await fetch(
          `${node.url}/api/files/uploads/${record.id}/doc/${encodeURIComponent(record.doc)}`,
        );
        assert.equal(down.status, 200, node.url);
        assert.ok(Buffer.from(await down.arrayBuffer()).equals(bytes), `${node.url} sends the same bytes`);
      }
    });
  });
}
