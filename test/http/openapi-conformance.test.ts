/**
 * Every response of the HTTP scenario suites below, checked against the
 * app's own OpenAPI document (openapi-recorder.ts): documented status,
 * required and notable headers, body schema. The suites run here again
 * with recording on; the last test lists every mismatch.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recording } from './openapi-recorder.js';

recording.on = true;

await import('./methods.test.js');
await import('./ids-single.test.js');
await import('./writes.test.js');
await import('./patch.test.js');
await import('./conditional.test.js');
await import('./conditional-read.test.js');
await import('./representations.test.js');
await import('./querying.test.js');
await import('./pagination.test.js');
await import('./caching.test.js');
await import('./media-types.test.js');
await import('./errors.test.js');
await import('./batch.test.js');
await import('./auth-register.test.js');
await import('./auth-sessions.test.js');
await import('./auth-headers.test.js');
await import('./auth-password.test.js');
await import('./files-download.test.js');
await import('./aliases-static.test.js');
await import('./custom-read.test.js');
await import('./custom-write.test.js');
await import('./forms-prg.test.js');
await import('./rules-read.test.js');
await import('./rules-write.test.js');
await import('./rules-users.test.js');
await import('./rules-owner.test.js');
await import('./idempotency.test.js');
await import('./uploads-files.test.js');
await import('./forms-override.test.js');
await import('./forms-override-routes.test.js');
await import('./forms-override-files.test.js');
await import('./forms-coercion.test.js');
await import('./forms-redirect-id.test.js');
await import('./auth-register-form.test.js');
await import('./auth-csrf.test.js');
await import('./auth-cors.test.js');
await import('./bad-input.test.js');
await import('./bad-urls.test.js');
await import('./error-page.test.js');
await import('./hooks.test.js');
await import('./limits-records.test.js');
await import('./limits-forms.test.js');
await import('./uploads-lifecycle.test.js');
await import('./uploads-replay.test.js');
await import('./idempotency-expiry.test.js');
await import('./auth-throttle.test.js');
await import('./caching-shared.test.js');
await import('./handler-problems.test.js');
await import('./hidden-fields.test.js');
await import('./hooks-validation.test.js');
await import('./limits-patch.test.js');
await import('./limits-queries.test.js');
await import('./on-delete.test.js');
await import('./uploads-limits.test.js');
await import('./uploads-guard.test.js');
await import('./concurrency.test.js');
await import('./auth-setup.test.js');
await import('./auth-sessions-revoke.test.js');
await import('./realtime.test.js');

test('every recorded response matches the OpenAPI document', () => {
  recording.on = false;
  assert.ok(recording.responses > 1000, `${recording.responses} responses recorded`);
  const lines = [...recording.found].map(([line, example]) => `${line}   (e.g. ${example})`).sort();
  assert.deepEqual(lines, [], `${lines.length} mismatches:\n${lines.join('\n')}`);
});
