import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequirementsText } from '../sources/requirements/parse.js';
import { rewriteRequirements, RewriteError } from './requirements.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;
const D = `sha256:${'d'.repeat(64)}`;

describe('rewriteRequirements', () => {
  it('changes only the pinned version, keeping comments, spacing, extras, markers and options', () => {
    const before = [
      '# production pins',
      '--index-url https://example.invalid/simple  # mirror',
      '',
      'Jinja2 == 2.10   # templating; ==2.10 in this comment stays',
      'werkzeug[watchdog]>=2.0,==2.0.3 ; python_version >= "3.8" and sys_platform != "win32"',
      'requests==2.31.0',
      'flask===1.0 \\',
      '    ; os_name == "posix"',
      '',
    ].join('\r\n');
    const after = rewriteRequirements(before, [
      { line: 4, name: 'jinja2', version: '2.11.3' },
      { line: 5, name: 'Werkzeug', version: '3.0.1' },
      { line: 7, name: 'flask', version: '2.3.3' },
    ]);
    expect(after).toBe(
      [
        '# production pins',
        '--index-url https://example.invalid/simple  # mirror',
        '',
        'Jinja2 == 2.11.3   # templating; ==2.10 in this comment stays',
        'werkzeug[watchdog]>=2.0,==3.0.1 ; python_version >= "3.8" and sys_platform != "win32"',
        'requests==2.31.0',
        'flask===2.3.3 \\',
        '    ; os_name == "posix"',
        '',
      ].join('\r\n'),
    );
  });

  it('replaces --hash values, adding or dropping hashes in the layout of the line', () => {
    const before = [
      'jinja2==2.10 \\',
      `    --hash=${A} \\`,
      `    --hash=${B}`,
      `markupsafe==2.0.1 --hash ${A}`,
      `werkzeug==3.0.0 \\`,
      `    --hash=${A} \\`,
      `    --hash=${B} \\`,
      `    --hash=${C}`,
      '',
    ].join('\n');
    const after = rewriteRequirements(before, [
      { line: 1, name: 'jinja2', version: '2.11.3', hashes: [C, D, A] },
      { line: 4, name: 'markupsafe', version: '2.1.0', hashes: [B, C] },
      { line: 5, name: 'werkzeug', version: '3.0.1', hashes: [D] },
    ]);
    expect(after).toBe(
      [
        'jinja2==2.11.3 \\',
        `    --hash=${C} \\`,
        `    --hash=${D} \\`,
        `    --hash=${A}`,
        `markupsafe==2.1.0 --hash ${B} --hash ${C}`,
        `werkzeug==3.0.1 \\`,
        `    --hash=${D}`,
        '',
      ].join('\n'),
    );
  });

  it('appends a vulnerable transitive dependency as a pinned line with the reason', () => {
    expect(
      rewriteRequirements(
        'flask==2.3.3',
        [],
        [
          {
            name: 'werkzeug',
            version: '3.0.1',
            reason: 'pyaudit: werkzeug pinned to fix PYSEC-2023-221 (via flask)',
          },
        ],
      ),
    ).toBe(
      'flask==2.3.3\n# pyaudit: werkzeug pinned to fix PYSEC-2023-221 (via flask)\nwerkzeug==3.0.1\n',
    );
    expect(
      rewriteRequirements(
        `flask==2.3.3 --hash=${A}\r\n`,
        [],
        [{ name: 'werkzeug', version: '3.0.1', hashes: [B, C], reason: 'why' }],
      ),
    ).toBe(
      `flask==2.3.3 --hash=${A}\r\n# why\r\nwerkzeug==3.0.1 \\\r\n    --hash=${B} \\\r\n    --hash=${C}\r\n`,
    );
  });

  it('refuses a line that is not the pin it is asked to change', () => {
    expect(() =>
      rewriteRequirements('flask>=1.0\n', [{ line: 1, name: 'flask', version: '2' }]),
    ).toThrow(RewriteError);
    expect(() =>
      rewriteRequirements('flask==1.0\n', [{ line: 1, name: 'jinja2', version: '2' }]),
    ).toThrow('line 1 is not a requirement for jinja2');
    expect(() =>
      rewriteRequirements('flask==1.*\n', [{ line: 1, name: 'flask', version: '2' }]),
    ).toThrow('does not pin flask with ==');
  });
});

