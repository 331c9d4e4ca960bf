/** RFC 7239 `Forwarded`: the last element, quoted strings, odd input. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseForwarded } from './forwarded.js';

const rows: { header: string | string[] | undefined; expect: Record<string, string> }[] = [
  { header: undefined, expect: {} },
  { header: '', expect: {} },
  { header: 'proto=https;host=api.example', expect: { proto: 'https', host: 'api.example' } },
  { header: 'Proto=HTTPS; Host=api.example', expect: { proto: 'HTTPS', host: 'api.example' } },
  { header: 'host=a.example, host=b.example;proto=https', expect: { host: 'b.example', proto: 'https' } },
  {
    header: ['host=a.example', 'for=192.0.2.1;host=c.example'],
    expect: { for: '192.0.2.1', host: 'c.example' },
  },
  {
    header: 'for="[2001:db8::1]:4711";host="api.example:8443"',
    expect: { for: '[2001:db8::1]:4711', host: 'api.example:8443' },
  },
  { header: 'host="a,b.example";proto=http', expect: { host: 'a,b.example', proto: 'http' } },
  { header: 'host="a\\"b"', expect: { host: 'a"b' } },
  { header: 'garbage;=x;host=', expect: {} },
  { header: 'host=a.example,', expect: {} },
];
for (const row of rows) {
  test(`Forwarded: ${JSON.stringify(row.header)}`, () => {
    assert.deepEqual(parseForwarded(row.header), row.expect);
  });
}
