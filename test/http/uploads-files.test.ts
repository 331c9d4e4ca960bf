/**
 * PRODUCT.md, Forms and files + Details: Files; HTTP.md, Files. maxSize
 * (413) and accept (by content: 422 file_type), safe generated names with the
 * original kept for Content-Disposition (RFC 6266 / 8187), the download
 * round trip, and inline for images only.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { UserConfig } from '../../src/config/types.js';
import { json, PUBLIC_RULES, type TestApp, testApp } from '../harness.js';
import { assertProblem, mediaType, stored } from './helpers.js';
import {
  allBlobs,
  assertNoStaging,
  BROWSER_ACCEPT,
  blobsOf,
  download,
  PNG,
  pngOfSize,
  sendMultipart,
} from './upload-helpers.js';

const MAX = 1024;

const CONFIG: UserConfig = {
  collections: {
    docs: {
      fields: {
        title: { type: 'text', max: 20 },
        photo: { type: 'file', maxSize: MAX, accept: ['image/png'] },
        attachment: { type: 'file', maxSize: 1024 * 1024 },
      },
      rules: PUBLIC_RULES,
    },
  },
};

const STORED_NAME = /^[A-Za-z0-9_-]+_[a-z0-9]{10}\.[a-z0-9]+$/;

/** Upload one file into `field`; returns the created record. */
async function upload(t: TestApp, field: string, filename: string, data: Buffer, type?: string) {
  const res = await sendMultipart(t, '/api/docs', [{ name: field, filename, data, type }]);
  assert.equal(res.statusCode, 201, res.body);
  return json(res);
}

