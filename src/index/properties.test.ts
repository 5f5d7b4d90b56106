/**
 * Property tests for the index client's parsers: the two serializations of the simple API
 * read the same, and file names, netrc files and redaction round-trip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNetrc, redactUrl } from './credentials.js';
import { parseWheelName } from './filenames.js';
import { parseHtmlPage, parseJsonPage } from './simple.js';

const nameArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}(_[A-Za-z0-9]{1,5})?$/);
const versionArb = fc
  .tuple(
    fc.nat(30),
    fc.nat(30),
    fc.option(fc.constantFrom('a1', 'rc2', '.post1', '.dev3'), { nil: undefined }),
  )
  .map(([a, b, s]) => `${a}.${b}${s ?? ''}`);
const tagArb = fc.constantFrom(
  'py3-none-any',
  'cp311-cp311-manylinux_2_17_x86_64',
  'cp312-abi3-win_amd64',
  'py2.py3-none-any',
);
const attrText = fc
  .string({ maxLength: 12 })
  .filter((s) => [...s].every((c) => c.charCodeAt(0) >= 0x20));

const fileArb = fc.record({
  name: nameArb,
  version: versionArb,
  tag: tagArb,
  sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
  requiresPython: fc.option(fc.constantFrom('>=3.8', '<4,>=3.9', '!=3.0.*'), { nil: null }),
  yanked: fc.option(attrText, { nil: false as const }),
  metadata: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: false as const }),
});

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

describe('simple API serializations', () => {
  it('PEP 691 JSON and PEP 503 HTML of the same files parse the same', () => {
    fc.assert(
      fc.property(fc.array(fileArb, { maxLength: 6 }), (files) => {
        const base = 'https://idx.example/simple/p/';
        const named = files.map((f) => ({ ...f, filename: `${f.name}-${f.version}-${f.tag}.whl` }));
        const json = parseJsonPage(
          JSON.stringify({
            meta: { 'api-version': '1.1' },
            name: 'p',
            files: named.map((f) => ({
              filename: f.filename,
              url: `../../files/${encodeURIComponent(f.filename)}`,
              hashes: { sha256: f.sha256 },
              ...(f.requiresPython !== null && { 'requires-python': f.requiresPython }),
              ...(f.yanked !== false && { yanked: f.yanked === '' ? true : f.yanked }),
              ...(f.metadata !== false && { 'core-metadata': { sha256: f.metadata } }),
            })),
          }),
          base,
        );
        const html = parseHtmlPage(
          named
            .map(
              (f) =>
                `<a href="../../files/${encodeURIComponent(f.filename)}#sha256=${f.sha256}"` +
                (f.requiresPython !== null
                  ? ` data-requires-python="${escapeHtml(f.requiresPython)}"`
                  : '') +
                (f.yanked !== false ? ` data-yanked="${escapeHtml(f.yanked)}"` : '') +
                (f.metadata !== false ? ` data-core-metadata="sha256=${f.metadata}"` : '') +
                `>${escapeHtml(f.filename)}</a><br/>`,
            )
            .join('\n'),
          base,
        );
        expect(html.files).toEqual(json.files);
        expect(json.files.map((f) => f.filename)).toEqual(named.map((f) => f.filename));
      }),
    );
  });
});

describe('file names and credentials', () => {
  it('a wheel name gives back its name, version and every tag of its tag set', () => {
    fc.assert(
      fc.property(nameArb, versionArb, tagArb, (name, version, tag) => {
        const parsed = parseWheelName(`${name}-${version}-${tag}.whl`);
        expect(parsed?.name).toBe(name);
        expect(parsed?.version).toBe(version);
        const [py, abi, plat] = tag.split('-') as [string, string, string];
        expect(parsed?.tags).toEqual(py.split('.').map((p) => `${p}-${abi}-${plat}`));
      }),
    );
  });

  it('netrc files round-trip; redacted URLs never show a password', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9._-]{1,10}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(token, token, token), { selector: (m) => m[0], maxLength: 4 }),
        (machines) => {
          const text = machines
            .map(([h, l, p]) => `machine ${h}\n  login ${l}\n  password ${p}\n`)
            .join('');
          expect([...parseNetrc(text).machines]).toEqual(
            machines.map(([h, l, p]) => [h, { login: l, password: p }]),
          );
        },
      ),
    );
    fc.assert(
      fc.property(token, fc.stringMatching(/^[A-Za-z0-9]{6,12}$/), (user, password) => {
        const shown = redactUrl(`https://${user}:${password}@index.example/simple`);
        expect(shown).toBe(`https://${user}:****@index.example/simple`);
        expect(redactUrl(shown)).toBe(shown);
      }),
    );
  });
});
