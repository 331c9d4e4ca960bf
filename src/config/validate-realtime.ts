/** The `realtime` section: how long the change log keeps changes, and the bounds on live streams. */
import { at, type Checker } from './checker.js';
import type { RealtimeSettings } from './types.js';

export const DEFAULT_REALTIME: RealtimeSettings = {
  retentionSeconds: 86_400,
  keep: 100_000,
  heartbeatSeconds: 25,
  topics: 32,
  connectionsPerClient: 16,
  replay: 10_000,
  queueBytes: 1024 * 1024,
};

/** The integer settings: config key → setting. */
const COUNTS = {
  keep: 'keep',
  topics: 'topics',
  connectionsPerClient: 'connectionsPerClient',
  replay: 'replay',
  queue: 'queueBytes',
} as const;

export function validateRealtime(c: Checker, value: unknown): RealtimeSettings {
  const keys = ['retention', 'heartbeat', ...Object.keys(COUNTS)];
  const raw = value === undefined ? {} : c.object(value, 'realtime', keys);
  const out = { ...DEFAULT_REALTIME };
  if (raw.retention !== undefined) out.retentionSeconds = c.duration(raw.retention, 'realtime.retention');
  if (raw.heartbeat !== undefined) {
    out.heartbeatSeconds = c.duration(raw.heartbeat, 'realtime.heartbeat');
    if (out.heartbeatSeconds <= 0) c.fail('realtime.heartbeat', 'must be longer than 0 seconds');
  }
  for (const [key, setting] of Object.entries(COUNTS) as [keyof typeof COUNTS, keyof RealtimeSettings][]) {
    if (raw[key] !== undefined) out[setting] = c.integer(raw[key], at('realtime', key), 1);
  }
  return out;
}
