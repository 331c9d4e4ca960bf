/**
 * `methodical serve --json-server db.json`, the real binary: the config is
 * inferred in memory (no file written), the file is imported into an empty
 * data folder, and a restart serves what was written since instead of
 * loading the file again.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PLACEHOLDER_DB } from '../json-placeholder.js';
import { assertUsageFailure, cliSandbox, request, run, SLOW, serve, writeJsonConfig } from './helpers.js';

const tmp = cliSandbox('methodical-serve-js-');

const DB = {
  posts: [
    { id: 1, title: 'json-server', author: 'typicode' },
    { id: 2, title: 'another', author: 'me' },
  ],
  comments: [
    { id: 1, body: 'some comment', postId: 1 },
    { id: 2, body: 'on two', postId: 2 },
  ],
  profile: { name: 'typicode' },
};

const idsOf = (body: Record<string, unknown> | null) => (body!.items as { id: string }[]).map((r) => r.id);

describe('serve --json-server', SLOW, () => {
  it('imports db.json once, serves it with increment ids, and keeps what was written across a restart', async () => {
    writeJsonConfig(tmp.dir, DB, 'db.json');
    const args = ['--json-server', 'db.json', '--data', 'data', '--port', '0'];
    const first = await serve(args, { cwd: tmp.dir });
    assert.match(
      first.stderr(),
      /^methodical: imported 2 posts, 2 comments, 1 profile from db\.json; a restart serves what is written from now on/m,
    );
    assert.deepEqual(readdirSync(tmp.dir).sort(), ['data', 'db.json'], 'no config file written');
    await first.stderrIncludes('(in memory; methodical import writes it to a file)');
    assert.match(
      first.stderr(),
      /^ {2}config {4}inferred from .*db\.json \(in memory; methodical import writes it to a file\)$/m,
    );
    assert.deepEqual(idsOf((await request(`${first.url}/api/posts`)).body), ['1', '2']);
    const comment = await request(`${first.url}/api/comments/2`);
    assert.equal(comment.status, 200);
    assert.equal(comment.body?.postId, '2');
    const created = await request(`${first.url}/api/posts`, { method: 'POST', body: { title: 'new' } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body?.id, '3');
    const profile = await request(`${first.url}/api/profile`);
    assert.deepEqual(
      (profile.body!.items as Record<string, unknown>[]).map((p) => p.name),
      ['typicode'],
    );
    const second = await request(`${first.url}/api/profile`, { method: 'POST', body: { name: 'x' } });
    assert.equal(second.status, 409);
    // Deleting a post deletes its comments, as json-server does.
    assert.equal((await request(`${first.url}/api/posts/1`, { method: 'DELETE' })).status, 204);
    assert.deepEqual(idsOf((await request(`${first.url}/api/comments`)).body), ['2']);
    assert.deepEqual(await first.stop(), { code: 0, signal: null });

    const again = await serve(args, { cwd: tmp.dir });
    assert.match(
      again.stderr(),
      /^methodical: the database holds records already: serving them, not db\.json again/m,
    );
    assert.deepEqual(idsOf((await request(`${again.url}/api/posts`)).body), ['2', '3']);
    assert.equal((await request(`${again.url}/api/posts`, { method: 'POST', body: {} })).body?.id, '4');
    await again.stop();
  });

  it('refuses --config beside it, and a file it cannot infer a config from', async () => {
    const withConfig = await run(['serve', '--json-server', 'db.json', '--config', 'x.json'], {
      cwd: tmp.dir,
    });
    assert.match(
      assertUsageFailure(withConfig),
      /--json-server infers the config from the file; leave out --config/,
    );
    writeJsonConfig(tmp.dir, { 'bad name': [] }, 'bad.json');
    const bad = await run(['serve', '--json-server', 'bad.json', '--data', 'd2', '--port', '0'], {
      cwd: tmp.dir,
    });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(
      bad.stderr,
      /methodical serve: bad\.json: cannot infer a config:\n {2}"bad name": not a URL path segment/,
    );
    assert.ok(!existsSync(join(tmp.dir, 'd2', 'methodical.db')), 'no database made');
    const missing = await run(['serve', '--json-server', 'nope.json'], { cwd: tmp.dir });
    assert.match(assertUsageFailure(missing), /methodical serve: nope\.json: file not found/);
  });

  it("jsonplaceholder's db.json: users, blog-posts and 2024 at their own URLs, related by userId", async () => {
    writeJsonConfig(tmp.dir, PLACEHOLDER_DB, 'placeholder.json');
    const args = ['--json-server', 'placeholder.json', '--data', 'd3', '--port', '0'];
    const app = await serve(args, { cwd: tmp.dir });
    try {
      assert.match(
        app.stderr(),
        /^methodical: imported 1 2024 \(into json_2024\), 2 users \(into json_users\), 3 posts, 3 comments, 2 albums, 2 photos, 2 todos, 1 blog-posts \(into json_blog_posts\) from placeholder\.json/m,
      );
      const users = await fetch(`${app.url}/users`);
      assert.equal(users.status, 200);
      assert.equal(users.headers.get('x-total-count'), '2');
      assert.deepEqual(await users.json(), PLACEHOLDER_DB.users);
      assert.deepEqual((await request(`${app.url}/users/1`)).body, PLACEHOLDER_DB.users[0]);
      const own = await fetch(`${app.url}/users/1/posts`);
      assert.deepEqual(
        await own.json(),
        PLACEHOLDER_DB.posts.filter((p) => p.userId === 1),
      );
      const embedded = (await request(`${app.url}/users/2?_embed=posts&_embed=todos`)).body;
      assert.deepEqual(embedded?.posts, [PLACEHOLDER_DB.posts[2]]);
      assert.deepEqual(embedded?.todos, [PLACEHOLDER_DB.todos[1]]);
      const expanded = await (await fetch(`${app.url}/posts/3?_expand=user`)).json();
      assert.deepEqual(expanded, { ...PLACEHOLDER_DB.posts[2], user: PLACEHOLDER_DB.users[1] });
      assert.deepEqual(await (await fetch(`${app.url}/blog-posts`)).json(), PLACEHOLDER_DB['blog-posts']);
      assert.deepEqual(await (await fetch(`${app.url}/2024/1`)).json(), PLACEHOLDER_DB['2024'][0]);
      const created = await request(`${app.url}/users`, { method: 'POST', body: { name: 'Clementine' } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.headers.get('location'), '/users/3');
      assert.deepEqual(created.body, { id: 3, name: 'Clementine' });
      // /api keeps the collection names; the accounts collection is /api/users, not served at /users.
      const api = await request(`${app.url}/api/json_users/3`);
      assert.equal(api.body?.name, 'Clementine');
      const accounts = await request(`${app.url}/api/users`);
      assert.notEqual(accounts.status, 404);
      assert.equal((await request(`${app.url}/users/1/comments`)).status, 404);
    } finally {
      await app.stop();
    }
  });
});
