/**
 * Plain HTML forms in a real browser: Post/Redirect/Get, a double click
 * that makes one record, validation errors as a page, and a file input.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { PUBLIC_RULES } from '../harness.js';
import { browserSkipReason, launchBrowser, type ServedApp, serveApp } from './browser.js';

const skip = browserSkipReason();
if (skip) console.log(skip);

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082',
  'hex',
);

const FORM = `<!doctype html><html><head><meta charset="utf-8"><title>Sign up</title></head><body>
<form method="POST" action="/api/signups">
  <input type="hidden" name="_redirect" value="/thanks.html">
  <input type="hidden" name="_idempotency_key" value="form-123">
  <label>Email <input name="email" type="email"></label>
  <label><input type="checkbox" name="weekly"> Weekly</label>
  <button id="send">Sign up</button>
</form></body></html>`;

const UPLOAD = `<!doctype html><html><head><meta charset="utf-8"><title>Upload</title></head><body>
<form method="POST" action="/api/photos" enctype="multipart/form-data">
  <input type="hidden" name="_redirect" value="/thanks.html">
  <input name="title"><input type="file" name="image" id="file">
  <button id="send">Upload</button>
</form></body></html>`;

describe('HTML forms in a browser', { skip }, () => {
  let browser: Browser;
  let t: ServedApp;

  before(async () => {
    browser = await launchBrowser();
    t = await serveApp(
      {
        collections: {
          signups: {
            fields: { email: { type: 'email', required: true }, weekly: { type: 'boolean' } },
            rules: PUBLIC_RULES,
          },
          photos: {
            fields: {
              title: { type: 'text', required: true },
              image: { type: 'file', maxSize: 1024, accept: ['image/png'] },
            },
            rules: PUBLIC_RULES,
          },
        },
      },
      {
        'signup.html': FORM,
        'upload.html': UPLOAD,
        'thanks.html': '<!doctype html><title>Thanks</title><h1>Thank you</h1>',
      },
    );
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('submits, lands on the thank-you page by 303, and a reload does not resubmit', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.origin}/signup.html`);
    await page.fill('input[name=email]', 'Reader@Example.com');
    await page.check('input[name=weekly]');
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#send')]);
    assert.equal(new URL(page.url()).pathname, '/thanks.html');
    const redirect = await response?.request().redirectedFrom()?.response();
    assert.equal(redirect?.status(), 303);
    await page.reload();
    const list = await t.store.list('signups', { filter: null, sort: [], limit: 10, offset: 0, count: true });
    assert.equal(list.total, 1);
    assert.equal(list.items[0].weekly, true);
    await page.close();
  });

  it('makes one record from a double-clicked submit (same hidden key)', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.origin}/signup.html`);
    await page.fill('input[name=email]', 'double@example.com');
    // A fresh key for this form (a real page renders one per form), then two submits back to back.
    await page.evaluate(
      'document.querySelector("[name=_idempotency_key]").value = "double-1"; const form = document.querySelector("form"); form.requestSubmit(); form.requestSubmit();',
    );
    await page.waitForURL('**/thanks.html');
    const list = await t.store.list('signups', {
      filter: {
        kind: 'cmp',
        op: '=',
        left: { kind: 'field', name: 'email', pos: 0 },
        right: { kind: 'literal', value: 'double@example.com', pos: 0 },
        pos: 0,
      },
      sort: [],
      limit: 10,
      offset: 0,
      count: true,
    });
    assert.equal(list.total, 1);
    await page.close();
  });

  it('shows every problem on a 422 page with a link back', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.origin}/upload.html`);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#send')]);
    assert.equal(response?.status(), 422);
    assert.match((await page.textContent('body')) ?? '', /title/);
    assert.equal(await page.getAttribute('a', 'href'), '/upload.html');
    await page.close();
  });

  it('uploads a file from a file input and serves it back byte for byte', async () => {
    const file = join(t.dir, 'pixel.png');
    writeFileSync(file, PNG);
    const page = await browser.newPage();
    await page.goto(`${t.origin}/upload.html`);
    await page.fill('input[name=title]', 'A pixel');
    await page.setInputFiles('#file', file);
    await Promise.all([page.waitForURL('**/thanks.html'), page.click('#send')]);
    const list = await t.store.list('photos', { filter: null, sort: [], limit: 10, offset: 0, count: true });
    assert.equal(list.total, 1);
    const record = list.items[0];
    assert.match(String(record.image), /^pixel_[a-z0-9]{10}\.png$/);
    const res = await fetch(`${t.origin}/api/files/photos/${record.id}/image/${record.image}`);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
    await page.close();
  });
});
