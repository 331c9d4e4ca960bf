/**
 * The server of fixtures/child-server.ts in a child process, for tests that
 * watch its resident memory from outside while it serves a request.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/child-server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A reason to skip where a process's memory cannot be read. */
export const NEEDS_PROC = existsSync('/proc/self/status') ? undefined : 'needs /proc to read a process RSS';

export interface ChildServer {
  child: ChildProcess;
  url: string;
  /** The server's data folder (its SQLite file and uploads). */
  dir: string;
  /** Its resident set size now, in bytes. */
  rss(): number;
  stop(): Promise<void>;
}

/** The resident set size of a process, in bytes. */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, 'VmRSS in /proc/<pid>/status');
  return Number(match[1]) * 1024;
}

/** Start the server and wait until it listens. */
export async function startChildServer(): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the server exited early (${code})`)));
  });
  const { url, dir } = JSON.parse(first) as { url: string; dir: string };
  return {
    child,
    url,
    dir,
    rss: () => rssOf(child.pid as number),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.end(); // The fixture closes its app and removes its folder, then exits.
      await exited;
    },
  };
}
