import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersions, specifierContains } from '../standards/pep440.js';
import { isAffected, type OsvRecord } from '../standards/osv.js';
import { chooseFixVersion, type Release } from './choose.js';

const OSV_DIR = path.resolve(import.meta.dirname, '../../test/fixtures/fix/osv');
const records: OsvRecord[] = readdirSync(OSV_DIR).map(
  (f) => JSON.parse(readFileSync(path.join(OSV_DIR, f), 'utf8')) as OsvRecord,
);
/** The PyPA records, matched with the project's OSV range rules. */
const vulnerable =
  (name: string) =>
  (version: string): boolean =>
    records.some((r) => isAffected(r, name, version));
const release = (version: string, extra: Partial<Release> = {}): Release => ({
  version,
  yanked: false,
  requiresPython: [null],
  ...extra,
});

describe('chooseFixVersion', () => {
  const jinja2 = ['2.10', '2.10.1', '2.11.3', '3.0.0'].map((v) => release(v));

  it('takes the smallest release no record affects, not the first "fixed" event', () => {
    // PYSEC-2019-217 is fixed in 2.10.1, but PYSEC-2021-66 still affects 2.10.1.
    expect(
      chooseFixVersion({
        name: 'jinja2',
        current: '2.10',
        releases: jinja2,
        isVulnerable: vulnerable('jinja2'),
      }),
    ).toEqual({ kind: 'upgrade', version: '2.11.3' });
  });

  it('skips a release a later range re-opens (werkzeug 3.0.0 is affected by PYSEC-2023-221)', () => {
    const werkzeug = ['2.3.7', '3.0.0', '3.0.1'].map((v) => release(v));
    expect(
      chooseFixVersion({
        name: 'werkzeug',
        current: '2.3.7',
        releases: werkzeug,
        isVulnerable: vulnerable('werkzeug'),
        constraints: [{ specifier: '>=3.0', reason: 'flask 3.0 requires werkzeug>=3.0' }],
      }),
    ).toEqual({ kind: 'upgrade', version: '3.0.1' });
  });

  it('passes over yanked releases and releases whose Requires-Python excludes the target', () => {
    const releases = [
      release('2.2.3'),
      release('2.3.8', { requiresPython: ['>=3.8'] }),
      release('3.0.1', { yanked: true, requiresPython: [] }),
    ];
    expect(
      chooseFixVersion({
        name: 'werkzeug',
        current: '2.2.3',
        releases,
        isVulnerable: vulnerable('werkzeug'),
        pythonVersion: '3.7',
      }),
    ).toEqual({
      kind: 'skip',
      reason: 'werkzeug 2.3.8 requires Python >=3.8 (the target is 3.7)',
    });
    expect(
      chooseFixVersion({
        name: 'werkzeug',
        current: '2.2.3',
        releases,
        isVulnerable: vulnerable('werkzeug'),
        pythonVersion: '3.11',
      }),
    ).toEqual({ kind: 'upgrade', version: '2.3.8' });
    expect(
      chooseFixVersion({
        name: 'werkzeug',
        current: '2.3.7',
        releases: [release('2.3.7'), release('3.0.1', { yanked: true })],
        isVulnerable: (v) => v !== '3.0.1',
      }),
    ).toEqual({ kind: 'skip', reason: 'no fixed release that is not yanked (3.0.1 is yanked)' });
  });

  it('names the parent whose specifier forbids the fix', () => {
    expect(
      chooseFixVersion({
        name: 'werkzeug',
        current: '2.0.3',
        releases: ['2.0.3', '2.1.1', '2.2.3', '2.3.8'].map((v) => release(v)),
        isVulnerable: vulnerable('werkzeug'),
        constraints: [
          {
            specifier: '>=0.14,<2.1',
            reason: 'flask 1.0 requires werkzeug>=0.14,<2.1; upgrade flask too',
          },
        ],
      }),
    ).toEqual({
      kind: 'skip',
      reason: 'flask 1.0 requires werkzeug>=0.14,<2.1; upgrade flask too',
    });
  });

  it('says "no fixed release" when every newer release is affected', () => {
    expect(
      chooseFixVersion({
        name: 'jinja2',
        current: '2.10',
        releases: ['2.10', '2.10.1'].map((v) => release(v)),
        isVulnerable: vulnerable('jinja2'),
      }),
    ).toEqual({ kind: 'skip', reason: 'no fixed release' });
  });

  it('leaves pre-releases out unless the current version is one', () => {
    const releases = ['1.0', '1.1rc1', '1.1'].map((v) => release(v));
    const bad = (v: string): boolean => v === '1.0';
    expect(chooseFixVersion({ name: 'p', current: '1.0', releases, isVulnerable: bad })).toEqual({
      kind: 'upgrade',
      version: '1.1',
    });
    expect(
      chooseFixVersion({ name: 'p', current: '1.1a1', releases, isVulnerable: () => false }),
    ).toEqual({ kind: 'upgrade', version: '1.1rc1' });
  });

  it('property: an upgrade is newer, unaffected, admitted, and the smallest such release', () => {
    const versionArb = fc
      .tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }))
      .map(([a, b]) => `${a}.${b}`);
    fc.assert(
      fc.property(
        fc.uniqueArray(versionArb, { minLength: 1, maxLength: 12 }),
        versionArb,
        fc.func(fc.boolean()),
        fc.option(versionArb, { nil: undefined }),
        (versions, current, affected, ceiling) => {
          const isVulnerable = (v: string): boolean => affected(v);
          const constraints =
            ceiling === undefined ? [] : [{ specifier: `<${ceiling}`, reason: 'ceiling' }];
          const choice = chooseFixVersion({
            name: 'p',
            current,
            releases: versions.map((v) => release(v)),
            isVulnerable,
            constraints,
          });
          const eligible = versions
            .filter((v) => compareVersions(v, current) > 0 && !isVulnerable(v))
            .filter((v) => ceiling === undefined || specifierContains(`<${ceiling}`, v))
            .sort(compareVersions);
          if (eligible.length === 0) expect(choice.kind).toBe('skip');
          else expect(choice).toEqual({ kind: 'upgrade', version: eligible[0] });
        },
      ),
    );
  });
});
