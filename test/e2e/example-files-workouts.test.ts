/**
 * EXAMPLE-APP.md scenarios 4 and 6 in a real browser, with JavaScript off
 * and on: uploading a file (and getting the same bytes back), and a
 * workout log whose totals the database computes, per owner.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import type { Page } from 'playwright-core';
import { PNG } from '../http/upload-helpers.js';
import {
  BOTH,
  context,
  describeExample,
  newAccount,
  pathOf,
  registerIn,
  screenshots,
  until,
} from './example-site.js';

/** A real PNG (1×1) padded after its end chunk to `size` bytes: still a PNG by its content. */
function png(size: number): Buffer {
  return Buffer.concat([PNG, randomBytes(Math.max(0, size - PNG.length))]);
}

describeExample('the example app: uploads and workouts', (s) => {
  async function member(js: boolean): Promise<Page> {
    const page = await (await context(s.browser, js)).newPage();
    await registerIn(page, s.site, newAccount('athlete'));
    return page;
  }

  for (const [how, js] of BOTH) {
    it(`4. uploading ${how}: 303 to the upload's page, whose download is byte for byte the file`, async () => {
      const page = await member(js);
      const bytes = png(300_000);
      await page.goto(`${s.site.origin}/upload`);
      await screenshots(page, `upload-${js ? 'js' : 'nojs'}`);
      await page.getByLabel('Title').fill(`Photo ${js}`);
      await page
        .getByLabel('File')
        .setInputFiles({ name: 'holiday photo.png', mimeType: 'image/png', buffer: bytes });
      await Promise.all([
        page.waitForURL(/\/uploads\/[a-z0-9]{15}$/),
        page.getByRole('button', { name: 'Upload' }).click(),
      ]);
      const id = pathOf(page).split('/').pop() as string;
      const link = page.getByRole('link', { name: /^Download / });
      const href = (await link.getAttribute('href')) as string;
      const download = await page.request.get(`${s.site.origin}${href}`);
      assert.equal(download.status(), 200);
      assert.equal(download.headers()['content-type'], 'image/png');
      assert.match(download.headers()['content-disposition'], /holiday photo\.png/);
      assert.ok(Buffer.from(await download.body()).equals(bytes), 'the same bytes came back');
      assert.equal(s.site.rows('uploads', 'id = ?', id).length, 1);
      assert.equal(s.site.files('uploads', id).length, 1);

      // Too large, and the wrong kind: clear messages, nothing stored.
      const before = s.site.rows('uploads').length;
      for (const [file, expected] of [
        [
          { name: 'big.png', mimeType: 'image/png', buffer: png(5 * 1024 * 1024 + 1) },
          /413[\s\S]*(too large|larger than)/i,
        ],
        [
          { name: 'tool.png', mimeType: 'image/png', buffer: randomBytes(2000) },
          /422[\s\S]*(must be image\/png|file)/i,
        ],
      ] as const) {
        await page.goto(`${s.site.origin}/upload`);
        await page.getByLabel('Title').fill('Refused');
        await page.getByLabel('File').setInputFiles(file);
        await page.getByRole('button', { name: 'Upload' }).click();
        if (js) {
          await page.locator('.form-error').waitFor();
          assert.match((await page.locator('main form').textContent()) ?? '', expected);
        } else {
          await page.waitForLoadState();
          assert.match((await page.locator('main').textContent()) ?? '', expected);
        }
      }
      assert.equal(s.site.rows('uploads').length, before, 'no record for a refused upload');
      await page.context().close();
    });

    it(`6. the workout log ${how}: totals per type from the server, for the owner only`, async () => {
      const page = await member(js);
      await page.goto(`${s.site.origin}/workouts`);
      for (const [type, minutes, km] of [
        ['run', '30', '5'],
        ['run', '20', '3.5'],
        ['swim', '40', '1'],
      ]) {
        await page.getByLabel('Type').selectOption(type);
        await page.getByLabel('Duration (minutes)').fill(minutes);
        await page.getByLabel('Distance (km)').fill(km);
        const before = s.site.rows('workouts').length;
        await page.getByRole('button', { name: 'Log workout' }).click();
        await until(() => s.site.rows('workouts').length === before + 1, 'the workout is stored');
        // With JavaScript the form is sent, the totals fetched again and the form reset: then it is ready again.
        await page.locator('form[action="/workouts"] button:not([disabled])').waitFor();
        await page.waitForLoadState();
      }
      const table = page.locator('table.totals');
      await table.getByText('Swim').waitFor();
      assert.match((await table.textContent()) ?? '', /Run\s*2\s*50\s*8\.5 km[\s\S]*Swim\s*1\s*40\s*1 km/);
      await screenshots(page, `workouts-${js ? 'js' : 'nojs'}`);
      const summary = await (await page.request.get(`${s.site.origin}/api/workouts/summary`)).json();
      assert.deepEqual(summary, {
        items: [
          { type: 'run', count: 2, duration: 50, distance: 8.5 },
          { type: 'swim', count: 1, duration: 40, distance: 1 },
        ],
      });

      const other = await member(js);
      const theirs = await (await other.request.get(`${s.site.origin}/api/workouts/summary`)).json();
      assert.deepEqual(theirs, { items: [] }, 'another user sees none of them');
      const list = await (await other.request.get(`${s.site.origin}/api/workouts`)).json();
      assert.equal(list.totalItems, 0);
      await page.context().close();
      await other.context().close();
    });
  }
});