/** Random requirements files: comments, blank lines, options, pins with extras, markers, hashes, continuations. */
const nameArb = fc.constantFrom('flask', 'Jinja2', 'zope.interface', 'typing_extensions', 'a-b');
const versionArb = fc
  .array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join('.'));
const hashArb = fc.constantFrom(A, B, C, D);
const pinArb = fc.record({
  name: nameArb,
  extras: fc.constantFrom('', '[security]', '[a,b]'),
  space: fc.constantFrom('', ' '),
  op: fc.constantFrom('==', '==='),
  version: versionArb,
  before: fc.constantFrom('', '>=0.1,', '!=0.0.1, '),
  marker: fc.constantFrom('', ' ; python_version >= "3.8"', '; sys_platform == "linux"'),
  hashes: fc.array(hashArb, { maxLength: 3 }),
  continued: fc.boolean(),
  comment: fc.constantFrom('', '  # pinned ==9.9 on purpose', ' #x'),
});
type Pin = typeof pinArb extends fc.Arbitrary<infer T> ? T : never;
const render = (p: Pin, version = p.version): string[] => {
  const head = `${p.name}${p.extras}${p.space}${p.before}${p.op}${p.space}${version}${p.marker}`;
  if (p.hashes.length === 0) return [`${head}${p.comment}`];
  if (!p.continued) return [`${head} ${p.hashes.map((h) => `--hash=${h}`).join(' ')}${p.comment}`];
  return [
    `${head} \\`,
    ...p.hashes.map((h, i) => `    --hash=${h}${i < p.hashes.length - 1 ? ' \\' : p.comment}`),
  ];
};
const otherArb = fc.constantFrom('# a comment', '', '--pre', 'requests>=2 # unpinned', '   ');

describe('rewriteRequirements properties', () => {
  it('rewriting then re-parsing gives the new pin (and hashes) and leaves every other line identical', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            pinArb.map((p) => ({ pin: p })),
            otherArb.map((o) => ({ other: o })),
          ),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        pinArb,
        fc.nat(),
        versionArb,
        fc.array(hashArb, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('\n', '\r\n'),
        (items, target, position, newVersion, newHashes, eol) => {
          const blocks = items.map((i) => ('pin' in i ? render(i.pin) : [i.other]));
          const at = position % (blocks.length + 1);
          blocks.splice(at, 0, render(target));
          const lineOf = blocks.slice(0, at).reduce((n, b) => n + b.length, 1);
          const text = blocks.flat().join(eol) + eol;
          const hashes = target.hashes.length > 0 ? newHashes : undefined;
          const out = rewriteRequirements(text, [
            { line: lineOf, name: target.name, version: newVersion, ...(hashes && { hashes }) },
          ]);
          // Every line outside the edited requirement is unchanged, in place.
          const before = text.split(eol);
          const after = out.split(eol);
          const oldLength = render(target).length;
          const newLength = after.length - before.length + oldLength;
          expect(after.slice(0, lineOf - 1)).toEqual(before.slice(0, lineOf - 1));
          expect(after.slice(lineOf - 1 + newLength)).toEqual(before.slice(lineOf - 1 + oldLength));
          // Re-parsed, the requirement on that line pins the new version with the new hashes.
          const parsed = parseRequirementsText(out, {});
          const entry = parsed.entries.find((e) => e.kind === 'requirement' && e.line === lineOf);
          expect(entry?.kind).toBe('requirement');
          if (entry?.kind !== 'requirement') return;
          const pins = entry.requirement!.specifierSet.specifiers.filter(
            (s) => s.operator === target.op,
          );
          expect(pins.map((s) => s.version)).toEqual([newVersion]);
          expect(entry.hashes).toEqual(hashes ?? []);
          // And exactly that: the same as writing the file with the new pin.
          if (!hashes || !target.continued || hashes.length === target.hashes.length) {
            const expected = [
              ...blocks.slice(0, at),
              render({ ...target, hashes: hashes ?? [] }, newVersion),
              ...blocks.slice(at + 1),
            ];
            expect(out).toBe(expected.flat().join(eol) + eol);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
