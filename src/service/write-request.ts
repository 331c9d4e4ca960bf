/**
 * One record write as a handler builds it: the method and what that
 * method's writer takes, all but the transaction, which the write path
 * opens. A batch's sub-requests are the same requests.
 */
import type {
  CreateWrite,
  PatchWrite,
  RecordWriter,
  RemoveWrite,
  ReplaceWrite,
  WriteOutcome,
} from './record-writes.js';
import type { WriteScope } from './write-scope.js';

export type RecordWrite =
  | ({ method: 'POST' } & Omit<CreateWrite, 'scope'>)
  | ({ method: 'PUT' } & Omit<ReplaceWrite, 'scope'>)
  | ({ method: 'PATCH' } & Omit<PatchWrite, 'scope'>)
  | ({ method: 'DELETE' } & Omit<RemoveWrite, 'scope'>);

/** Run one record write in the transaction of `scope`. */
export function performRecordWrite(
  writer: RecordWriter,
  write: RecordWrite,
  scope: WriteScope,
): Promise<WriteOutcome> {
  switch (write.method) {
    case 'POST':
      return writer.create({ ...write, scope });
    case 'PUT':
      return writer.replace({ ...write, scope });
    case 'PATCH':
      return writer.patch({ ...write, scope });
    case 'DELETE':
      return writer.remove({ ...write, scope });
  }
}
