/**
 * Resolver invariants over random package universes (fast-check), with an in-memory provider:
 * whatever it answers satisfies every requirement, holds one version per project and nothing
 * unreachable; and when it reports a conflict, an exhaustive search finds no installable set.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVersion, specifierContains, type Specifier } from '../standards/pep440.js';
import {
  resolve,
  ResolutionError,
  type Candidate,
  type Provider,
  type ResolverRequirement,
} from './resolver.js';

interface Universe {
  /** project → version → dependencies (name, specifier). */
  readonly projects: Record<string, Record<string, Array<[string, Specifier]>>>;
  readonly roots: Array<[string, Specifier]>;
}

const NAMES = ['a', 'b', 'c', 'd'];
const VERSIONS = ['1.0', '1.1', '2.0'];

const specifierArb = fc.record({
  operator: fc.constantFrom('==', '>=', '<', '!=', '~=') as fc.Arbitrary<Specifier['operator']>,
  version: fc.constantFrom(...VERSIONS),
});

const universeArb: fc.Arbitrary<Universe> = fc
  .record({
    projects: fc.record(
      Object.fromEntries(
        NAMES.map((n) => [
          n,
          fc.subarray(VERSIONS, { minLength: 0 }).chain((versions) =>
            fc.record(
              Object.fromEntries(
                versions.map((v) => [
                  v,
                  fc.array(
                    fc.tuple(fc.constantFrom(...NAMES.filter((m) => m !== n)), specifierArb),
                    {
                      maxLength: 2,
                    },
                  ),
                ]),
              ),
            ),
          ),
        ]),
      ),
    ),
    roots: fc.array(fc.tuple(fc.constantFrom(...NAMES), specifierArb), {
      minLength: 1,
      maxLength: 3,
    }),
  })
  .map((u) => u as Universe);

const requirement = (
  [name, spec]: [string, Specifier],
  from: string,
  parent: string | null,
): ResolverRequirement => ({
  name,
  extras: [],
  specifiers: [spec],
  text: `${name}${spec.operator}${spec.version}`,
  from,
  parent,
});

function memoryProvider(u: Universe): Provider {
  return {
    description: 'memory',
    async candidates(name) {
      return Object.keys(u.projects[name] ?? {})
        .map((version): Candidate => ({
          name,
          version,
          parsed: parseVersion(version)!,
          yanked: false,
        }))
        .sort((x, y) =>
          parseVersion(y.version)!.release.join('.') > parseVersion(x.version)!.release.join('.')
            ? 1
            : -1,
        );
    },
    async dependencies(c) {
      const deps = u.projects[c.name]?.[c.version] ?? [];
      return {
        kind: 'known',
        requirements: deps.map((d) => requirement(d, `${c.name} ${c.version}`, c.name)),
      };
    },
  };
}

const admits = (version: string, spec: Specifier): boolean =>
  specifierContains({ specifiers: [spec] }, version);

/** Whether an install set exists: each project absent or at one version, closed under dependencies. */
function solvable(u: Universe): boolean {
  const choices = NAMES.map((n) => [null, ...Object.keys(u.projects[n] ?? {})]);
  const pick: Array<string | null> = [];
  const check = (): boolean => {
    const chosen = new Map(NAMES.map((n, i) => [n, pick[i] ?? null]));
    const ok = (name: string, spec: Specifier): boolean => {
      const v = chosen.get(name);
      return v !== null && v !== undefined && admits(v, spec);
    };
    if (!u.roots.every(([n, s]) => ok(n, s))) return false;
    for (const [n, v] of chosen) {
      if (v === null) continue;
      if (!(u.projects[n]?.[v] ?? []).every(([d, s]) => ok(d, s))) return false;
    }
    return true;
  };
  const walk = (i: number): boolean => {
    if (i === NAMES.length) return check();
    for (const c of choices[i]!) {
      pick[i] = c;
      if (walk(i + 1)) return true;
    }
    return false;
  };
  return walk(0);
}

describe('resolver invariants', () => {
  it('an answer satisfies every requirement, once per project, all reachable; a conflict means none exists', async () => {
    await fc.assert(
      fc.asyncProperty(universeArb, async (u) => {
        const roots = u.roots.map((r, i) => requirement(r, `requirements.txt:${i + 1}`, null));
        let result;
        try {
          result = await resolve(roots, memoryProvider(u));
        } catch (e) {
          if (!(e instanceof ResolutionError)) throw e;
          expect(e.message).toMatch(/^cannot resolve the requirements: /);
          expect(e.message).not.toContain('\n');
          expect(solvable(u)).toBe(false);
          return;
        }
        const chosen = new Map(result.packages.map((p) => [p.name, p.version]));
        expect(chosen.size).toBe(result.packages.length);
        for (const [n, s] of u.roots) expect(admits(chosen.get(n)!, s)).toBe(true);
        for (const p of result.packages) {
          for (const [d, s] of u.projects[p.name]![p.version]!)
            expect(admits(chosen.get(d) ?? 'absent', s)).toBe(true);
        }
        // Nothing unreachable from the roots.
        const seen = new Set(u.roots.map(([n]) => n));
        for (let grew = true; grew;) {
          grew = false;
          for (const p of result.packages) {
            if (!seen.has(p.name)) continue;
            for (const d of p.dependencies) if (!seen.has(d)) grew = seen.add(d) !== null;
          }
        }
        expect([...chosen.keys()].every((n) => seen.has(n))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('picks the newest version when nothing constrains it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray(VERSIONS, { minLength: 1 }), async (versions) => {
        const u: Universe = {
          projects: { a: Object.fromEntries(versions.map((v) => [v, []])) },
          roots: [['a', { operator: '>=', version: '1.0' }]],
        };
        const result = await resolve([requirement(u.roots[0]!, 'r:1', null)], memoryProvider(u));
        expect(result.packages.map((p) => p.version)).toEqual([versions[versions.length - 1]]);
      }),
    );
  });
});
