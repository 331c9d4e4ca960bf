/** The service objects the HTTP layer calls, built once by createApp. */
import type { Config } from '../config/types.js';
import type { FileStorage } from '../files/storage.js';
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { AdminSetup } from '../service/admin-setup.js';
import type { AuthService } from '../service/auth.js';
import type { WriteRunner } from '../service/idempotent-write.js';
import type { RealtimeStreams } from '../service/realtime/streams.js';
import type { RecordReader } from '../service/record-reader.js';
import type { RecordWriter } from '../service/record-writes.js';
import type { Store } from '../store/store.js';
import type { WriteContext } from './write-answer.js';

export interface Services {
  config: Config;
  store: Store;
  files: FileStorage;
  schema: ReadonlyMap<string, CompiledCollection>;
  reader: RecordReader;
  writer: RecordWriter;
  auth: AuthService;
  /** The first administrator, through the setup link `serve` prints. */
  setup: AdminSetup;
  /** Live changes (GET /api/realtime). */
  realtime: RealtimeStreams;
  /** The one write path, rendering through write-answer.ts's renderer. */
  runner: WriteRunner<WriteContext>;
}
