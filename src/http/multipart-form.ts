/**
 * Reading multipart/form-data: text fields into name → values, file parts
 * streamed into staged blobs (never held in memory), checked against
 * `maxSize` while they stream and against `accept` by their content; and
 * the parser's own failures as problems that say what was wrong.
 */
import type { MultipartValue } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { type FileStorage, FileTooLarge } from '../files/storage.js';
import type { CompiledCollection } from '../schema/compile-collection.js';
import type { StagedUpload } from '../service/uploads.js';
import { sanitizeFilename, storedFilename } from '../util/filename.js';
import { type FieldIssue, overLimit, Problem } from '../util/problem.js';
import { acceptMatches, sniffType } from '../util/sniff.js';
import { addValue, isForm } from './plugins/body.js';

export interface FormLimits {
  multipart: number;
  parts: number;
  fieldSize: number;
  /** The text fields together become a record, which may be no larger than a JSON body. */
  json: number;
}

/** A form as read: name → values, with the files it carried staged. */
export interface ReadForm {
  fields: Record<string, string[]>;
  /** Files staged from file parts; whoever reads the form discards what is not committed. */
  uploads: StagedUpload[];
  /** A file for a field that takes none, or of a type `accept` refuses: reported with the record's problems. */
  fileIssues: FieldIssue[];
}

export interface MultipartOptions {
  /**
   * Called once, before the first file part of a file field, with the text
   * fields read so far: it throws to refuse the upload before a byte of it
   * is stored, or returns false to read the files without keeping any.
   */
  beforeFile?: (fields: Record<string, string[]>) => Promise<boolean>;
}

/** Read a multipart body, staging its files for `compiled`'s file fields. */
export async function readMultipartForm(
  req: FastifyRequest,
  compiled: CompiledCollection,
  storage: FileStorage,
  limits: FormLimits,
  options: MultipartOptions = {},
): Promise<ReadForm> {
  checkBoundary(req);
  const fields: Record<string, string[]> = Object.create(null);
  const uploads: StagedUpload[] = [];
  const issues: FieldIssue[] = [];
  let received = 0;
  let text = 0;
  let asked = false;
  let keepFiles = true;
  /** One-file fields that received an upload: text values for them no longer count. */
  const replaced = new Set<string>();
  try {
    const parts = req.parts({
      limits: { parts: limits.parts, fieldSize: limits.fieldSize, fileSize: limits.multipart },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        const value = fieldValue(part, limits);
        // Refused as soon as the text outgrows any record it could make, rather than held and refused later.
        text += Buffer.byteLength(value);
        if (text > limits.json) {
          throw overLimit(
            'payloadTooLarge',
            `The form's text fields together are larger than the ${limits.json} bytes a record may hold (limits.json).`,
            'limits.json',
            { headers: { Connection: 'close' } },
          );
        }
        // A kept file's name beside a new upload for a one-file field: the upload replaces it.
        if (!replaced.has(part.fieldname)) addValue(fields, part.fieldname, value);
        continue;
      }
      const def = compiled.def.fields[part.fieldname];
      if (def?.type !== 'file') {
        part.file.resume(); // A file for a field that takes none (or an empty file input).
        if (part.filename !== '') {
          issues.push({ field: part.fieldname, code: 'unknown_field', message: 'is not a file field' });
        }
        continue;
      }
      if (!asked) {
        asked = true;
        keepFiles = (await options.beforeFile?.(fields)) ?? true;
      }
      if (!keepFiles) {
        part.file.resume();
        continue;
      }
      let staged: Awaited<ReturnType<FileStorage['stage']>>;
      const serverMax = Math.min(def.maxSize ?? limits.multipart, limits.multipart);
      // `multipart` bounds the whole request: later files get what the earlier ones left.
      const budget = limits.multipart - received;
      try {
        staged = await storage.stage(part.file, Math.min(def.maxSize ?? limits.multipart, budget));
      } catch (error) {
        // Our own limit, or the multipart parser's overall one, whichever the stream hit first.
        if (error instanceof FileTooLarge && budget < serverMax) {
          throw overLimit(
            'payloadTooLarge',
            `The files of this request together exceed the ${limits.multipart} bytes a request may carry (limits.multipart).`,
            'limits.multipart',
            { headers: { Connection: 'close' } },
          );
        }
        if (error instanceof FileTooLarge) throw fileTooLarge(part.fieldname, error.maxSize);
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          throw fileTooLarge(part.fieldname, serverMax);
        }
        throw error;
      }
      if (part.file.truncated) {
        // The parser stops a file at the server-wide limit by ending it early, not by failing:
        // what was staged is only the first `multipart` bytes, so it is refused here.
        await storage.discard(staged.token);
        throw fileTooLarge(part.fieldname, serverMax);
      }
      received += staged.size;
      if (part.filename === '' && staged.size === 0) {
        // An empty file input. (A name like `..` also arrives empty, but with bytes: that file is kept.)
        await storage.discard(staged.token);
        continue;
      }
      const sniffed = sniffType(staged.head);
      if (def.accept && !acceptMatches(sniffed.type, def.accept)) {
        await storage.discard(staged.token);
        issues.push({
          field: part.fieldname,
          code: 'file_type',
          message: `must be ${def.accept.join(' or ')}; the uploaded file is ${sniffed.type}`,
        });
        continue;
      }
      const storedName = storedFilename(part.filename, sniffed.ext);
      // Two uploads for a one-file field stay two values (a 422 says so).
      if (def.multiple || replaced.has(part.fieldname)) addValue(fields, part.fieldname, storedName);
      else {
        // An edit form keeps the current file in a hidden field; a file chosen beside it replaces it.
        fields[part.fieldname] = [storedName];
        replaced.add(part.fieldname);
      }
      uploads.push({
        field: part.fieldname,
        token: staged.token,
        storedName,
        type: sniffed.type,
        originalName: sanitizeFilename(part.filename),
        size: staged.size,
        sha1: staged.sha1,
      });
    }
    return { fields, uploads, fileIssues: issues };
  } catch (error) {
    await Promise.all(uploads.map((u) => storage.discard(u.token)));
    throw parserProblem(error, limits) ?? error;
  }
}

