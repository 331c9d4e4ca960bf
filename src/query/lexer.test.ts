import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Problem } from '../util/problem.js';
import { Lexer, type Token } from './lexer.js';

function lex(src: string): string[] {
  const lexer = new Lexer(src);
  const out: string[] = [];
  for (let token: Token = lexer.next(); token.kind !== 'eof'; token = lexer.next()) {
    if (token.kind === 'literal') out.push(`${token.pos}:lit:${JSON.stringify(token.value)}`);
    else if (token.kind === 'field') out.push(`${token.pos}:field:${token.name}`);
    else if (token.kind === 'auth') out.push(`${token.pos}:auth:${token.prop}`);
    else if (token.kind === 'op') out.push(`${token.pos}:op:${token.op}`);
    else out.push(`${token.pos}:${token.kind}`);
  }
  return out;
}

describe('lexer tokens', () => {
  const cases: [string, string[]][] = [
    ['', []],
    ['  \t\n ', []],
    ['year', ['0:field:year']],
    ['_a1 B_2', ['0:field:_a1', '4:field:B_2']],
    ['true false null', ['0:lit:true', '5:lit:false', '11:lit:null']],
    ['True', ['0:field:True']],
    [
      '0 42 -7 1.5 -0.25 1e3 2E-2 6.02e+23',
      [
        '0:lit:0',
        '2:lit:42',
        '5:lit:-7',
        '8:lit:1.5',
        '12:lit:-0.25',
        '18:lit:1000',
        '22:lit:0.02',
        '27:lit:6.02e+23',
      ],
    ],
    ['"dune"', ['0:lit:"dune"']],
    ["'dune'", ['0:lit:"dune"']],
    ['""', ['0:lit:""']],
    [String.raw`"a\"b\'c\\d\/e"`, ['0:lit:"a\\"b\'c\\\\d/e"']],
    [String.raw`'\n\t\r\b\f'`, ['0:lit:"\\n\\t\\r\\b\\f"']],
    [String.raw`"\u00e9\u00C9"`, ['0:lit:"éÉ"']],
    [`"it's" 'say "hi"'`, [`0:lit:"it's"`, `7:lit:"say \\"hi\\""`]],
    ['"a && b || (c)"', ['0:lit:"a && b || (c)"']],
    ['@auth.id @auth.email @auth.admin', ['0:auth:id', '9:auth:email', '21:auth:admin']],
    [
      '= != > >= < <= ~ !~',
      ['0:op:=', '2:op:!=', '5:op:>', '7:op:>=', '10:op:<', '12:op:<=', '15:op:~', '17:op:!~'],
    ],
    [
      'a>=1&&(b!~"x"||c<-2)',
      [
        '0:field:a',
        '1:op:>=',
        '3:lit:1',
        '4:and',
        '6:lparen',
        '7:field:b',
        '8:op:!~',
        '10:lit:"x"',
        '13:or',
        '15:field:c',
        '16:op:<',
        '17:lit:-2',
        '19:rparen',
      ],
    ],
    ['year=-5', ['0:field:year', '4:op:=', '5:lit:-5']],
    ['a==1', ['0:field:a', '1:op:=', '2:op:=', '3:lit:1']],
  ];
  for (const [src, expected] of cases) {
    it(JSON.stringify(src), () => assert.deepEqual(lex(src), expected));
  }

  it('reports eof at the end of the source, after trailing whitespace', () => {
    const lexer = new Lexer('a  ');
    lexer.next();
    assert.deepEqual(lexer.next(), { kind: 'eof', pos: 3, text: '' });
    assert.equal(lexer.next().kind, 'eof');
  });
});

describe('lexer errors', () => {
  const cases: [string, number, string][] = [
    ['#', 0, 'Unexpected character "#" at position 0'],
    ['a = 1;', 5, 'Unexpected character ";" at position 5'],
    ['title;DROP', 5, 'Unexpected character ";" at position 5'],
    ['a.b', 1, 'Unexpected character "." at position 1'],
    ['a = $1', 4, 'Unexpected character "$" at position 4'],
    ['a = 😀', 4, 'Unexpected character "😀" at position 4'],
    ['a - 1', 2, 'Unexpected character "-" at position 2'],
    ['a ! b', 2, 'Unexpected character "!" at position 2'],
    ['a = 1 & b', 6, 'Expected "&&" at position 6, found "&"'],
    ['a = 1 | b', 6, 'Expected "||" at position 6, found "|"'],
    ['a = 1.', 4, 'Invalid number "1." at position 4'],
    ['a = 1e', 4, 'Invalid number "1e" at position 4'],
    ['a = 12abc', 4, 'Invalid number "12abc" at position 4'],
    ['a = 1.2.3', 4, 'Invalid number "1.2.3" at position 4'],
    ['a = 1e999', 4, 'Invalid number "1e999" at position 4'],
    [
      'a = "abc',
      4,
      'Unterminated string starting at position 4: expected a closing " before the end of input',
    ],
    [
      'a = \'abc"',
      4,
      "Unterminated string starting at position 4: expected a closing ' before the end of input",
    ],
    [
      'a = "abc\\"',
      4,
      'Unterminated string starting at position 4: expected a closing " before the end of input',
    ],
    [
      'a = "x\\q"',
      6,
      'Invalid escape "\\q" at position 6: expected one of \\" \\\' \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX',
    ],
    ['a = "x\\u12"', 6, 'Invalid escape "\\u12"" at position 6: expected \\u and 4 hex digits'],
    ['a = "x\\u0000"', 6, 'NUL characters are not allowed in strings, at position 6'],
    ['a = "x\0"', 6, 'NUL characters are not allowed in strings, at position 6'],
    ['a = "x\\', 6, 'Unterminated escape at position 6: the filter ends after "\\"'],
    [
      '@auth.foo = 1',
      0,
      'Unknown variable "@auth.foo" at position 0: expected @auth.id, @auth.email or @auth.admin',
    ],
    [
      'a = @user.id',
      4,
      'Unknown variable "@user.id" at position 4: expected @auth.id, @auth.email or @auth.admin',
    ],
    ['a = @', 4, 'Unknown variable "@" at position 4: expected @auth.id, @auth.email or @auth.admin'],
    ['a = @auth', 4, 'Unknown variable "@auth" at position 4: expected @auth.id, @auth.email or @auth.admin'],
  ];
  for (const [src, position, detail] of cases) {
    it(JSON.stringify(src), () => {
      assert.throws(
        () => lex(src),
        (err: unknown) => {
          assert.ok(err instanceof Problem);
          assert.equal(err.code, 'invalidFilter');
          assert.equal(err.status, 400);
          assert.deepEqual(err.extra, { position });
          assert.equal(err.detail, detail);
          return true;
        },
      );
    });
  }

  it('cuts a long token short in messages', () => {
    assert.throws(
      () => lex(`a = 1${'x'.repeat(500)}`),
      (err: unknown) => {
        assert.ok(err instanceof Problem);
        assert.ok(err.detail.length < 100, err.detail);
        return true;
      },
    );
  });
});
