/**
 * The server's log for a person at a terminal: one line per request
 * (`12:04:31 GET /api/books 200 3.1 ms`) and short lines for the rest, made
 * from the JSON lines pino writes. Not a terminal: pino's JSON as it is.
 */
import { UsageError } from './usage-error.js';

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT (`json` or `pretty`) when set, else pretty exactly when stderr is a terminal. */
export function logFormat(env: NodeJS.ProcessEnv, isTTY: boolean): LogFormat {
  const value = env.LOG_FORMAT;
  if (value === undefined || value === '') return isTTY ? 'pretty' : 'json';
  if (value === 'json' || value === 'pretty') return value;
  throw new UsageError(`methodical serve: LOG_FORMAT must be "json" or "pretty", not "${value}"`);
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
/** Requests seen but not completed yet; a bound, so requests that never complete cannot pile up. */
const MAX_OPEN = 10_000;

interface LogLine {
  level?: number;
  time?: number;
  msg?: string;
  reqId?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  err?: { type?: string; message?: string; stack?: string };
  [key: string]: unknown;
}

function clock(time: number | undefined): string {
  const d = time === undefined ? new Date() : new Date(time);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** A pino destination that turns its JSON lines into readable ones on `out`. */
export function prettyLogStream(out: { write(text: string): unknown }): { write(line: string): void } {
  const open = new Map<string, { method: string; url: string }>();
  const format = (entry: LogLine): string | undefined => {
    if (entry.msg === 'incoming request' && entry.reqId !== undefined) {
      if (open.size >= MAX_OPEN) open.delete(open.keys().next().value as string);
      open.set(entry.reqId, { method: entry.req?.method ?? '?', url: entry.req?.url ?? '?' });
      return undefined;
    }
    if (entry.msg === 'request completed' && entry.reqId !== undefined) {
      const req = open.get(entry.reqId) ?? { method: '?', url: '?' };
      open.delete(entry.reqId);
      const ms = typeof entry.responseTime === 'number' ? `${entry.responseTime.toFixed(1)} ms` : '';
      return `${clock(entry.time)} ${req.method} ${req.url} ${entry.res?.statusCode ?? '?'} ${ms}`.trimEnd();
    }
    // serve prints its own listening line.
    if (typeof entry.msg === 'string' && entry.msg.startsWith('Server listening at')) return undefined;
    const level = LEVELS[entry.level ?? 30] ?? String(entry.level);
    const req = entry.reqId !== undefined ? open.get(entry.reqId) : undefined;
    const where = req === undefined ? '' : ` (${req.method} ${req.url})`;
    const text = `${clock(entry.time)} ${level} ${entry.msg ?? ''}${where}`;
    if (entry.err === undefined) return text;
    const err = entry.err.stack ?? `${entry.err.type ?? 'Error'}: ${entry.err.message ?? ''}`;
    return `${text}\n  ${err.replace(/\n/g, '\n  ')}`;
  };
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        let entry: LogLine;
        try {
          entry = JSON.parse(line) as LogLine;
        } catch {
          out.write(`${line}\n`);
          continue;
        }
        const text = format(entry);
        if (text !== undefined) out.write(`${text}\n`);
      }
    },
  };
}
