import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluateMarker,
  formatMarker,
  InvalidMarkerError,
  parseMarker,
  UndefinedComparisonError,
  UndefinedEnvironmentNameError,
  type MarkerEnvironment,
} from './markers.js';
import { canonicalizeName } from './pep503.js';
import { formatRequirement, InvalidRequirementError, parseRequirement } from './pep508.js';

interface RequirementCase {
  input: string;
  valid: boolean;
  error?: string;
  name?: string;
  extras?: string[];
  specifier?: string;
  url?: string | null;
  marker?: string | null;
  str?: string;
}
interface MarkerCase {
  marker: string;
  valid: boolean;
  error?: string;
  str?: string;
  results?: Record<string, boolean | 'UndefinedComparison' | 'UndefinedEnvironmentName'>;
}
const golden = JSON.parse(
  readFileSync(new URL('../../test/fixtures/pep508-golden.json', import.meta.url), 'utf8'),
) as {
  generator: string;
  requirements: RequirementCase[];
  environments: Record<string, MarkerEnvironment>;
  markers: MarkerCase[];
};

describe(`PEP 508 requirements match ${golden.generator}`, () => {
  it.each(golden.requirements)('$input', (c) => {
    if (!c.valid) {
      let error: unknown;
      try {
        parseRequirement(c.input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidRequirementError);
      expect((error as InvalidRequirementError).reason).toBe(c.error);
      return;
    }
    const r = parseRequirement(c.input);
    expect(r.name).toBe(c.name);
    expect([...r.extras].sort()).toEqual(c.extras);
    expect(r.url).toBe(c.url);
    expect(r.marker ? formatMarker(r.marker) : null).toBe(c.marker);
    expect(formatRequirement(r)).toBe(c.str);
  });

  it('renders the error with a caret under the offending span', () => {
    try {
      parseRequirement('this is not a requirement!!');
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidRequirementError).detail).toBe(
        'Expected semicolon (after name with no version specifier) or end\n' +
          '    this is not a requirement!!\n' +
          '         ^',
      );
    }
  });
});

describe(`PEP 508 markers match ${golden.generator}`, () => {
  for (const c of golden.markers) {
    it(c.marker, () => {
      if (!c.valid) {
        expect(() => parseMarker(c.marker)).toThrow(InvalidMarkerError);
        return;
      }
      const marker = parseMarker(c.marker);
      expect(formatMarker(marker)).toBe(c.str);
      for (const [envName, expected] of Object.entries(c.results!)) {
        const env = golden.environments[envName]!;
        if (expected === 'UndefinedComparison') {
          expect(() => evaluateMarker(marker, env)).toThrow(UndefinedComparisonError);
        } else if (expected === 'UndefinedEnvironmentName') {
          expect(() => evaluateMarker(marker, env)).toThrow(UndefinedEnvironmentNameError);
        } else {
          expect([envName, evaluateMarker(marker, env)]).toEqual([envName, expected]);
        }
      }
    });
  }

  it('reports a variable missing from the environment', () => {
    expect(() => evaluateMarker('python_version < "3"', { os_name: 'posix' })).toThrow(
      UndefinedEnvironmentNameError,
    );
  });
});

describe('PEP 503 names', () => {
  it.each([
    ['Django', 'django'],
    ['oslo.concurrency', 'oslo-concurrency'],
    ['Foo__Bar--baz..QUX', 'foo-bar-baz-qux'],
    ['zope.interface', 'zope-interface'],
    ['jw.util', 'jw-util'],
  ])('%s → %s', (name, expected) => {
    expect(canonicalizeName(name)).toBe(expected);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/), (name) => {
        const once = canonicalizeName(name);
        expect(canonicalizeName(once)).toBe(once);
        expect(once).not.toMatch(/[A-Z_.]|--/);
      }),
    );
  });
});

describe('PEP 508 properties', () => {
  it('a plain pin (name==1.2.3rc1.post2.dev3, parsed on a fast path) parses as the grammar parses it', () => {
    const pinName = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,12}[A-Za-z0-9])?$/);
    const number = fc.oneof(fc.nat(20).map(String), fc.constantFrom('0', '00', '007', '2024'));
    const optional = (arb: fc.Arbitrary<string>) => fc.oneof(fc.constant(''), arb);
    const release = fc
      .tuple(
        fc.array(number, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.')),
        optional(fc.tuple(fc.constantFrom('a', 'b', 'rc'), number).map(([l, n]) => l + n)),
        optional(number.map((n) => `.post${n}`)),
        optional(number.map((n) => `.dev${n}`)),
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(pinName, release, (n, v) => {
        const line = `${n}==${v}`;
        // A space sends the line through the grammar; it changes nothing else.
        expect(parseRequirement(line)).toEqual(parseRequirement(`${line} `));
        expect(parseRequirement(line)).toEqual({
          name: n,
          extras: [],
          specifier: `==${v}`,
          specifierSet: { specifiers: [{ operator: '==', version: v }] },
          url: null,
          marker: null,
        });
      }),
    );
  });

  const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}(?:[._-][A-Za-z0-9]{1,5}){0,2}$/);
  const version = fc.tuple(fc.nat(30), fc.nat(30)).map(([a, b]) => `${a}.${b}`);
  const op = fc.constantFrom('==', '>=', '<=', '!=', '~=', '<', '>');
  it('a formatted requirement parses back to itself', () => {
    fc.assert(
      fc.property(name, fc.array(fc.tuple(op, version), { maxLength: 3 }), (n, specs) => {
        const text = `${n}${specs.map(([o, v]) => `${o}${v}`).join(',')}; python_version >= "3.8"`;
        const parsed = parseRequirement(text);
        const again = parseRequirement(formatRequirement(parsed));
        expect(formatRequirement(again)).toBe(formatRequirement(parsed));
        expect(again.name).toBe(n);
      }),
    );
  });
});
