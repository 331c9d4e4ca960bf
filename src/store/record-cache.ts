/**
 * What reads of one record made of it (its JSON and ETag), kept so the next
 * read of the same record skips the SELECT, the JSON and the hash.
 *
 * An entry is keyed by collection, id and variant (the caller's view of the
 * record, chosen by the reader: the cache never compares callers itself).
 * It is bounded in bytes, least recently used first out. The adapter drops
 * a record's entries once a transaction that wrote the record has committed
 * (a rolled-back one changes nothing), and clears the whole cache when it
 * cannot tell what changed (another process wrote, a migration ran).
 *
 * On PostgreSQL other nodes write without telling: there each entry holds
 * the row's version and is used only once the database says it is still
 * the current one (record-reader.ts).
 *
 * A read that overlaps such a drop must not store what it read, which may be
 * the record before the write: `stamp()` before reading, `put` with that
 * stamp after, and the put is refused when anything was dropped in between.
 */

/** What one read of a record produced. */
export interface CachedRecord {
  readonly json: string;
  readonly etag: string;
  /** The record's `updated`, when it has one. */
  readonly updated: string | undefined;
  /** `updated` as an HTTP date (Last-Modified), formatted once. */
  readonly lastModified: string | undefined;
  /**
   * The database's version of the row it was made from, on a store whose
   * entries are checked against the database before each use (PostgreSQL,
   * where other nodes write); undefined where the store's own drops keep
   * them exact (SQLite).
   */
  readonly version?: string;
}

/** Bytes kept at most by default: a few thousand typical records, little next to the RSS target. */
export const DEFAULT_RECORD_CACHE_BYTES = 4 * 1024 * 1024;
/** Counted per entry beside its JSON and ETag: the key, the dates and the Map's own bookkeeping. */
const ENTRY_OVERHEAD = 160;

export class RecordCache {
  private readonly entries = new Map<string, CachedRecord>();
  /** The variants ever stored, so dropping a record drops each of its entries. */
  private readonly variants = new Set<string>();
  private bytes = 0;
  private generation = 0;

  /** `maxBytes` 0 keeps nothing. */
  constructor(private readonly maxBytes = DEFAULT_RECORD_CACHE_BYTES) {}

  get size(): number {
    return this.entries.size;
  }

  /** Bytes the entries count for (their JSON's length plus a fixed overhead each). */
  get usedBytes(): number {
    return this.bytes;
  }

  /** Moves on every drop: a put made with an older stamp is refused. */
  stamp(): number {
    return this.generation;
  }

  /** The entry, marked recently used. */
  get(collection: string, id: string, variant: string): CachedRecord | undefined {
    const key = keyOf(collection, id, variant);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** Keep an entry read since `stamp`; false (and nothing kept) when a drop came in between or it is too large. */
  put(collection: string, id: string, variant: string, entry: CachedRecord, stamp: number): boolean {
    if (stamp !== this.generation) return false;
    const size = sizeOf(entry);
    // One entry may take an eighth of the budget: a huge record would otherwise evict everything.
    if (size * 8 > this.maxBytes) return false;
    const key = keyOf(collection, id, variant);
    this.remove(key);
    this.variants.add(variant);
    this.entries.set(key, entry);
    this.bytes += size;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest);
    }
    return true;
  }

  /** Drop every entry of one record. */
  drop(collection: string, id: string): void {
    this.generation++;
    for (const variant of this.variants) this.remove(keyOf(collection, id, variant));
  }

  /** Drop every entry. */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytes -= sizeOf(entry);
  }
}

function keyOf(collection: string, id: string, variant: string): string {
  return `${collection}\u0000${id}\u0000${variant}`;
}

function sizeOf(entry: CachedRecord): number {
  return entry.json.length + entry.etag.length + ENTRY_OVERHEAD;
}