describe('uploads: size, type and names', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(CONFIG);
  });
  after(() => t.close());

  test('a file of exactly maxSize is accepted and stored whole', async () => {
    const bytes = pngOfSize(MAX);
    const record = await upload(t, 'photo', 'edge.png', bytes, 'image/png');
    assert.match(String(record.photo), /^edge_[a-z0-9]{10}\.png$/);
    const path = join(t.dir, 'files', 'docs', String(record.id), String(record.photo));
    assert.equal(statSync(path).size, MAX);
    assert.ok(readFileSync(path).equals(bytes));
    assertNoStaging(t);
  });

  for (const accept of ['application/json', BROWSER_ACCEPT]) {
    test(`one byte over maxSize → 413 (${accept.split(',')[0]}), nothing stored, nothing staged`, async () => {
      const before = { records: (await stored(t, 'docs')).length, blobs: allBlobs(t) };
      const res = await sendMultipart(
        t,
        '/api/docs',
        [
          { name: 'title', value: 'too big' },
          { name: 'photo', filename: 'big.png', data: pngOfSize(MAX + 1), type: 'image/png' },
        ],
        { headers: { accept } },
      );
      assert.equal(res.statusCode, 413);
      assert.equal(
        res.headers.connection,
        'close',
        'the rest of the body is not read on a kept-alive connection',
      );
      if (accept === BROWSER_ACCEPT) {
        assert.equal(mediaType(res), 'text/html');
        assert.match(res.body, /<strong>photo<\/strong>: must be at most 1024 bytes/);
      } else {
        const problem = assertProblem(res, 413, { detail: /photo.*1024 bytes/ });
        assert.deepEqual(problem.errors, [
          { field: 'photo', code: 'file_size', message: 'must be at most 1024 bytes' },
        ]);
      }
      assert.equal((await stored(t, 'docs')).length, before.records);
      assert.deepEqual(allBlobs(t), before.blobs);
      assertNoStaging(t);
    });
  }

  test('a real PNG named photo.txt, sent as text/plain, is stored as a PNG', async () => {
    const record = await upload(t, 'photo', 'photo.txt', PNG, 'text/plain');
    assert.match(String(record.photo), /^photo_[a-z0-9]{10}\.png$/);
    const res = await download(t, 'docs', String(record.id), 'photo', String(record.photo));
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.equal(
      res.headers['content-disposition'],
      `inline; filename="photo.txt"; filename*=UTF-8''photo.txt`,
    );
    assert.ok(res.rawPayload.equals(PNG));
  });

  test('text named x.png and sent as image/png is refused 422 file_type, with every other problem', async () => {
    const before = allBlobs(t);
    const res = await sendMultipart(t, '/api/docs', [
      { name: 'title', value: 'x'.repeat(21) },
      { name: 'photo', filename: 'x.png', data: 'just some text, honestly\n', type: 'image/png' },
    ]);
    const problem = assertProblem(res, 422);
    const errors = problem.errors as { field: string; code: string; message: string }[];
    assert.deepEqual(
      errors.map((e) => [e.field, e.code]),
      [
        ['title', 'max'],
        ['photo', 'file_type'],
      ],
    );
    assert.match(errors[1].message, /image\/png.*text\/plain/);
    assert.deepEqual(allBlobs(t), before);
    assertNoStaging(t);
  });

  const NAMES = [
    { sent: '../../etc/passwd.png', base: 'passwd', shown: 'passwd.png' },
    { sent: 'a\\b.png', base: 'b', shown: 'b.png' },
    { sent: 'C:\\Users\\me\\cat.png', base: 'cat', shown: 'cat.png' },
    { sent: 'nul\0byte.png', base: 'nulbyte', shown: 'nulbyte.png' },
    { sent: 'tab\there.png', base: 'tabhere', shown: 'tabhere.png' },
    { sent: 'résumé ünïcode.png', base: 'resume_unicode', shown: 'résumé ünïcode.png' },
    { sent: '.htaccess', base: 'htaccess', shown: 'htaccess' },
    { sent: 'evil\u202egnp.exe', base: 'evilgnp', shown: 'evilgnp.exe' },
    { sent: 'say \\"hi\\";.png', base: 'say_hi', shown: 'say "hi";.png' },
  ];
  for (const row of NAMES) {
    test(`filename ${JSON.stringify(row.sent)}: stored as ${row.base}_XXXXXXXXXX.png, shown as ${JSON.stringify(row.shown)}`, async () => {
      const record = await upload(t, 'photo', row.sent, PNG, 'image/png');
      const name = String(record.photo);
      assert.match(name, new RegExp(`^${row.base}_[a-z0-9]{10}\\.png$`));
      assert.match(name, STORED_NAME);
      assert.deepEqual(
        blobsOf(t, 'docs', String(record.id)),
        [name],
        'the generated name on disk, nothing else',
      );

      const res = await download(t, 'docs', String(record.id), 'photo', name);
      assert.equal(res.statusCode, 200);
      const disposition = String(res.headers['content-disposition']);
      const match =
        /^inline; filename="((?:[^"\\]|\\.)*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+.^_`|~%-]*)$/.exec(
          disposition,
        );
      assert.ok(match, disposition);
      const fallback = match[1].replace(/\\(.)/g, '$1');
      assert.match(fallback, /^[\x20-\x7e]*$/, 'an ASCII fallback');
      assert.equal(decodeURIComponent(match[2]), row.shown, 'filename* carries the original, UTF-8');
      for (const shown of [fallback, row.shown]) {
        assert.doesNotMatch(shown, /[/\\]|\p{Cc}/u, 'no path pieces or controls');
      }
    });
  }

  test('non-ASCII names fall back to ASCII in filename and keep UTF-8 in filename*', async () => {
    const record = await upload(t, 'photo', 'résumé ünïcode.png', PNG, 'image/png');
    const res = await download(t, 'docs', String(record.id), 'photo', String(record.photo));
    assert.equal(
      res.headers['content-disposition'],
      `inline; filename="resume unicode.png"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%C3%BCn%C3%AFcode.png`,
    );
  });

  test('the stored name and the ASCII filename transliterate alike: évil name.png reads evil in both', async () => {
    const record = await upload(t, 'photo', 'évil name.png', PNG, 'image/png');
    const name = String(record.photo);
    assert.match(name, /^evil_name_[a-z0-9]{10}\.png$/);
    assert.deepEqual(blobsOf(t, 'docs', String(record.id)), [name]);
    const res = await download(t, 'docs', String(record.id), 'photo', name);
    assert.equal(res.statusCode, 200);
    assert.equal(
      res.headers['content-disposition'],
      `inline; filename="evil name.png"; filename*=UTF-8''%C3%A9vil%20name.png`,
    );
  });

  test('download round trip: byte for byte, with type, length and validators', async () => {
    const bytes = randomBytes(200_000);
    bytes[0] = 0; // Never mistaken for a known format by chance.
    const record = await upload(t, 'attachment', 'data.bin', bytes);
    assert.match(String(record.attachment), /^data_[a-z0-9]{10}\.bin$/);
    const res = await download(t, 'docs', String(record.id), 'attachment', String(record.attachment));
    assert.equal(res.statusCode, 200);
    assert.ok(res.rawPayload.equals(bytes), 'same bytes');
    assert.equal(res.headers['content-length'], String(bytes.length));
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.match(String(res.headers.etag), /^"[^"]+"$/);
    assert.ok(res.headers['last-modified']);
    const again = await t.request({
      method: 'GET',
      url: `/api/files/docs/${record.id}/attachment/${record.attachment}`,
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
    const part = await t.request({
      method: 'GET',
      url: `/api/files/docs/${record.id}/attachment/${record.attachment}`,
      headers: { range: 'bytes=100-199' },
    });
    assert.equal(part.statusCode, 206);
    assert.ok(part.rawPayload.equals(bytes.subarray(100, 200)));
  });

  const KINDS = [
    { name: 'a PNG', file: 'p.png', data: PNG, type: 'image/png', disposition: 'inline' },
    {
      name: 'a JPEG',
      file: 'j.jpg',
      data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]),
      type: 'image/jpeg',
      disposition: 'inline',
    },
    {
      name: 'a GIF',
      file: 'g.gif',
      data: Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'),
      type: 'image/gif',
      disposition: 'inline',
    },
    {
      name: 'an SVG (can carry script)',
      file: 's.svg',
      data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      type: 'image/svg+xml',
      disposition: 'attachment',
    },
    {
      name: 'a PDF',
      file: 'd.pdf',
      data: Buffer.from('%PDF-1.7\n%%EOF\n'),
      type: 'application/pdf',
      disposition: 'attachment',
    },
    {
      name: 'plain text',
      file: 'n.txt',
      data: Buffer.from('hello\n'),
      type: 'text/plain; charset=utf-8',
      disposition: 'attachment',
    },
    {
      name: 'HTML (served as text)',
      file: 'x.html',
      data: Buffer.from('<script>alert(1)</script>'),
      type: 'text/plain; charset=utf-8',
      disposition: 'attachment',
    },
  ];
  for (const row of KINDS) {
    test(`${row.name} is served ${row.disposition} as ${row.type}`, async () => {
      const record = await upload(t, 'attachment', row.file, row.data, 'application/octet-stream');
      const res = await download(t, 'docs', String(record.id), 'attachment', String(record.attachment));
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], row.type);
      assert.equal(String(res.headers['content-disposition']).split(';')[0], row.disposition);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.ok(res.rawPayload.equals(row.data));
    });
  }

  test('a file part for a field that is not a file field is a 422, and nothing is kept', async () => {
    const before = allBlobs(t);
    const res = await sendMultipart(t, '/api/docs', [{ name: 'title', filename: 'a.png', data: PNG }]);
    const problem = assertProblem(res, 422);
    assert.deepEqual(
      (problem.errors as { field: string; code: string }[]).map((e) => [e.field, e.code]),
      [['title', 'unknown_field']],
    );
    assert.deepEqual(allBlobs(t), before);
    assertNoStaging(t);
  });

  test('an empty file input (no filename, no bytes) leaves the field empty', async () => {
    const res = await sendMultipart(t, '/api/docs', [
      { name: 'title', value: 'no file' },
      { name: 'photo', filename: '', data: Buffer.alloc(0) },
    ]);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(json(res).photo, null);
    assertNoStaging(t);
  });

  test('an edit form keeps the current file in a hidden field; a file chosen beside it replaces it', async () => {
    const first = await upload(t, 'photo', 'first.png', PNG, 'image/png');
    const id = first.id as string;
    const kept = first.photo as string;
    // No new file (an empty file input): the hidden field keeps the file.
    const same = await sendMultipart(
      t,
      `/api/docs/${id}`,
      [
        { name: 'title', value: 'kept' },
        { name: 'photo', value: kept },
        { name: 'photo', filename: '', data: Buffer.alloc(0) },
      ],
      { method: 'PUT' },
    );
    assert.equal(same.statusCode, 200, same.body);
    assert.equal(json(same).photo, kept);
    assert.deepEqual(blobsOf(t, 'docs', id), [kept]);
    // A new file beside the hidden one: the new one is the field's value, the old one leaves the disk.
    const replaced = await sendMultipart(
      t,
      `/api/docs/${id}`,
      [
        { name: 'title', value: 'replaced' },
        { name: 'photo', value: kept },
        { name: 'photo', filename: 'second.png', data: pngOfSize(200), type: 'image/png' },
      ],
      { method: 'PUT' },
    );
    assert.equal(replaced.statusCode, 200, replaced.body);
    const now = json(replaced).photo as string;
    assert.match(now, /^second_[a-z0-9]{10}\.png$/);
    assert.deepEqual(blobsOf(t, 'docs', id), [now]);
    // Two new files for a one-file field are still two values: 422, nothing changes.
    const two = await sendMultipart(
      t,
      `/api/docs/${id}`,
      [
        { name: 'photo', filename: 'a.png', data: PNG, type: 'image/png' },
        { name: 'photo', filename: 'b.png', data: PNG, type: 'image/png' },
      ],
      { method: 'PUT' },
    );
    assertProblem(two, 422, { detail: /photo/ });
    assert.deepEqual(blobsOf(t, 'docs', id), [now]);
    assertNoStaging(t);
  });
});
