/**
 * An explicit young-generation collection, for long streams of short-lived
 * buffers (uploads): V8 counts their memory as "external" and lets tens of
 * MiB pile up before collecting on its own. A scavenge every few MiB keeps
 * a 100 MiB upload's footprint flat, for about a millisecond each.
 */
import { pipeline, type Readable, Transform } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let gc: Gc | null | undefined;

function collector(): Gc | null {
  if (gc !== undefined) return gc;
  try {
    // `gc` is exposed to contexts created after the flag is set.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as Gc;
  } catch {
    gc = null;
  }
  return gc;
}

/** Collect short-lived garbage now (a no-op where the runtime does not allow it). */
export function collectYoungGarbage(): void {
  collector()?.({ type: 'minor' });
}

const EVERY = 4 * 1024 * 1024;

/** Whether passing from `before` to `after` bytes crossed a collection point. */
export function crossesCollectionPoint(before: number, after: number): boolean {
  return Math.floor(after / EVERY) > Math.floor(before / EVERY);
}

/** The same bytes, with short-lived garbage collected every few MiB that pass (large downloads). */
export function collectingAlong(source: Readable): Readable {
  let seen = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (crossesCollectionPoint(seen, seen + chunk.length)) collectYoungGarbage();
      seen += chunk.length;
      callback(null, chunk);
    },
  });
  // pipeline passes a source error on to `tap` (and so to whoever reads it).
  pipeline(source, tap, () => {});
  return tap;
}
