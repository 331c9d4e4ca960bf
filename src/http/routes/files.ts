/**
 * `/api/files/{collection}/{id}/{field}/{filename}`: a record's file, served
 * to whoever may view the record, with validators (304), single byte ranges
 * (206/416) and a Content-Disposition carrying the original name.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ByteRange, FileNotFound, type FileStorage, isValidKey } from '../../files/storage.js';
import { findCollection } from '../../service/collections.js';
import { contentDisposition } from '../../util/filename.js';
import { httpDate } from '../../util/http-date.js';
import { Problem } from '../../util/problem.js';
import { parseRange, type RangeRequest, rangeStillValid } from '../../util/range.js';
import { isInlineImage } from '../../util/sniff.js';
import { evaluateRead } from '../conditional.js';
import { serviceDoc } from '../openapi/service-paths.js';
import { addVary, cacheControl, originate, sendStored } from '../respond.js';
import { route } from '../route-table.js';
import type { Services } from '../services.js';

interface FileParams {
  collection: string;
  id: string;
  field: string;
  filename: string;
}

// Even if a browser is sent here directly, the bytes run no script and load nothing
// (the same policy GitHub serves raw files with); inline styles let image viewers lay out.
const SANDBOX = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/** The download path of a stored file. */
export function filePath(collection: string, id: string, field: string, filename: string): string {
  return `/api/files/${[collection, id, field, filename].map(encodeURIComponent).join('/')}`;
}

function notFound(p: FileParams): Problem {
  return new Problem('notFound', `No file "${p.filename}" in ${p.field} of ${p.collection} "${p.id}".`);
}

/** The blob's bytes; a 404 when it was removed since it was looked up. */
async function readOr404(
  storage: FileStorage,
  p: FileParams,
  key: string,
  range?: ByteRange,
): Promise<Readable> {
  try {
    return await storage.read(key, range);
  } catch (error) {
    if (error instanceof FileNotFound) throw notFound(p);
    throw error;
  }
}

function mediaType(type: string): string {
  // Sniffing only calls content text/* when it is valid UTF-8.
  return type.startsWith('text/') ? `${type}; charset=utf-8` : type;
}

/** Register the download route. */
export function fileRoutes(
  app: FastifyInstance,
  services: Pick<Services, 'reader' | 'schema'>,
  storage: FileStorage,
): void {
  async function download(req: FastifyRequest, reply: FastifyReply) {
    const p = req.params as FileParams;
    addVary(reply, 'Authorization', 'Cookie');
    // The view rule decides, exactly as for the record itself: 401/403/404 from here.
    const record = await services.reader.get(req.ctx, p.collection, p.id, { fields: null, expand: [] });
    const field = findCollection(services.schema, p.collection).def.fields[p.field];
    const value = record[p.field];
    const names = Array.isArray(value) ? value : [value];
    const key = `${p.collection}/${p.id}/${p.filename}`;
    if (field?.type !== 'file' || !names.includes(p.filename) || !isValidKey(key)) throw notFound(p);
    const info = await storage.stat(key);
    if (!info) throw notFound(p);

    const lastModified = httpDate(info.mtime);
    const read = { def: findCollection(services.schema, p.collection).def, operation: 'view' as const };
    const validators = {
      etag: info.etag,
      'last-modified': lastModified,
      'cache-control': cacheControl(req, read),
    };
    const decision = evaluateRead(req.headers, info.etag, lastModified);
    if (decision === 'precondition-failed') {
      throw new Problem('preconditionFailed', 'The file does not match the request preconditions.');
    }
    if (decision === 'not-modified') {
      return sendStored(reply, originate(reply, { status: 304, headers: validators, body: '' }));
    }

    // Range is defined for GET only; If-Range turns a stale client's range into the whole file.
    const ifRange = req.headers['if-range'];
    const range: RangeRequest =
      req.method === 'GET' && rangeStillValid(Array.isArray(ifRange) ? '' : ifRange, info.etag, lastModified)
        ? parseRange(req.headers.range, info.size)
        : { kind: 'none' };
    if (range.kind === 'unsatisfiable') {
      throw new Problem('rangeNotSatisfiable', `The file has ${info.size} bytes; that range is outside it.`, {
        headers: { 'Content-Range': `bytes */${info.size}` },
      });
    }
    const partial = range.kind === 'ok';
    const start = partial ? range.start : 0;
    const end = partial ? range.end : info.size - 1;
    const headers: Record<string, string> = {
      ...validators,
      'content-type': mediaType(info.type),
      'content-disposition': contentDisposition(
        isInlineImage(info.type) ? 'inline' : 'attachment',
        info.originalName,
      ),
      'content-length': String(end - start + 1),
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'content-security-policy': SANDBOX,
    };
    if (partial) headers['content-range'] = `bytes ${start}-${end}/${info.size}`;
    // Opened before any header is set, so a blob removed since stat() is still a clean 404.
    // For HEAD an empty stream: Fastify then keeps our Content-Length instead of writing 0.
    const body =
      req.method === 'HEAD'
        ? Readable.from([])
        : await readOr404(storage, p, key, partial ? { start, end } : undefined);
    const response = originate(reply, { status: partial ? 206 : 200, headers, body: '' });
    return reply.code(response.status).headers(response.headers).send(body);
  }

  route(
    app,
    '/api/files/:collection/:id/:field/:filename',
    { GET: download },
    { doc: serviceDoc('/api/files/{collection}/{id}/{field}/{filename}') },
  );
}
