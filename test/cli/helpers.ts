/**
 * Runs the `methodical` CLI as a child process, the way a user would: from
 * source through tsx, in a temp folder, reading stdout, stderr and the exit
 * code. Servers are started on --port 0 and found through their one line.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
/** The tsx loader by absolute URL, so the CLI also starts from a cwd outside the repo. */
const TSX = import.meta.resolve('tsx');

/** Generous: the machine may be busy, and a TS config is compiled on start. Never asserted on. */
export const SLOW = { timeout: 180_000 };

export const PUBLIC_RULES = {
  list: 'public',
  view: 'public',
  create: 'public',
  update: 'public',
  delete: 'public',
};

export const LISTENING = /^Methodical listening on http:\/\/127\.0\.0\.1:(\d+)$/;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunResult extends Exit {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** Added to the environment (PORT and DATABASE_URL are never inherited). */
  env?: Record<string, string>;
}

function start(args: readonly string[], options: RunOptions): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (!options.env?.PORT) delete env.PORT;
  if (!options.env?.DATABASE_URL) delete env.DATABASE_URL;
  return spawn(process.execPath, ['--import', TSX, BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

/** Runs a command to its end. */
export async function run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const child = start(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exit = await exited(child);
  return { ...exit, stdout, stderr };
}

/** The lines of an output, without the final newline. */
export function lines(output: string): string[] {
  return output === '' ? [] : output.replace(/\n$/, '').split('\n');
}

/** Exit code 2 and exactly one line on stderr, without a stack trace. Returns that line. */
export function assertUsageFailure(result: RunResult): string {
  const detail = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  assert.equal(result.code, 2, detail);
  const errLines = lines(result.stderr);
  assert.equal(errLines.length, 1, `one line on stderr:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(result.stderr, /node:internal|\.ts:\d+:\d+/, 'no stack frames');
  return errLines[0];
}

export interface Server {
  url: string;
  port: number;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr contains `text`. */
  stderrIncludes(text: string): Promise<void>;
  exit: Promise<Exit>;
  /** Sends a signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

const running = new Set<ChildProcess>();

/** Starts `methodical serve …` and waits for its listening line. */
export async function serve(args: readonly string[], options: RunOptions = {}): Promise<Server> {
  const child = start(['serve', ...args], options);
  running.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const exit = exited(child);
  void exit.then(() => running.delete(child));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const w of waiters.filter((x) => stderr.includes(x.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
    });
    void exit.then(({ code, signal }) =>
      reject(new Error(`serve ended (${code ?? signal}) before listening:\n${stdout}${stderr}`)),
    );
  });
  const match = LISTENING.exec(line);
  assert.ok(match, `listening line: ${JSON.stringify(line)}`);
  const port = Number(match[1]);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stderrIncludes: (text) =>
      stderr.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve })),
    exit,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
}

/** Kills (by pid, SIGKILL) every server a test left running. For `after` hooks. */
export function killServers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** A fresh temp folder and a function that removes it. */
export function tempDir(prefix = 'methodical-cli-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A temp folder for one test file: its servers are killed and the folder removed once the file's tests end. */
export function cliSandbox(prefix?: string): { dir: string; remove: () => void } {
  const tmp = tempDir(prefix);
  after(() => {
    killServers();
    tmp.remove();
  });
  return tmp;
}

/** Writes a JSON config file and returns its path. */
export function writeJsonConfig(dir: string, config: unknown, name = 'methodical.config.json'): string {
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** A port held open by this process until `release` (so nothing else, not even port 0, gets it). */
export async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return { port: address.port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port that was free a moment ago (for PORT, which cannot be 0 in a test that checks it). */
export async function freePort(): Promise<number> {
  const held = await holdPort();
  await held.release();
  return held.port;
}

/** A JSON request to a running server. */
export async function request(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> | null; text: string }> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: Record<string, unknown> | null = null;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body, text };
}
