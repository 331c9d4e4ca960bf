/**
 * One live stream, from its topics to its end: the replay of what the
 * client missed (after Last-Event-ID), then the live changes, with nothing
 * lost and nothing twice. The stream listens to the hub before it replays,
 * holding back what arrives meanwhile, and keeps the place of the last
 * change it has passed: everything at or before it is skipped, whichever
 * way it comes. No HTTP in here: the sink is the wire.
 */
import type { RealtimeSettings } from '../../config/types.js';
import type { CompiledCollection } from '../../schema/compile-collection.js';
import { type Change, type ChangeCursor, type ChangeFeed, compareCursors } from '../../store/change-log.js';
import type { RequestContext } from '../context.js';
import { Audience, parseTopics, type RealtimeEvent } from './audience.js';
import type { ChangeHub } from './hub.js';

/** Where a stream's events go. */
export interface EventSink {
  send(event: RealtimeEvent): void;
  /** The client must refetch: what it missed is no longer in the log (or too much to replay). */
  reset(id: number): void;
  /** Everything up to change `id` has been passed on (so a reconnect starts there). */
  position(id: number): void;
  /** Closed by the client, by the server, or for falling too far behind. */
  readonly closed: boolean;
  onClose(listener: () => void): void;
  close(): void;
}

export interface RealtimeDeps {
  schema: ReadonlyMap<string, CompiledCollection>;
  feed: ChangeFeed;
  hub: ChangeHub;
  settings: RealtimeSettings;
}

/** Replay reads this many changes at a time. */
const REPLAY_PAGE = 500;

export class RealtimeStreams {
  constructor(private readonly deps: RealtimeDeps) {}

  /** Checks the topics and the caller's right to each (400, 404, 401, 403), before any byte is sent. */
  audience(ctx: RequestContext, topics: unknown): Audience {
    const { schema, settings } = this.deps;
    return new Audience(schema, ctx, parseTopics(topics, schema, settings.topics));
  }

  /**
   * Runs the stream until the sink closes; a failure closes it (the client
   * reconnects where it was). `listening` is called once the stream hears
   * every change committed from then on: the answer's head goes out only
   * then, so a client that sees the stream open misses no later write.
   */
  async run(
    audience: Audience,
    since: number | undefined,
    sink: EventSink,
    listening: () => void = () => {},
  ): Promise<void> {
    try {
      await this.stream(audience, since, sink, listening);
    } catch {
      sink.close();
    }
  }

  private async stream(
    audience: Audience,
    since: number | undefined,
    sink: EventSink,
    listening: () => void,
  ): Promise<void> {
    const { hub, feed, settings } = this.deps;
    let last: ChangeCursor | null = null;
    let held: Change[] | null = [];
    let overflow = false;
    const pass = (changes: readonly Change[]) => {
      for (const change of changes) {
        if (sink.closed) return;
        if (last !== null && compareCursors(change, last) <= 0) continue;
        last = change;
        const event = audience.event(change);
        if (event) sink.send(event);
      }
    };
    const subscription = await hub.subscribe((changes) => {
      if (held === null) pass(changes);
      else if (held.length + changes.length > settings.replay) overflow = true;
      else held.push(...changes);
    });
    sink.onClose(subscription.stop);
    if (sink.closed) return subscription.stop();
    listening();
    const live = subscription.cursor;
    if (since === undefined) {
      last = live;
      if (live.seq > 0) sink.position(live.seq);
    } else {
      const from = await feed.locate(since);
      if (from === undefined) {
        last = live;
        sink.reset(live.seq);
      } else {
        last = from;
        if (compareCursors(from, live) < 0 && !(await this.replay(from, live, pass))) {
          last = live;
          sink.reset(live.seq);
        }
      }
    }
    const waiting = held;
    held = null;
    if (overflow) {
      // Too much arrived during the replay to hold: the client refetches from here.
      last = hub.cursor;
      sink.reset(last.seq);
    } else pass(waiting);
  }

  /** Passes the changes after `from` up to `upTo`; false when there are more than a replay may hold. */
  private async replay(
    from: ChangeCursor,
    upTo: ChangeCursor,
    pass: (changes: readonly Change[]) => void,
  ): Promise<boolean> {
    let cursor = from;
    let count = 0;
    for (;;) {
      const batch = await this.deps.feed.read(cursor, REPLAY_PAGE);
      const inRange = batch.changes.filter((change) => compareCursors(change, upTo) <= 0);
      count += inRange.length;
      if (count > this.deps.settings.replay) return false;
      pass(inRange);
      const next = batch.changes.at(-1);
      if (!next || inRange.length < batch.changes.length || !batch.more) return true;
      cursor = next;
    }
  }
}
