/**
 * Live changes for a screen: the browser's own EventSource on one topic of
 * GET /api/realtime (a collection, or one record of it), with the session
 * cookie. EventSource reconnects by itself and sends Last-Event-ID, so the
 * server replays what was missed; `reset` (too much missed) reaches the
 * screen as a change of unknown kind, on which it reads afresh. So does the
 * stream's first opening: what changed between the screen's first read and
 * the stream's start is not in the stream.
 */
import { useEffect, useRef } from 'preact/hooks';

export type LiveKind = 'create' | 'update' | 'delete' | 'reset';

export interface LiveChange {
  kind: LiveKind;
  /** The record's id (none on reset). */
  id?: string;
  /** The record's ETag as this admin would GET it (create and update). */
  etag?: string;
}

const KINDS: LiveKind[] = ['create', 'update', 'delete', 'reset'];

function parse(kind: LiveKind, data: string): LiveChange {
  if (kind === 'reset') return { kind };
  try {
    const body = JSON.parse(data) as { id?: unknown; etag?: unknown };
    return {
      kind,
      id: typeof body.id === 'string' ? body.id : undefined,
      etag: typeof body.etag === 'string' ? body.etag : undefined,
    };
  } catch {
    return { kind: 'reset' };
  }
}

/** Calls `onChange` for each change of `topic` while the screen is shown (the latest `onChange`). */
export function useLive(topic: string | null, onChange: (change: LiveChange) => void): void {
  const handler = useRef(onChange);
  handler.current = onChange;
  useEffect(() => {
    if (topic === null || typeof EventSource !== 'function') return;
    const source = new EventSource(`/api/realtime?topics=${encodeURIComponent(topic)}`);
    const listener = (event: Event) => {
      const kind = event.type as LiveKind;
      handler.current(parse(kind, (event as MessageEvent<string>).data ?? ''));
    };
    for (const kind of KINDS) source.addEventListener(kind, listener);
    let first = true;
    source.addEventListener('open', () => {
      if (first) handler.current({ kind: 'reset' });
      first = false;
    });
    return () => source.close();
  }, [topic]);
}

/** `fn` once, `ms` after the first call of a burst: a steady stream of calls still runs it every `ms`. */
export function useDebounced(fn: () => void, ms: number): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  };
}
