import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asciiFilename, contentDisposition, sanitizeFilename, storedFilename } from './filename.js';

const LONG = `${'a'.repeat(150)}.pdf`;

describe('sanitizeFilename', () => {
  const cases: [string, string, string][] = [
    ['a plain name', 'cover.png', 'cover.png'],
    ['path pieces', '../../etc/passwd', 'passwd'],
    ['Windows path pieces', 'a\\b\\c.png', 'c.png'],
    ['mixed separators', 'C:\\Users/me\\photo.jpg', 'photo.jpg'],
    ['a trailing slash', 'folder/', 'file'],
    ['NUL', 'evil\0.png', 'evil.png'],
    ['controls', 'a\tb\nc\x7f\x85.txt', 'abc.txt'],
    ['bidi override', 'invoice\u202egpj.exe', 'invoicegpj.exe'],
    ['lone surrogate', 'a\ud800b.txt', 'ab.txt'],
    ['unicode kept', 'résumé 2024.pdf', 'résumé 2024.pdf'],
    ['decomposed unicode composed', 're\u0301sume\u0301.pdf', 'résumé.pdf'],
    ['dots and spaces trimmed', '  ..hidden. . ', 'hidden'],
    ['only dots', '..', 'file'],
    ['empty', '', 'file'],
    ['emoji', '😀.png', '😀.png'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(sanitizeFilename(input), expected));
  }

  it('cuts long names to 100 characters, keeping the extension', () => {
    const out = sanitizeFilename(LONG);
    assert.equal(out.length, 100);
    assert.ok(out.endsWith('a.pdf'));
  });

  it('cuts between characters, never inside a surrogate pair', () => {
    const out = sanitizeFilename('😀'.repeat(120));
    assert.equal(Array.from(out).length, 100);
    assert.equal(out, '😀'.repeat(100));
    assert.equal(Buffer.from(out, 'utf8').toString('utf8'), out);
  });

  it('does not take a long dotted tail for an extension', () => {
    const out = sanitizeFilename(`${'b'.repeat(120)}.not an extension`);
    assert.equal(Array.from(out).length, 100);
    assert.ok(out.startsWith('bbb'));
  });
});

describe('asciiFilename', () => {
  const cases: [string, string, string][] = [
    ['ASCII unchanged', 'report 1.pdf', 'report 1.pdf'],
    ['accents folded', 'évil name.png', 'evil name.png'],
    ['decomposed accents folded', 'e\u0301vil.png', 'evil.png'],
    ['ligature decomposed', 'ﬁle.txt', 'file.txt'],
    ['fullwidth letters', 'ｄｏｃ.txt', 'doc.txt'],
    ['no ASCII reading', '日本.png', '__.png'],
    ['astral character', '😀.png', '_.png'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(asciiFilename(input), expected));
  }

  it('the stored name and the Content-Disposition fallback read the same', () => {
    const stored = storedFilename('évil name.png', 'png');
    assert.match(stored, /^evil_name_[a-z0-9]{10}\.png$/);
    assert.match(contentDisposition('attachment', 'évil name.png'), /filename="evil name\.png"/);
  });
});

describe('storedFilename', () => {
  const cases: [string, string, string, RegExp][] = [
    ['keeps a safe base', 'cover.png', 'png', /^cover_[a-z0-9]{10}\.png$/],
    ['uses the detected extension, not the sent one', 'photo.txt', 'png', /^photo_[a-z0-9]{10}\.png$/],
    ['drops path pieces', '../../etc/passwd', 'txt', /^passwd_[a-z0-9]{10}\.txt$/],
    ['folds accents and spaces', 'résumé 2024.pdf', 'pdf', /^resume_2024_[a-z0-9]{10}\.pdf$/],
    ['collapses runs of replaced characters', 'a  &&  b.txt', 'txt', /^a_b_[a-z0-9]{10}\.txt$/],
    ['falls back to file', '日本語.png', 'png', /^file_[a-z0-9]{10}\.png$/],
    ['empty', '', 'bin', /^file_[a-z0-9]{10}\.bin$/],
    ['cleans the extension', 'x', '.P*NG', /^x_[a-z0-9]{10}\.png$/],
    ['no extension', 'x', '', /^x_[a-z0-9]{10}$/],
    ['keeps hyphens and underscores', 'my-file_v2.tar.gz', 'zip', /^my-file_v2_tar_[a-z0-9]{10}\.zip$/],
  ];
  for (const [name, original, ext, expected] of cases) {
    it(name, () => assert.match(storedFilename(original, ext), expected));
  }

  it('limits the base to 60 characters', () => {
    const out = storedFilename(LONG, 'pdf');
    assert.match(out, /^a{60}_[a-z0-9]{10}\.pdf$/);
  });

  it('is different every time', () => {
    assert.notEqual(storedFilename('a.png', 'png'), storedFilename('a.png', 'png'));
  });
});

describe('contentDisposition', () => {
  const cases: [string, 'attachment' | 'inline', string, string][] = [
    ['ASCII', 'attachment', 'report.pdf', `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`],
    ['inline', 'inline', 'cover.png', `inline; filename="cover.png"; filename*=UTF-8''cover.png`],
    [
      'non-ASCII',
      'attachment',
      'résumé 2024.pdf',
      `attachment; filename="resume 2024.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.pdf`,
    ],
    [
      'astral character is one _',
      'attachment',
      '😀.png',
      `attachment; filename="_.png"; filename*=UTF-8''%F0%9F%98%80.png`,
    ],
    [
      'quotes escaped',
      'attachment',
      'say "hi".txt',
      `attachment; filename="say \\"hi\\".txt"; filename*=UTF-8''say%20%22hi%22.txt`,
    ],
    [
      'attr-char only in filename*',
      'attachment',
      "it's (1) *new*.txt",
      `attachment; filename="it's (1) *new*.txt"; filename*=UTF-8''it%27s%20%281%29%20%2Anew%2A.txt`,
    ],
    [
      'path and NUL stripped',
      'attachment',
      '..\\..\\a\0b.txt',
      `attachment; filename="ab.txt"; filename*=UTF-8''ab.txt`,
    ],
    ['empty', 'attachment', '', `attachment; filename="file"; filename*=UTF-8''file`],
  ];
  for (const [name, kind, original, expected] of cases) {
    it(name, () => assert.equal(contentDisposition(kind, original), expected));
  }
});
