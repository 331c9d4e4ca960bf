/**
 * What a newcomer sees first: `--version`, `--help`, a one-line hint when
 * the port is taken, the banner naming the config and the data folder, and
 * the request log (readable lines in a terminal, pino's JSON otherwise).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bannerLines, redactUrl } from '../../src/cli/banner.js';
import { logFormat, prettyLogStream } from '../../src/cli/request-log.js';
import {
  assertUsageFailure,
  BIN,
  cliSandbox,
  holdPort,
  lines,
  PUBLIC_RULES,
  request,
  run,
  SLOW,
  serve,
  writeJsonConfig,
} from './helpers.js';

const tmp = cliSandbox();

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
const CONFIG = {
  collections: { notes: { fields: { title: { type: 'text' } }, rules: PUBLIC_RULES } },
  routes: { 'GET /all-notes': 'GET /api/notes' },
};

describe('--version and --help', SLOW, () => {
  for (const flag of ['--version', '-v', 'version']) {
    test(`${flag} prints the package's version, exit 0`, async () => {
      const result = await run([flag]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${VERSION}\n`);
      assert.equal(result.stderr, '');
    });
  }

  test('--help names --version', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /--version, -v/);
  });
});

describe('serve on a port already in use', SLOW, () => {
  const config = writeJsonConfig(tmp.dir, CONFIG, 'taken.json');
  const data = join(tmp.dir, 'taken-data');
  for (const source of ['--port', 'PORT'] as const) {
    test(`(from ${source}) exits 1 with one line naming the address, --port and PORT, no stack`, async () => {
      const taken = await holdPort();
      try {
        const args = ['serve', '--config', config, '--data', data];
        const result =
          source === '--port'
            ? await run([...args, '--port', String(taken.port)], { cwd: tmp.dir })
            : await run(args, { cwd: tmp.dir, env: { PORT: String(taken.port) } });
        assert.equal(result.code, 1, result.stderr);
        assert.equal(result.stdout, '');
        const errLines = lines(result.stderr);
        assert.equal(errLines.length, 1, result.stderr);
        assert.match(
          errLines[0],
          new RegExp(`^methodical: cannot listen on 127\\.0\\.0\\.1:${taken.port}: `),
        );
        assert.match(errLines[0], /already in use/);
        assert.match(errLines[0], /--port/);
        assert.match(errLines[0], /PORT environment variable/);
        assert.doesNotMatch(result.stderr, /^\s+at /m);
      } finally {
        await taken.release();
      }
    });
  }
});

describe('the banner and the request log', SLOW, () => {
  const config = writeJsonConfig(tmp.dir, CONFIG, 'log.json');
  const data = join(tmp.dir, 'log-data');

  test('after the listening line, stderr names the config file and the data folder', async () => {
    const server = await serve(['--port', '0', '--config', config, '--data', data], { cwd: tmp.dir });
    await server.stderrIncludes('data ');
    assert.equal(server.stdout(), `Methodical listening on http://127.0.0.1:${server.port}\n`);
    const [configLine, dataLine, setup, ...rest] = lines(server.stderr());
    assert.deepEqual(
      [configLine, dataLine],
      [`  config    ${config}`, `  data      ${data} (SQLite database methodical.db, uploads in files/)`],
      server.stderr(),
    );
    // No administrator yet: the one-time setup link (test/cli/setup-link.test.ts) comes with the banner.
    assert.match(setup, /^No administrator yet\. Create the first one at /, server.stderr());
    assert.deepEqual(rest, [], server.stderr());
    assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
  });

  test('LOG_FORMAT=pretty: one line per request with method, path, status and time', async () => {
    const server = await serve(['--port', '0', '--config', config, '--data', data], {
      cwd: tmp.dir,
      env: { LOG_FORMAT: 'pretty' },
    });
    try {
      assert.equal((await request(`${server.url}/api/notes?page=1`)).status, 200);
      assert.equal((await request(`${server.url}/api/nothing`)).status, 404);
      await server.stderrIncludes('/api/nothing 404');
      assert.equal((await request(`${server.url}/all-notes`)).status, 200);
      await server.stderrIncludes('/all-notes 200');
      const log = lines(server.stderr()).filter(
        (l) => !l.startsWith('  ') && !l.startsWith('No administrator'),
      );
      assert.equal(log.length, 3, server.stderr());
      assert.match(log[0], /^\d\d:\d\d:\d\d GET \/api\/notes\?page=1 200 \d+\.\d ms$/);
      assert.match(log[1], /^\d\d:\d\d:\d\d GET \/api\/nothing 404 \d+\.\d ms$/);
      assert.match(
        log[2],
        /^\d\d:\d\d:\d\d GET \/all-notes 200 \d+\.\d ms$/,
        'the path as sent, not the alias target',
      );
      assert.doesNotMatch(server.stderr(), /^\{/m, 'no JSON');
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
    }
  });

  test('not a terminal: pino JSON lines, as before (LOG_LEVEL=info shows requests)', async () => {
    const server = await serve(['--port', '0', '--config', config, '--data', data], {
      cwd: tmp.dir,
      env: { LOG_LEVEL: 'info' },
    });
    try {
      assert.equal((await request(`${server.url}/healthz`)).status, 200);
      await server.stderrIncludes('request completed');
      const json = lines(server.stderr())
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const completed = json.find((l) => l.msg === 'request completed');
      assert.ok(completed, server.stderr());
      assert.equal((completed.res as { statusCode: number }).statusCode, 200);
      assert.equal(typeof completed.responseTime, 'number');
      assert.ok(json.some((l) => l.msg === 'incoming request'));
    } finally {
      assert.deepEqual(await server.stop(), { code: 0, signal: null }, server.stderr());
    }
  });

  // util-linux `script` gives the server a real terminal; `timeout` stops it (SIGTERM, a clean exit).
  const SCRIPT = '/usr/bin/script';
  test('in a real terminal the log is readable lines, no JSON', { skip: !existsSync(SCRIPT) }, async () => {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = [
      'timeout',
      '-s',
      'TERM',
      '8',
      process.execPath,
      '--import',
      import.meta.resolve('tsx'),
      BIN,
      'serve',
      '--port',
      '0',
      '--config',
      config,
      '--data',
      data,
    ]
      .map(quote)
      .join(' ');
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'dumb' };
    delete env.LOG_FORMAT;
    delete env.LOG_LEVEL;
    delete env.PORT;
    const child = spawn(SCRIPT, ['-qefc', command, '/dev/null'], {
      cwd: tmp.dir,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    const exit = new Promise<number | null>((resolve) => child.once('close', resolve));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /Methodical listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      void exit.then(() => reject(new Error(`ended before listening:\n${out}`)));
    });
    assert.equal((await request(`http://127.0.0.1:${port}/api/notes`)).status, 200);
    // 124: timeout stopped it, as planned.
    assert.equal(await exit, 124, out);
    const text = out.replace(/\r/g, '');
    assert.match(text, /^\d\d:\d\d:\d\d GET \/api\/notes 200 \d+\.\d ms$/m, text);
    assert.doesNotMatch(text, /"msg"/, 'no JSON');
  });

  test('a LOG_FORMAT that is neither json nor pretty: exit 2, one line', async () => {
    const result = await run(['serve', '--port', '0', '--config', config, '--data', data], {
      cwd: tmp.dir,
      env: { LOG_FORMAT: 'xml' },
    });
    assert.match(assertUsageFailure(result), /LOG_FORMAT must be "json" or "pretty", not "xml"/);
  });
});

describe('the banner', () => {
  test('a database URL is named without its password', () => {
    assert.equal(
      redactUrl('postgres://app:s3cret@db.example:5432/shop'),
      'postgres://app:***@db.example:5432/shop',
    );
    assert.equal(redactUrl('postgres://db.example/shop'), 'postgres://db.example/shop');
    assert.equal(redactUrl('postgres://app:s3cret@[bad'), 'postgres://app:***@[bad');
    assert.deepEqual(bannerLines('/srv/app/methodical.config.ts', { database: 'postgres://u:p@h/d' }), [
      '  config    /srv/app/methodical.config.ts',
      '  database  postgres://u:***@h/d',
    ]);
  });
});

describe('request log format', () => {
  test('pretty exactly when stderr is a terminal, unless LOG_FORMAT says', () => {
    const cases: [Record<string, string>, boolean, string][] = [
      [{}, true, 'pretty'],
      [{}, false, 'json'],
      [{ LOG_FORMAT: '' }, true, 'pretty'],
      [{ LOG_FORMAT: 'json' }, true, 'json'],
      [{ LOG_FORMAT: 'pretty' }, false, 'pretty'],
    ];
    for (const [env, tty, expected] of cases)
      assert.equal(logFormat(env, tty), expected, JSON.stringify(env));
  });

  test('pino lines become readable ones; errors keep their stack, indented', () => {
    let out = '';
    const stream = prettyLogStream({ write: (t: string) => (out += t) });
    const time = new Date(2026, 0, 2, 9, 5, 7).getTime();
    const line = (o: object) => stream.write(`${JSON.stringify({ level: 30, time, ...o })}\n`);
    line({ reqId: 'r1', msg: 'incoming request', req: { method: 'POST', url: '/api/books' } });
    line({
      level: 50,
      reqId: 'r1',
      msg: 'boom',
      err: { type: 'Error', message: 'x', stack: 'Error: x\n    at f' },
    });
    line({ reqId: 'r1', msg: 'request completed', res: { statusCode: 500 }, responseTime: 12.345 });
    line({ msg: 'Server listening at http://127.0.0.1:3000' });
    line({ level: 40, msg: 'careful' });
    stream.write('not json\n');
    assert.equal(
      out,
      [
        '09:05:07 ERROR boom (POST /api/books)',
        '  Error: x',
        '      at f',
        '09:05:07 POST /api/books 500 12.3 ms',
        '09:05:07 WARN careful',
        'not json',
        '',
      ].join('\n'),
    );
  });
});
