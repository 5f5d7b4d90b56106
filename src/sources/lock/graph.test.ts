/**
 * Properties of lock selection over random lock graphs: by default every package with a
 * version is audited; a selection never audits a package the default leaves out, never loses
 * one (each package is listed once, with its version), and audits exactly what the chosen
 * start points reach.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectLocked, type LockGraph, type LockedPackage } from './graph.js';

const NAMES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];

/** A graph without roots whose packages belong to `main` or `dev`, with edges between them. */
const graphs = fc
  .array(
    fc.record({
      name: fc.constantFrom(...NAMES),
      version: fc.option(
        fc.tuple(fc.nat(9), fc.nat(9)).map(([a, b]) => `${a}.${b}`),
        {
          nil: undefined,
        },
      ),
      group: fc.constantFrom('main', 'dev'),
      deps: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 3 }),
      marker: fc.constantFrom(undefined, 'sys_platform == "win32"', 'python_version < "3.9"'),
    }),
    { maxLength: 12 },
  )
  .map((specs): LockGraph => ({
    file: 'poetry.lock',
    roots: [],
    mainGroup: 'main',
    defaultGroups: ['dev'],
    devGroups: ['dev'],
    packages: specs.map((p, i): LockedPackage => ({
      name: p.name,
      displayName: p.name,
      ...(p.version !== undefined && { version: p.version }),
      line: i + 1,
      source: { kind: 'index' },
      dependencies: p.deps.map((name) => ({ name })),
      extras: {},
      groups: {},
      memberOf: [p.group],
      ...(p.marker !== undefined && { marker: p.marker }),
    })),
  }));

const key = (d: { name: string; origin: { line?: number } }): string =>
  `${d.name}@${String(d.origin.line)}`;

describe('lock selection', () => {
  it('audits every package with a version by default, each once', () => {
    fc.assert(
      fc.property(graphs, (graph) => {
        const deps = selectLocked(graph);
        const versioned = new Map<string, string>();
        for (const p of graph.packages)
          if (p.version !== undefined && !versioned.has(`${p.name} ${p.version}`))
            versioned.set(`${p.name} ${p.version}`, p.version);
        const audited = deps.filter((d) => d.kind === 'resolved');
        expect(
          audited.map((d) => `${d.name} ${d.kind === 'resolved' ? d.version : ''}`).sort(),
        ).toEqual([...versioned.keys()].sort());
      }),
    );
  });

  it('a selection only narrows, and lists what it leaves out as deselected with its version', () => {
    fc.assert(
      fc.property(
        graphs,
        fc.record({
          noDev: fc.boolean(),
          platform: fc.constantFrom('linux', 'win32'),
          python: fc.constantFrom('3.8', '3.12'),
        }),
        (graph, choice) => {
          const all = selectLocked(graph);
          const some = selectLocked(graph, {
            noDev: choice.noDev,
            environment: { sys_platform: choice.platform, python_version: choice.python },
          });
          expect(some.map(key)).toEqual(all.map(key));
          const auditedAll = new Set(all.filter((d) => d.kind === 'resolved').map(key));
          for (const d of some) {
            if (d.kind === 'resolved') expect(auditedAll.has(key(d))).toBe(true);
            else if (d.skipKind === 'deselected') {
              const locked = graph.packages[(d.origin.line as number) - 1] as LockedPackage;
              expect(d.version).toBe(locked.version);
            }
          }
          // A package whose own marker is false for the target is never audited (entries of one
          // name and version are one package, installed where any of their markers holds).
          const markerFalse = (marker: string | undefined): boolean =>
            (marker === 'sys_platform == "win32"' && choice.platform !== 'win32') ||
            (marker === 'python_version < "3.9"' && choice.python === '3.12');
          for (const d of some) {
            const locked = graph.packages[(d.origin.line as number) - 1] as LockedPackage;
            const falseHere = graph.packages
              .filter((p) => p.name === locked.name && p.version === locked.version)
              .every((p) => markerFalse(p.marker));
            if (falseHere) expect(d.kind).toBe('skipped');
            // With --no-dev, a dev package is audited only if a main package pulls it in.
            if (d.kind === 'resolved' && choice.noDev && locked.memberOf?.[0] === 'dev')
              expect(d.graph?.groups).toContain('main');
          }
        },
      ),
    );
  });
});
