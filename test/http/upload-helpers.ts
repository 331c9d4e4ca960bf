/**
 * Stored state of uploads for the form and upload scenarios: what is on disk
 * under `files/`, whether staging is empty, and a few sample files.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../harness.js';
import { multipart, type Part } from './multipart.js';

/** A complete 1×1 PNG. */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082',
  'hex',
);

/** The browser's Accept for a navigation or form submission. */
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** A PNG padded (after its IEND, which viewers ignore) to exactly `size` bytes. */
export function pngOfSize(size: number): Buffer {
  return Buffer.concat([PNG, Buffer.alloc(size - PNG.length, 0x20)]);
}

/** Names left in `files/.staging` (none once any request has finished). */
export function staged(t: TestApp): string[] {
  const dir = join(t.dir, 'files', '.staging');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Blob names (sidecars left out) stored for one record. */
export function blobsOf(t: TestApp, collection: string, id: string): string[] {
  const dir = join(t.dir, 'files', collection, id);
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')) : [];
}

/** Every committed file under `files/` (sidecars and staging left out), as `collection/id/name`. */
export function allBlobs(t: TestApp): string[] {
  const root = join(t.dir, 'files');
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((p) => !p.split('/').some((seg) => seg.startsWith('.')) && p.split('/').length === 3)
    .sort();
}

/** Asserts nothing is left staged. */
export function assertNoStaging(t: TestApp): void {
  assert.deepEqual(staged(t), [], 'nothing left in files/.staging');
}

/**
 * Asserts staging empties within a moment. For a replayed write the route
 * drops the request's own staged copy only after the replay was sent (see
 * records.ts, `finally { discardUploads }`), so right after such a response
 * the copy may still be there for the time of one unlink.
 */
export async function assertStagingEmptied(t: TestApp, ms = 1000): Promise<void> {
  const until = Date.now() + ms;
  while (staged(t).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  assertNoStaging(t);
}

/** POST (or another method) of a multipart body. */
export function sendMultipart(
  t: TestApp,
  url: string,
  parts: readonly Part[],
  options: { method?: 'POST' | 'PUT'; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const body = multipart(parts);
  return t.request({
    method: options.method ?? 'POST',
    url,
    payload: body.payload,
    headers: { ...body.headers, ...options.headers },
  });
}

/** GET a download; returns the response with its raw bytes. */
export function download(t: TestApp, collection: string, id: string, field: string, name: string) {
  return t.request({
    method: 'GET',
    url: `/api/files/${collection}/${id}/${field}/${encodeURIComponent(name)}`,
  });
}
