import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptMatches, isInlineImage, sniffType } from './sniff.js';

const bytes = (...parts: (number[] | string)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

const PNG = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0, 0, 0, 13], 'IHDR', [0, 0, 0, 1]);

/** An ISO base media header: size, `ftyp`, major brand, minor version, compatible brands. */
function ftyp(major: string, ...compatible: string[]): Buffer {
  const size = 16 + 4 * compatible.length;
  return bytes([0, 0, 0, size], 'ftyp', major, [0, 0, 0, 0], compatible.join(''), [0, 0, 0, 8], 'mdat');
}

describe('sniffType', () => {
  const cases: [string, Buffer, string, string][] = [
    ['PNG', PNG, 'image/png', 'png'],
    ['JPEG (JFIF)', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF'), 'image/jpeg', 'jpg'],
    ['JPEG (Exif)', bytes([0xff, 0xd8, 0xff, 0xe1]), 'image/jpeg', 'jpg'],
    ['GIF89a', bytes('GIF89a', [1, 0, 1, 0]), 'image/gif', 'gif'],
    ['GIF87a', bytes('GIF87a', [1, 0, 1, 0]), 'image/gif', 'gif'],
    ['WebP', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '), 'image/webp', 'webp'],
    [
      'RIFF that is WAVE, not WebP',
      bytes('RIFF', [0x24, 0, 0, 0], 'WAVEfmt ', [0, 1, 2]),
      'application/octet-stream',
      'bin',
    ],
    ['AVIF', ftyp('avif', 'mif1', 'miaf'), 'image/avif', 'avif'],
    ['AVIF by compatible brand', ftyp('mif1', 'avif', 'miaf'), 'image/avif', 'avif'],
    ['HEIC', ftyp('heic', 'mif1'), 'image/heic', 'heic'],
    ['MP4', ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41'), 'video/mp4', 'mp4'],
    ['QuickTime', ftyp('qt  ', 'qt  '), 'video/quicktime', 'mov'],
    ['PDF', bytes('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), 'application/pdf', 'pdf'],
    ['ZIP', bytes('PK', [3, 4, 20, 0, 0, 0]), 'application/zip', 'zip'],
    ['empty ZIP', bytes('PK', [5, 6], new Array(18).fill(0)), 'application/zip', 'zip'],
    ['MP3 with ID3', bytes('ID3', [4, 0, 0, 0, 0, 0, 0]), 'audio/mpeg', 'mp3'],
    ['MP3 frame (MPEG-1 layer III)', bytes([0xff, 0xfb, 0x90, 0x64]), 'audio/mpeg', 'mp3'],
    [
      'AAC ADTS is not MP3',
      bytes([0xff, 0xf1, 0x50, 0x80, 0, 0x1f, 0xfc]),
      'application/octet-stream',
      'bin',
    ],
    ['SVG', bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml', 'svg'],
    [
      'SVG after prolog, comment and doctype',
      bytes(
        '\xef\xbb\xbf<?xml version="1.0"?>\n<!-- drawn by hand -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg>',
      ),
      'image/svg+xml',
      'svg',
    ],
    ['XML that is not SVG', bytes('<?xml version="1.0"?><feed/>'), 'text/plain', 'txt'],
    ['"<svgfoo" is not SVG', bytes('<svgfoo>'), 'text/plain', 'txt'],
    ['plain text', bytes('Hello, world.\r\n\tIndented.\n'), 'text/plain', 'txt'],
    ['UTF-8 text', Buffer.from('résumé — 履歴書 😀\n'), 'text/plain', 'txt'],
    ['text cut inside a character', Buffer.from('ab😀').subarray(0, 4), 'text/plain', 'txt'],
    ['empty', Buffer.alloc(0), 'text/plain', 'txt'],
    ['JSON object', bytes(' {"a": [1, 2, {"b": null}]}\n'), 'application/json', 'json'],
    ['JSON array', bytes('[1,2,3]'), 'application/json', 'json'],
    ['JSON cut off (a long file)', bytes('{"a": [1, 2'), 'text/plain', 'txt'],
    ['a bare number is text', bytes('42'), 'text/plain', 'txt'],
    ['HTML is text, never HTML', bytes('<!doctype html><script>alert(1)</script>'), 'text/plain', 'txt'],
    ['text with NUL', bytes('abc\0def'), 'application/octet-stream', 'bin'],
    ['text with a control byte', bytes('abc\x01def'), 'application/octet-stream', 'bin'],
    ['invalid UTF-8', bytes('abc\xff\xfedef'), 'application/octet-stream', 'bin'],
    ['random binary', bytes([0x00, 0x13, 0x37, 0xc0, 0xde]), 'application/octet-stream', 'bin'],
    ['truncated PNG signature', bytes([0x89, 0x50, 0x4e, 0x47]), 'application/octet-stream', 'bin'],
    ['a lone 0xFF', bytes([0xff]), 'application/octet-stream', 'bin'],
  ];
  for (const [name, head, type, ext] of cases) {
    it(name, () => assert.deepEqual(sniffType(head), { type, ext }));
  }

  it('ignores what comes after the magic bytes (a PNG named .txt is a PNG)', () => {
    assert.equal(sniffType(Buffer.concat([PNG, Buffer.from('just text.txt')])).type, 'image/png');
  });
});

describe('isInlineImage', () => {
  const cases: [string, boolean][] = [
    ['image/png', true],
    ['image/jpeg', true],
    ['image/avif', true],
    ['image/svg+xml', false],
    ['application/pdf', false],
    ['text/plain', false],
  ];
  for (const [type, inline] of cases) it(type, () => assert.equal(isInlineImage(type), inline));
});

describe('acceptMatches', () => {
  const cases: [string, string[], boolean][] = [
    ['image/png', ['image/png'], true],
    ['image/png', ['image/jpeg'], false],
    ['image/png', ['image/jpeg', 'image/png'], true],
    ['image/png', ['image/*'], true],
    ['image/svg+xml', ['image/*'], true],
    ['application/pdf', ['image/*'], false],
    ['application/pdf', ['*/*'], true],
    ['IMAGE/PNG', ['image/png'], true],
    ['image/png', ['Image/PNG'], true],
    ['text/plain; charset=utf-8', ['text/plain'], true],
    ['image/pngx', ['image/png'], false],
    ['imagex/png', ['image/*'], false],
    ['image/png', [], false],
  ];
  for (const [type, accept, expected] of cases) {
    it(`${type} in [${accept.join(', ')}] → ${expected}`, () =>
      assert.equal(acceptMatches(type, accept), expected));
  }
});