/** RFC 2046 §5.1.1: a boundary is 1 to 70 characters. */
const MAX_BOUNDARY = 70;

/** 400 for a multipart Content-Type whose boundary no conforming sender would use. */
export function checkBoundary(req: FastifyRequest): void {
  const type = req.headers['content-type'] ?? '';
  const match = /;\s*boundary=(?:"([^"]*)"|([^;\s]*))/i.exec(type);
  const boundary = match ? (match[1] ?? match[2]) : undefined;
  if (boundary === undefined || boundary === '') {
    throw new Problem('badRequest', 'The multipart/form-data Content-Type has no boundary parameter.');
  }
  if (boundary.length > MAX_BOUNDARY) {
    throw new Problem(
      'badRequest',
      `The multipart boundary is ${boundary.length} characters long; RFC 2046 allows at most ${MAX_BOUNDARY}.`,
    );
  }
}

/** A 413 naming the file field and the limit it went over. */
function fileTooLarge(field: string, maxSize: number): Problem {
  return new Problem(
    'payloadTooLarge',
    `The file for "${field}" is larger than the ${maxSize} bytes this field accepts.`,
    {
      headers: { Connection: 'close' },
      errors: [{ field, code: 'file_size', message: `must be at most ${maxSize} bytes` }],
    },
  );
}

/**
 * The multipart parser's own errors, as problems that say what was wrong.
 * Its limit errors say only "reach parts limit" (rendered as a bare 413), and
 * its errors for a malformed body carry no status at all, so they would
 * otherwise be a 500 for what is the client's mistake.
 */
export function parserProblem(error: unknown, limits: FormLimits): Problem | undefined {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return overLimit(
      'payloadTooLarge',
      `The form has more than the ${limits.parts} parts (fields and files) a form may hold (limits.parts).`,
      'limits.parts',
      { headers: { Connection: 'close' } },
    );
  }
  if (message === 'Multipart: Boundary not found') {
    return new Problem('badRequest', 'The multipart/form-data Content-Type has no boundary parameter.');
  }
  if (
    typeof message === 'string' &&
    (message === 'Unexpected end of multipart data' ||
      message.endsWith('terminated early due to unexpected end of multipart data'))
  ) {
    return new Problem('badRequest', 'The multipart body ended before its closing boundary.');
  }
  return undefined;
}

/** A text part's value; the parser cuts a value at fieldSize and goes on, and storing the cut text would lose data silently. */
function fieldValue(part: MultipartValue, limits: FormLimits): string {
  if (part.valueTruncated || part.fieldnameTruncated) {
    throw overLimit(
      'payloadTooLarge',
      `The form field "${part.fieldname}" is longer than the ${limits.fieldSize} bytes a form field may hold (limits.fieldSize).`,
      'limits.fieldSize',
      { headers: { Connection: 'close' } },
    );
  }
  return String(part.value);
}

export interface PlainFormOptions {
  /** A file part: skipped (the default: login and register ignore them) or refused with a 400. */
  files?: 'ignore' | 'refuse';
}

/** A form without files (login, logout, register, custom routes): name → values, from urlencoded or multipart. */
export async function readPlainForm(
  req: FastifyRequest,
  limits: FormLimits,
  options: PlainFormOptions = {},
): Promise<Record<string, string[]> | undefined> {
  if (isForm(req.body)) return req.body.fields;
  if (!req.isMultipart()) return undefined;
  checkBoundary(req);
  const fields: Record<string, string[]> = Object.create(null);
  try {
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        addValue(fields, part.fieldname, fieldValue(part, limits));
        continue;
      }
      part.file.resume(); // These forms take no files.
      // An empty file input sends a part without a name or bytes: that is no file.
      if (options.files === 'refuse' && part.filename !== '') {
        throw new Problem(
          'badRequest',
          `This route takes no files; the form sent one in "${part.fieldname}".`,
          {
            headers: { Connection: 'close' },
          },
        );
      }
    }
  } catch (error) {
    if (error instanceof Problem) throw error;
    // Only the parser runs in this loop: whatever it could not read is the client's mistake.
    throw (
      parserProblem(error, limits) ??
      new Problem('badRequest', `The multipart body could not be read: ${(error as Error).message}.`)
    );
  }
  return fields;
}
