/**
 * The environment graph: which requirements count (markers, extras asked for), what is direct
 * (pip's REQUESTED, or nothing requires it) and the chains, on the Requires-Dist lines of real
 * distributions (httplib2 0.20.4, pyparsing 3.0.9, Jinja2 3.1.6, as Debian and PyPI ship them).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MarkerEnvironment } from '../../standards/markers.js';
import { environmentGraph, type GraphNode } from './graph.js';

const PY311: MarkerEnvironment = {
  python_version: '3.11',
  python_full_version: '3.11.7',
  sys_platform: 'linux',
  platform_system: 'Linux',
  os_name: 'posix',
  implementation_name: 'cpython',
  platform_python_implementation: 'CPython',
};

const HTTPLIB2 = [
  'pyparsing (<3,>=2.4.2) ; python_version < "3.0"',
  'pyparsing (!=3.0.0,!=3.0.1,!=3.0.2,!=3.0.3,<4,>=2.4.2) ; python_version > "3.0"',
];
const PYPARSING = ['railroad-diagrams ; extra == "diagrams"', 'jinja2 ; extra == "diagrams"'];
const JINJA2 = ['MarkupSafe>=2.0', 'Babel>=2.7 ; extra == "i18n"'];

const node = (name: string, requires: string[], requested = false): GraphNode => ({
  name,
  requires,
  requested,
});
const places = (nodes: GraphNode[]) =>
  Object.fromEntries(
    [...environmentGraph(nodes, PY311)].map(([name, p]) => [name, [p.direct, p.via.join(' > ')]]),
  );

describe('environment graph', () => {
  it('an extra nobody asked for pulls nothing in: a directly installed jinja2 is direct', () => {
    expect(
      places([
        node('httplib2', HTTPLIB2),
        node('jinja2', JINJA2),
        node('markupsafe', []),
        node('pyparsing', PYPARSING),
      ]),
    ).toEqual({
      httplib2: [true, ''],
      jinja2: [true, ''],
      markupsafe: [false, 'jinja2'],
      pyparsing: [false, 'httplib2'],
    });
  });

  it('an extra that something installed asks for counts, transitively', () => {
    expect(
      places([
        node('app', ['pyparsing[diagrams]>=3']),
        node('jinja2', JINJA2),
        node('markupsafe', []),
        node('pyparsing', PYPARSING),
        node('railroad-diagrams', []),
      ]),
    ).toEqual({
      app: [true, ''],
      jinja2: [false, 'app > pyparsing'],
      markupsafe: [false, 'app > pyparsing > jinja2'],
      pyparsing: [false, 'app'],
      'railroad-diagrams': [false, 'app > pyparsing'],
    });
    // Through a chain of extras: app[all] asks for pyparsing[diagrams] only inside its own extra.
    expect(
      places([
        node('app', ['tool[all]']),
        node('tool', ['pyparsing[Diagrams] ; extra == "all"']),
        node('jinja2', JINJA2),
        node('markupsafe', []),
        node('pyparsing', PYPARSING),
      ]),
    ).toEqual({
      app: [true, ''],
      jinja2: [false, 'app > tool > pyparsing'],
      markupsafe: [false, 'app > tool > pyparsing > jinja2'],
      pyparsing: [false, 'app > tool'],
      tool: [false, 'app'],
    });
    // An extra asked for only by an extra nobody asked for stays off.
    expect(
      places([
        node('tool', ['pyparsing[diagrams] ; extra == "all"']),
        node('jinja2', JINJA2),
        node('markupsafe', []),
        node('pyparsing', PYPARSING),
      ]),
    ).toEqual({
      jinja2: [true, ''],
      markupsafe: [false, 'jinja2'],
      pyparsing: [true, ''],
      tool: [true, ''],
    });
  });

  it('REQUESTED makes a distribution direct even when something else requires it', () => {
    expect(
      places([
        node('httplib2', HTTPLIB2, true),
        node('jinja2', JINJA2, true),
        node('markupsafe', []),
        node('pyparsing', PYPARSING, true),
      ]),
    ).toEqual({
      httplib2: [true, ''],
      jinja2: [true, ''],
      markupsafe: [false, 'jinja2'],
      pyparsing: [true, ''],
    });
  });

  it('a requirement on itself only turns on its extras; a false marker is no edge', () => {
    expect(
      places([
        node('celery', ['celery[redis] ; extra == "all"', 'redis ; extra == "redis"']),
        node('base', ['celery[all]', 'pywin32 ; sys_platform == "win32"']),
        node('redis', []),
        node('pywin32', []),
      ]),
    ).toEqual({
      base: [true, ''],
      celery: [false, 'base'],
      pywin32: [true, ''],
      redis: [false, 'base > celery'],
    });
  });

  it('a cycle that nothing direct requires is not direct and has no chain', () => {
    expect(places([node('a', ['b']), node('b', ['a']), node('c', ['a'], true)])).toEqual({
      a: [false, 'c'],
      b: [false, 'c > a'],
      c: [true, ''],
    });
    expect(places([node('a', ['b']), node('b', ['a'])])).toEqual({
      a: [false, ''],
      b: [false, ''],
    });
  });
});

/** Random environments of p0…p7: plain requirements, requirements with extras, extra-only lines. */
const environments = fc
  .array(
    fc.record({
      plain: fc.uniqueArray(fc.nat(7), { maxLength: 3 }),
      withExtra: fc.uniqueArray(fc.tuple(fc.nat(7), fc.constantFrom('a', 'b')), { maxLength: 2 }),
      ofExtra: fc.uniqueArray(fc.tuple(fc.nat(7), fc.constantFrom('a', 'b')), { maxLength: 2 }),
      requested: fc.boolean(),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((specs) =>
    specs.map((s, i) =>
      node(
        `p${i}`,
        [
          ...s.plain.filter((t) => t < specs.length).map((t) => `p${t}`),
          ...s.withExtra.filter(([t]) => t < specs.length).map(([t, e]) => `p${t}[${e}]`),
          ...s.ofExtra.filter(([t]) => t < specs.length).map(([t, e]) => `p${t} ; extra == "${e}"`),
        ],
        s.requested,
      ),
    ),
  );

describe('environment graph properties', () => {
  it('every chain starts at a direct distribution and follows requirements', () => {
    fc.assert(
      fc.property(environments, (nodes) => {
        const graph = environmentGraph(nodes, PY311);
        const requires = (from: string, to: string) =>
          nodes
            .find((n) => n.name === from)
            ?.requires.some((r) => r === to || r.startsWith(`${to}[`) || r.startsWith(`${to} ;`));
        for (const [name, place] of graph) {
          if (place.direct) expect(place.via).toEqual([]);
          if (place.via.length === 0) continue;
          expect(graph.get(place.via[0] as string)?.direct).toBe(true);
          const chain = [...place.via, name];
          for (let i = 1; i < chain.length; i++)
            expect(requires(chain[i - 1] as string, chain[i] as string)).toBe(true);
        }
      }),
    );
  });

  it('REQUESTED distributions are direct; without REQUESTED, direct means nothing requires it', () => {
    fc.assert(
      fc.property(environments, (nodes) => {
        const graph = environmentGraph(nodes, PY311);
        for (const n of nodes.filter((x) => x.requested))
          expect(graph.get(n.name)).toEqual({ direct: true, via: [] });
        const plain = nodes.map((n) => ({ ...n, requested: false }));
        const plainGraph = environmentGraph(plain, PY311);
        for (const n of nodes) {
          const lines = nodes
            .filter((m) => m.name !== n.name)
            .flatMap((m) => m.requires)
            .filter((r) => r.split(/[[ ]/)[0] === n.name);
          // Plain requirements always count; with no requirement at all it is direct.
          if (lines.some((r) => !r.includes(';')))
            expect(plainGraph.get(n.name)?.direct).toBe(false);
          if (lines.length === 0) expect(plainGraph.get(n.name)).toEqual({ direct: true, via: [] });
        }
      }),
    );
  });

  it('extra-only requirements that nobody asks for change nothing', () => {
    fc.assert(
      fc.property(environments, (nodes) => {
        const unasked = nodes.map((n) => ({
          ...n,
          requires: [...n.requires, ...nodes.map((m) => `${m.name} ; extra == "nobody-asks"`)],
        }));
        expect(environmentGraph(unasked, PY311)).toEqual(environmentGraph(nodes, PY311));
      }),
    );
  });
});
