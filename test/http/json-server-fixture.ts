/**
 * The config and data the json-server compatibility tests share: posts
 * with increment ids, comments pointing to them with `postId`, a single
 * `profile`; the same data as a json-server db.json.
 */
import assert from 'node:assert/strict';
import type { UserConfig } from '../../src/config/types.js';
import { PUBLIC_RULES, type TestApp } from '../harness.js';

export const COMPAT_CONFIG: UserConfig = {
  jsonServer: true,
  collections: {
    posts: {
      ids: 'increment',
      fields: {
        title: { type: 'text' },
        author: { type: 'text' },
        year: { type: 'integer' },
        views: { type: 'integer' },
      },
      rules: PUBLIC_RULES,
    },
    comments: {
      ids: 'increment',
      fields: {
        body: { type: 'text' },
        postId: { type: 'relation', collection: 'posts' },
      },
      rules: PUBLIC_RULES,
    },
    profile: { single: true, fields: { name: { type: 'text' } }, rules: PUBLIC_RULES },
  },
};

export const DB = {
  posts: [
    { id: 1, title: 'json-server', author: 'typicode', year: 2013, views: 100 },
    { id: 2, title: 'Dune', author: 'Herbert', year: 1965, views: 50 },
    { id: 3, title: 'Dune Messiah', author: 'Herbert', year: 1969, views: 20 },
    { id: 4, title: 'Foundation', author: 'Asimov', year: 1951, views: 80 },
    { id: 5, title: 'I, Robot', author: 'Asimov', year: 1950, views: 10 },
  ],
  comments: [
    { id: 1, body: 'some comment', postId: 1 },
    { id: 2, body: 'a classic', postId: 2 },
    { id: 3, body: 'the first of six', postId: 2 },
    { id: 4, body: 'psychohistory', postId: 4 },
  ],
  profile: { name: 'typicode' },
};

/** Puts DB into a compat app through /api, keeping its ids. */
export async function seed(t: TestApp): Promise<void> {
  for (const name of ['posts', 'comments'] as const) {
    for (const { id, ...rest } of DB[name]) {
      const body = 'postId' in rest ? { ...rest, postId: String(rest.postId) } : rest;
      const res = await t.request({ method: 'PUT', url: `/api/${name}/${id}`, payload: body });
      assert.equal(res.statusCode, 201, res.body);
    }
  }
  const res = await t.request({ method: 'POST', url: '/api/profile', payload: DB.profile });
  assert.equal(res.statusCode, 201, res.body);
}
