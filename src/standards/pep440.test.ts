import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  InvalidSpecifierError,
  normalizeVersion,
  parseSpecifierSet,
  parseVersion,
  specifierContains,
} from './pep440.js';

interface ParseCase {
  input: string;
  valid: boolean;
  normalized?: string;
  public?: string;
  is_prerelease?: boolean;
  is_postrelease?: boolean;
  is_devrelease?: boolean;
  epoch?: number;
  release?: string[];
}
interface SpecCase {
  specifier: string;
  valid: boolean;
  contains?: Record<string, [boolean, boolean, boolean]>;
}
interface Golden {
  generator: string;
  parse: ParseCase[];
  ordered: string[];
  pairs: [string, string, number][];
  specifiers: SpecCase[];
}

const golden = JSON.parse(
  readFileSync(new URL('../../test/fixtures/pep440-golden.json', import.meta.url), 'utf8'),
) as Golden;

describe(`PEP 440 versions match ${golden.generator}`, () => {
  it.each(golden.parse)('parses $input', (c) => {
    const v = parseVersion(c.input);
    if (!c.valid) {
      expect(v).toBeNull();
      return;
    }
    expect(v).not.toBeNull();
    expect(normalizeVersion(c.input)).toBe(c.normalized);
    expect(v!.isPrerelease).toBe(c.is_prerelease);
    expect(v!.isPostrelease).toBe(c.is_postrelease);
    expect(v!.isDevrelease).toBe(c.is_devrelease);
    expect(v!.epoch).toBe(String(c.epoch));
    expect(v!.release).toEqual(c.release);
  });

  it(`sorts ${golden.ordered.length} versions exactly as packaging does`, () => {
    const shuffled = [...golden.ordered].reverse();
    const sorted = shuffled.sort(compareVersions);
    // Equal versions (1.0 / 1.0.0) may keep either order; compare normalized-equivalence classes.
    for (let i = 0; i < golden.ordered.length; i++) {
      expect(compareVersions(sorted[i]!, golden.ordered[i]!)).toBe(0);
    }
  });

  it(`compares ${golden.pairs.length} pairs exactly as packaging does`, () => {
    const wrong = golden.pairs.filter(([a, b, expected]) => compareVersions(a, b) !== expected);
    expect(wrong).toEqual([]);
  });

  it('never throws on legacy versions and orders them before valid ones', () => {
    expect(compareVersions('2004d', '0.0.1')).toBe(-1);
    expect(compareVersions('1.0', 'latest')).toBe(1);
    expect(compareVersions('2004d', '2004d')).toBe(0);
    expect(compareVersions('abc', 'abd')).toBe(-1);
  });

  it('compares release segments beyond 2^53 exactly', () => {
    expect(compareVersions('9007199254740993', '9007199254740992')).toBe(1);
    expect(compareVersions('1.123456789012345678901', '1.123456789012345678900')).toBe(1);
    expect(normalizeVersion('00012345678901234567890')).toBe('12345678901234567890');
  });
});

describe(`PEP 440 specifiers match ${golden.generator}`, () => {
  for (const c of golden.specifiers) {
    it(`specifier '${c.specifier}'`, () => {
      if (!c.valid) {
        expect(parseSpecifierSet(c.specifier)).toBeNull();
        expect(() => specifierContains(c.specifier, '1.0')).toThrow(InvalidSpecifierError);
        return;
      }
      const wrong: string[] = [];
      for (const [version, [none, yes, no]] of Object.entries(c.contains!)) {
        const got = [
          specifierContains(c.specifier, version),
          specifierContains(c.specifier, version, { prereleases: true }),
          specifierContains(c.specifier, version, { prereleases: false }),
        ];
        if (got[0] !== none || got[1] !== yes || got[2] !== no) {
          wrong.push(`${version}: expected ${[none, yes, no]} got ${got}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});

describe('PEP 440 properties', () => {
  const segment = fc.integer({ min: 0, max: 30 }).map(String);
  const versionArb = fc
    .record({
      epoch: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      release: fc.array(segment, { minLength: 1, maxLength: 4 }),
      pre: fc.option(fc.tuple(fc.constantFrom('a', 'b', 'rc'), segment), { nil: undefined }),
      post: fc.option(segment, { nil: undefined }),
      dev: fc.option(segment, { nil: undefined }),
      local: fc.option(
        fc.array(fc.constantFrom('abc', '1', 'x2', '07'), { minLength: 1, maxLength: 3 }),
        {
          nil: undefined,
        },
      ),
    })
    .map(
      (p) =>
        `${p.epoch !== undefined ? `${p.epoch}!` : ''}${p.release.join('.')}` +
        `${p.pre ? p.pre.join('') : ''}${p.post !== undefined ? `.post${p.post}` : ''}` +
        `${p.dev !== undefined ? `.dev${p.dev}` : ''}${p.local ? `+${p.local.join('.')}` : ''}`,
    );

  it('normalization is idempotent and preserves order', () => {
    fc.assert(
      fc.property(versionArb, (v) => {
        const n = normalizeVersion(v)!;
        expect(n).not.toBeNull();
        expect(normalizeVersion(n)).toBe(n);
        expect(compareVersions(v, n)).toBe(0);
      }),
    );
  });

  it('comparison is antisymmetric and transitive', () => {
    fc.assert(
      fc.property(versionArb, versionArb, versionArb, (a, b, c) => {
        expect(compareVersions(a, b)).toBe(-compareVersions(b, a));
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) {
          expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });

  it('==V matches exactly the versions equal to V (ignoring local labels)', () => {
    fc.assert(
      fc.property(versionArb, versionArb, (a, b) => {
        const spec = `==${normalizeVersion(a)!.split('+')[0]}`;
        const equal = compareVersions(a.split('+')[0]!, b.split('+')[0]!) === 0;
        expect(specifierContains(spec, b, { prereleases: true })).toBe(equal);
      }),
    );
  });

  it('parseVersion never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const v = parseVersion(s);
        expect(v === null || typeof v.epoch === 'string').toBe(true);
        expect(() => compareVersions(s, '1.0')).not.toThrow();
      }),
    );
  });
});
