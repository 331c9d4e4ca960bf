import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Limits, Timeouts } from '../../config/types.js';
import { clientErrorProblem, requestLineTooLong } from './client-error.js';

const LIMITS = { headers: 16384 } as Limits;
const TIMEOUTS = { headers: 10 } as Timeouts;

describe('requestLineTooLong', () => {
  const url = (n: number) => `GET /${'a'.repeat(n)} HTTP/1.1\r\nHost: x\r\n\r\n`;
  const cases: [string, string | undefined, boolean][] = [
    ['a URL over the limit, the rest of the head not read yet', `GET /${'a'.repeat(20000)}`, true],
    ['a URL over the limit, then headers', url(20000), true],
    ['an unknown method token, then a long URL', `PURGE /${'a'.repeat(20000)}`, true],
    ['a short request line, then a huge header', `GET / HTTP/1.1\r\nX: ${'a'.repeat(20000)}`, false],
    ['a short request line, then many headers', `GET / HTTP/1.1\r\n${'X-A: b\r\n'.repeat(3000)}`, false],
    ['a URL just under the limit, then a huge header', `${url(16000)}X: ${'a'.repeat(20000)}`, false],
    ['a piece from the middle of a head (not a request line)', 'a'.repeat(20000), false],
    ['no bytes at hand', undefined, false],
  ];
  for (const [name, packet, expected] of cases) {
    it(`${name}: ${expected}`, () => {
      const bytes = packet === undefined ? undefined : Buffer.from(packet, 'latin1');
      assert.equal(requestLineTooLong(bytes, LIMITS.headers), expected);
    });
  }
});

describe('clientErrorProblem', () => {
  const error = (code: string, reason?: string, rawPacket?: string) =>
    Object.assign(new Error(reason ?? code), {
      code,
      reason,
      rawPacket: rawPacket === undefined ? undefined : Buffer.from(rawPacket),
    });
  const cases: [ReturnType<typeof error>, number, RegExp][] = [
    [error('ERR_HTTP_REQUEST_TIMEOUT'), 408, /did not arrive within 10 s/],
    [
      error('HPE_HEADER_OVERFLOW', 'Header overflow', `GET /${'a'.repeat(20000)}`),
      414,
      /request line.*16384/,
    ],
    [
      error('HPE_HEADER_OVERFLOW', 'Header overflow', `GET / HTTP/1.1\r\nX: ${'a'.repeat(20000)}`),
      431,
      /16384/,
    ],
    [error('HPE_CHUNK_EXTENSIONS_OVERFLOW', 'Chunk extensions overflow'), 413, /chunk extensions/],
    [error('HPE_INVALID_METHOD', 'Invalid method encountered'), 501, /method/],
    [
      error('HPE_INVALID_HEADER_TOKEN', 'Invalid header token'),
      400,
      /Invalid header token \(HPE_INVALID_HEADER_TOKEN\)/,
    ],
    [error('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size'), 400, /chunk size/],
  ];
  for (const [err, status, detail] of cases) {
    it(`${err.code} → ${status}`, () => {
      const problem = clientErrorProblem(err, LIMITS, TIMEOUTS);
      assert.equal(problem.status, status);
      assert.match(problem.detail, detail);
    });
  }
});
