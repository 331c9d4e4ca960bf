// Child processes for the servers under test: started, waited for, and always killed.
import { spawn } from 'node:child_process';
import net from 'node:net';

const children = new Set();

/** Kills every server still running, synchronously (safe from an `exit` handler). */
export function killAll(signal = 'SIGKILL') {
  for (const child of children) {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
  children.clear();
}
process.on('exit', () => killAll());

/** A free TCP port on 127.0.0.1 (for servers that cannot take --port 0). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a server process and resolves once it is ready: either when stdout shows `readyLine`
 * (a RegExp whose first group is the base URL) or when `probeUrl` answers 2xx.
 */
export async function startProcess({
  name,
  command,
  args,
  cwd,
  env,
  readyLine,
  probeUrl,
  timeoutMs = 60_000,
}) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stderr.on('data', keep);

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      children.delete(child);
      resolve(exited);
    });
    child.once('error', (err) => {
      exited = { code: null, signal: null, error: err };
      children.delete(child);
      resolve(exited);
    });
  });

  const instance = {
    name,
    child,
    url: null,
    output: () => output,
    /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
    async stop(graceMs = 5000) {
      if (exited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, graceMs);
      const result = await exitPromise;
      clearTimeout(timer);
      return result;
    },
  };

  const fail = async (why) => {
    await instance.stop(1000);
    const tail = output.trim().split('\n').slice(-8).join('\n');
    throw new Error(`${name}: ${why}${tail ? `\n--- last output ---\n${tail}` : ''}`);
  };

  const deadline = Date.now() + timeoutMs;
  if (readyLine) {
    let stdout = '';
    const url = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      child.stdout.on('data', (chunk) => {
        keep(chunk);
        stdout += chunk.toString();
        const m = readyLine.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      exitPromise.then(() => {
        clearTimeout(timer);
        resolve(null);
      });
    });
    if (!url)
      return fail(
        exited ? `exited (${exited.code ?? exited.signal}) before it was ready` : 'not ready in time',
      );
    instance.url = url.replace(/\/$/, '');
  } else {
    child.stdout.on('data', keep);
    instance.url = new URL(probeUrl).origin;
  }

  if (probeUrl) {
    while (!exited) {
      try {
        const res = await fetch(probeUrl);
        await res.arrayBuffer();
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) return fail('not ready in time');
      await sleep(100);
    }
    if (exited) return fail(`exited (${exited.code ?? exited.signal}) before it was ready`);
  }
  return instance;
}
