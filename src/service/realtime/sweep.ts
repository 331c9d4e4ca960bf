/**
 * Retention of the change log: every minute, the changes older than
 * realtime.retention go, and all but the newest realtime.keep. A client
 * whose Last-Event-ID went with them is told to refetch (`reset`).
 */
import type { RealtimeSettings } from '../../config/types.js';
import type { ChangeFeed } from '../../store/change-log.js';

export const SWEEP_INTERVAL_MS = 60_000;

/** One sweep. */
export function sweepChanges(
  feed: ChangeFeed,
  settings: RealtimeSettings,
  now = Date.now(),
): Promise<number> {
  return feed.purge(new Date(now - settings.retentionSeconds * 1000).toISOString(), settings.keep);
}

/** Sweeps in the background until the returned function is called. */
export function sweepInBackground(
  feed: ChangeFeed,
  settings: RealtimeSettings,
  onError: (error: unknown) => void,
  intervalMs = SWEEP_INTERVAL_MS,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepChanges(feed, settings)
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
