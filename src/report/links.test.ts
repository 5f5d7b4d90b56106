import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printable, safeUrl } from './links.js';

describe('report text helpers', () => {
  it('keeps only http(s) links', () => {
    expect(safeUrl('https://example.org/a b')).toBe('https://example.org/a%20b');
    expect(safeUrl('http://example.org/')).toBe('http://example.org/');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,<script>')).toBeNull();
    expect(safeUrl('not a url')).toBeNull();
  });

  it('drops characters XML forbids and mends lone surrogates', () => {
    expect(printable('bell\u0007 nul\u0000 esc\u001b[31m tab\tnl\n ok 😀 lone\ud800!')).toBe(
      'bell nul esc[31m tab\tnl\n ok 😀 lone\ufffd!',
    );
  });

  it('property: the result is always valid XML 1.0 character data', () => {
    // eslint-disable-next-line no-control-regex -- XML 1.0's Char production
    const xmlChar = /^[\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(xmlChar.test(printable(text))).toBe(true);
      }),
    );
  });
});
