/**
 * The scheme and host the client used, as seen through a trusted proxy.
 * With `trustProxy`, Fastify already reads X-Forwarded-Proto and
 * X-Forwarded-Host; this adds RFC 7239 `Forwarded` (proto=, host=) for
 * proxies that send only that, and X-Forwarded-Port for ones that send the
 * host without its port (nginx's `$host`). Without `trustProxy` none of
 * these headers count: any client could send them.
 */
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** The config's trustProxy: forwarding headers describe the client's request. */
    methodicalTrustProxy: boolean;
  }
}

/** The header's value, or the last of several (the nearest proxy's). */
function lastHeader(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[value.length - 1] : value;
  if (text === undefined) return undefined;
  const parts = text.split(',');
  const last = parts[parts.length - 1].trim();
  return last === '' ? undefined : last;
}

/**
 * The last element of an RFC 7239 `Forwarded` header as parameter → value
 * (names lowercased, quoted strings unquoted). The nearest proxy appends
 * last, so that is the element a trusted proxy wrote.
 */
export function parseForwarded(header: string | string[] | undefined): Record<string, string> {
  const text = Array.isArray(header) ? header.join(',') : header;
  const out: Record<string, string> = {};
  if (!text) return out;
  // Split on commas outside quoted strings; keep the last element.
  let element = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === '\\' && quoted) {
      element += ch + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === ',' && !quoted) element = '';
    else element += ch;
  }
  for (const pair of element.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim().toLowerCase();
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    if (name !== '' && value !== '') out[name] = value;
  }
  return out;
}

function trusted(req: FastifyRequest): boolean {
  return req.server.methodicalTrustProxy === true;
}

/** `http` or `https`: how the client reached the server (or its proxy). */
export function clientScheme(req: FastifyRequest): string {
  // req.protocol is X-Forwarded-Proto's when trusted, else the connection's.
  if (trusted(req) && req.headers['x-forwarded-proto'] === undefined) {
    const proto = parseForwarded(req.headers.forwarded).proto?.toLowerCase();
    if (proto === 'http' || proto === 'https') return proto;
  }
  return req.protocol === 'https' ? 'https' : 'http';
}

/** The host (and port, when not the default) the client addressed. */
export function clientHost(req: FastifyRequest): string {
  // req.host is X-Forwarded-Host's when trusted, else the Host header.
  let host = req.host;
  if (!trusted(req)) return host;
  if (req.headers['x-forwarded-host'] === undefined) {
    const forwarded = parseForwarded(req.headers.forwarded).host;
    if (forwarded !== undefined) host = forwarded;
  }
  const port = lastHeader(req.headers['x-forwarded-port']);
  if (port !== undefined && /^[0-9]{1,5}$/.test(port) && !/:[0-9]*$/.test(host.replace(/^\[[^\]]*\]/, ''))) {
    host = `${host}:${port}`;
  }
  return host;
}

/** The client's origin for this request (`scheme://host[:port]`), or '' when the host is unusable. */
export function clientOrigin(req: FastifyRequest): string {
  try {
    // Through URL, so a default port (`:80`, `:443`) compares equal to an Origin without it.
    return new URL(`${clientScheme(req)}://${clientHost(req)}`).origin;
  } catch {
    return '';
  }
}
