import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html, isHtml, trustedHtml } from './html-template.js';

describe('html tagged template', () => {
  const cases: [string, unknown, string][] = [
    ['text', 'Dune', 'Dune'],
    ['a script tag', '<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['ampersands once', 'a &amp; b', 'a &amp;amp; b'],
    ['double quotes', '" onmouseover="x', '&quot; onmouseover=&quot;x'],
    ['single quotes', "' onfocus='x", '&#39; onfocus=&#39;x'],
    ['null', null, ''],
    ['undefined', undefined, ''],
    ['false', false, ''],
    ['true', true, 'true'],
    ['zero', 0, '0'],
    ['a number', 12.5, '12.5'],
    ['an array of text, each escaped', ['<a>', 'b&'], '&lt;a&gt;b&amp;'],
    ['nested arrays', [['<i>'], [null, 'x']], '&lt;i&gt;x'],
    ['an object that only looks like Html', { html: '<b>' }, '[object Object]'],
    ['a string that looks like markup', '<b>bold</b>', '&lt;b&gt;bold&lt;/b&gt;'],
  ];
  for (const [name, value, expected] of cases) {
    it(`interpolates ${name}`, () => {
      assert.equal(html`<p>${value}</p>`.html, `<p>${expected}</p>`);
    });
  }

  it('inserts nested html as it is, and never escapes it twice', () => {
    const inner = html`<b>${'<x>'}</b>`;
    const outer = html`<div>${inner}</div>`;
    assert.equal(outer.html, '<div><b>&lt;x&gt;</b></div>');
    assert.equal(html`${outer}`.html, outer.html);
  });

  it('joins arrays mixing html and text', () => {
    const items = ['<1>', '2'].map((t) => html`<li>${t}</li>`);
    assert.equal(html`<ul>${items}${'<3>'}</ul>`.html, '<ul><li>&lt;1&gt;</li><li>2</li>&lt;3&gt;</ul>');
  });

  it('keeps the literal parts as they are, values in order', () => {
    assert.equal(html`a${1}b${2}c`.html, 'a1b2c');
    assert.equal(html``.html, '');
  });

  it('recognises its own html only', () => {
    assert.equal(isHtml(html`x`), true);
    assert.equal(isHtml(trustedHtml('<hr>')), true);
    assert.equal(isHtml({ html: 'x' }), false);
    assert.equal(isHtml('x'), false);
    assert.equal(isHtml(null), false);
  });

  it('trustedHtml is inserted unescaped', () => {
    assert.equal(html`${trustedHtml('<hr>')}`.html, '<hr>');
  });

  it('String() of html is its markup', () => {
    assert.equal(String(html`<i>${'&'}</i>`), '<i>&amp;</i>');
  });

  it('escapeHtml escapes the five characters', () => {
    assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
  });
});
