/**
 * Real proxies in front of a real `methodical serve`: Debian's nginx and
 * Varnish, started as child processes over a temp folder on free loopback
 * ports, and a plain HTTP client that sends exactly the headers it is given
 * (Origin, Cookie, If-None-Match) and reads every header back.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NGINX = '/usr/sbin/nginx';
export const VARNISHD = '/usr/sbin/varnishd';
/** The nginx config the docs give, run as it is (see docs/behind-a-proxy.md). */
export const NGINX_SITE = fileURLToPath(new URL('../../docs/nginx.conf', import.meta.url));

/** A reason to skip when a program is not installed (`.ci/run` installs both). */
export function missing(program: string, pkg: string): string | undefined {
  return existsSync(program) ? undefined : `${program} is not installed (apt-get install ${pkg})`;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP/1.1 request with exactly these headers; the whole answer. */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Registers `credentials` at `base` and logs them in, as a browser on `origin` would; the login answer. */
export async function registerAndLogIn(
  base: string,
  origin: string,
  credentials: { email: string; password: string },
): Promise<Answer> {
  const reg = await send(`${base}/api/auth/register`, {
    method: 'POST',
    headers: { origin },
    body: credentials,
  });
  assert.equal(reg.status, 201, reg.body);
  const login = await send(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { origin },
    body: credentials,
  });
  assert.equal(login.status, 200, login.body);
  return login;
}

/** The session cookie a login answer sets, as `name=value` for a Cookie header. */
export function sessionCookie(answer: Answer): string {
  const cookie = (answer.headers['set-cookie'] ?? []).find((c) => c.startsWith('methodical_session='));
  assert.ok(cookie, `a session cookie in ${JSON.stringify(answer.headers['set-cookie'])}`);
  return cookie.split(';')[0];
}

/** Retries until `url` answers at all (the proxy is up), for at most `ms`. */
export async function waitForHttp(url: string, child: ChildProcess, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the proxy exited (${child.exitCode}) before answering`);
    try {
      await send(url);
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface ProxyProcess {
  url: string;
  /** Its log so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess, signal: NodeJS.Signals): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

/**
 * docs/nginx.conf with the listen port, the upstream and the cache folder
 * replaced, each exactly once, so the test cannot silently drift from it.
 */
export function nginxSite(port: number, upstream: string, cacheDir: string): string {
  let text = readFileSync(NGINX_SITE, 'utf8');
  const swaps: [string, string][] = [
    ['listen 80;', `listen 127.0.0.1:${port};`],
    ['server 127.0.0.1:3000;', `server ${upstream};`],
    ['/var/cache/nginx/methodical ', `${cacheDir} `],
  ];
  for (const [from, to] of swaps) {
    assert.equal(text.split(from).length, 2, `docs/nginx.conf holds "${from}" exactly once`);
    text = text.replace(from, to);
  }
  return text;
}

/** nginx in the foreground, as one process, over `dir`, proxying to `upstream` (host:port). */
export async function startNginx(
  dir: string,
  port: number,
  upstream: string,
  variant: (site: string) => string = (site) => site,
): Promise<ProxyProcess> {
  return startNginxSite(dir, port, variant(nginxSite(port, upstream, join(dir, 'cache'))));
}

/** nginx in the foreground, as one process, over `dir`, with `site` (a conf.d file listening on `port`). */
export async function startNginxSite(dir: string, port: number, site: string): Promise<ProxyProcess> {
  writeFileSync(join(dir, 'methodical.conf'), site);
  // The stock nginx.conf's frame around conf.d, with every path in the temp folder.
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `  ${name}_temp_path ${join(dir, `${name}-temp`)};`)
    .join('\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `events { worker_connections 256; }\nhttp {\n  access_log ${join(dir, 'access.log')};\n${temp}\n  include ${join(dir, 'methodical.conf')};\n}\n`,
  );
  const errorLog = join(dir, 'error.log');
  const child = spawn(
    NGINX,
    [
      '-p',
      `${dir}/`,
      '-c',
      join(dir, 'nginx.conf'),
      '-e',
      errorLog,
      '-g',
      `daemon off; master_process off; pid ${join(dir, 'nginx.pid')};`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  const log = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  try {
    await waitForHttp(`${url}/healthz`, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`nginx did not start: ${(error as Error).message}\n${log()}`);
  }
  return { url, log, stop: stopper(child, 'SIGQUIT') };
}

/** The VCL the docs give, run as it is. */
export const VARNISH_VCL = fileURLToPath(new URL('../../docs/varnish.vcl', import.meta.url));

/**
 * Varnish in the foreground over `dir` with docs/varnish.vcl, its backend
 * port replaced. `-j none` keeps it as the invoking user (the temp folder is
 * not readable by Varnish's own users); default_grace 0 makes an expired
 * object wait for its revalidation instead of being served stale meanwhile.
 */
export async function startVarnish(dir: string, port: number, backendPort: number): Promise<ProxyProcess> {
  let vcl = readFileSync(VARNISH_VCL, 'utf8');
  assert.equal(vcl.split('.port = "3000";').length, 2, 'docs/varnish.vcl names port 3000 once');
  vcl = vcl.replace('.port = "3000";', `.port = "${backendPort}";`);
  const file = join(dir, 'methodical.vcl');
  writeFileSync(file, vcl);
  let output = '';
  const child = spawn(
    VARNISHD,
    [
      '-F',
      '-j',
      'none',
      '-a',
      `127.0.0.1:${port}`,
      '-f',
      file,
      '-n',
      join(dir, 'work'),
      '-s',
      'malloc,16m',
      '-p',
      'default_grace=0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`varnishd did not start: ${(error as Error).message}\n${output}`);
  }
  return { url, log: () => output, stop: stopper(child, 'SIGTERM') };
}
