import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../../test/helpers/fixtures.js';
import { parsePylock } from './parse.js';

const brief = (text: string) =>
  parsePylock(text, 'pylock.toml').dependencies.map((d) =>
    d.kind === 'resolved'
      ? [d.name, d.version, d.marker ?? null]
      : [d.name, `skipped: ${d.skipReason}`, d.marker ?? null],
  );

describe('PEP 751 lock files', () => {
  it('reads every kind of package: every one with a version is audited, as in pip-audit', () => {
    const text = readFileSync(path.join(FIXTURES_DIR, 'pylock', 'pylock.toml'), 'utf8');
    expect(brief(text)).toEqual([
      ['requests', '2.19.0', null],
      ['pysocks', '1.7.1', '"socks" in extras'],
      ['pytest', '8.0.0', '"dev" in dependency_groups'],
      ['colorama', '0.4.6', 'sys_platform == "win32"'],
      ['mytool', '0.3.0', null],
      ['my-app', 'skipped: no version specified', null],
      ['vendored', '1.0', null],
      [
        'legacy-thing',
        'skipped: version 2004d is not a valid PEP 440 version and cannot be matched against advisories',
        null,
      ],
      ['numpy', '1.24.4', 'python_version < "3.9"'],
      ['numpy', '2.0.2', 'python_version >= "3.9"'],
    ]);
    const deps = parsePylock(text, 'pylock.toml').dependencies;
    expect(deps.map((d) => [d.name, d.origin.line ?? null, d.from ?? null])).toEqual([
      ['requests', 10, null],
      ['pysocks', 19, null],
      ['pytest', 24, null],
      ['colorama', 29, null],
      [
        'mytool',
        34,
        'git https://github.com/example/mytool.git@3f1c6e0c0b5e4b7a9d2f8e1a6c5b4d3e2f1a0b9c',
      ],
      ['my-app', 39, 'editable directory .'],
      ['vendored', 43, 'archive ./vendor/vendored-1.0.tar.gz'],
      ['legacy-thing', 48, null],
      ['numpy', 52, null],
      ['numpy', 57, null],
    ]);
    expect(parsePylock(text, 'pylock.toml')).toMatchObject({
      extras: ['socks'],
      dependencyGroups: ['dev'],
    });
  });

  it.each([
    [
      'lock-version = "1.0"\n[[packages]\n',
      'pylock.toml:2: invalid TOML in lockfile (Invalid TOML document: ',
    ],
    [
      'created-by = "x"\n[[packages]]\nname = "a"\nversion = "1"\n',
      'pylock.toml: missing lock-version in lockfile',
    ],
    [
      'lock-version = "2.0"\n',
      'pylock.toml: lockfile version 2.0 is not supported (pyaudit reads 1.x)',
    ],
    ['lock-version = "1.0"\n', 'pylock.toml: missing packages in lockfile'],
    [
      'lock-version = "1.0"\n[[packages]]\nversion = "1"\n',
      'pylock.toml:2: invalid package #0: no name',
    ],
    [
      'lock-version = "1.0"\n[[packages]]\nname = "a"\nmarker = "os_name =="\n',
      'pylock.toml:2: invalid package #0 (a): invalid marker: ',
    ],
    [
      'lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = 1.0\n',
      'pylock.toml:2: invalid package #0 (a): the version must be a string',
    ],
  ])('rejects %j with the file (and line)', (text, message) => {
    expect(() => parsePylock(text, 'pylock.toml')).toThrow(message);
  });

  it('reads back any list of index packages it is given', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}(?:[._-][A-Za-z0-9]{1,4})?$/);
    const version = fc.tuple(fc.nat(99), fc.nat(99)).map(([a, b]) => `${a}.${b}`);
    fc.assert(
      fc.property(fc.array(fc.tuple(name, version), { maxLength: 15 }), (packages) => {
        const text = `lock-version = "1.0"\ncreated-by = "fc"\npackages = [\n${packages
          .map(([n, v]) => `  { name = "${n}", version = "${v}" },`)
          .join('\n')}\n]\n`;
        const deps = parsePylock(text, 'pylock.toml').dependencies;
        expect(deps.map((d) => [d.displayName, d.kind === 'resolved' ? d.version : null])).toEqual(
          packages,
        );
      }),
    );
  });
});
