/**
 * One model for every lock file (uv, Poetry, PDM, Pipenv): the locked packages, their
 * dependency edges, extras and groups. Selection decides what an installer would install
 * for the chosen groups and extras (and, when asked, for one target environment); every
 * locked package is still listed — what is not installed as a skipped dependency that says
 * why — and each one knows whether it is direct and the shortest chain that pulls it in.
 */
import type { Dependency } from '../../core/dependency.js';
import {
  evaluateMarkerPartial,
  formatMarker,
  parseMarker,
  type MarkerEnvironment,
} from '../../standards/markers.js';
import { normalizeVersion } from '../../standards/pep440.js';

export interface LockEdge {
  /** Canonical name of the required package. */
  readonly name: string;
  readonly marker?: string;
  /** Extras of the target this edge asks for. */
  readonly extras?: readonly string[];
}

export type LockSource =
  | { readonly kind: 'index'; readonly url?: string }
  | {
      readonly kind: 'git' | 'path' | 'directory' | 'url' | 'editable' | 'virtual';
      readonly location: string;
    };

export interface LockedPackage {
  /** Canonical name. */
  readonly name: string;
  readonly displayName: string;
  readonly version?: string;
  readonly line?: number;
  readonly source: LockSource;
  readonly dependencies: readonly LockEdge[];
  /** Optional dependencies by extra. */
  readonly extras: Readonly<Record<string, readonly LockEdge[]>>;
  /** Dependency groups by name (uv's dev-dependencies of a workspace member). */
  readonly groups: Readonly<Record<string, readonly LockEdge[]>>;
  /** The package's own marker, where the format records one (Poetry, PDM). */
  readonly marker?: string;
  /** For formats without a project root: the groups the package belongs to. */
  readonly memberOf?: readonly string[];
  /** Poetry's `optional = true`: installed only through an extra. */
  readonly optional?: boolean;
}

export interface LockGraph {
  readonly file: string;
  readonly packages: readonly LockedPackage[];
  /** The project and workspace members (uv); empty when the format does not record them. */
  readonly roots: readonly string[];
  /** The group that holds the main dependencies, for formats without roots (`main`, `default`). */
  readonly mainGroup?: string;
  /** Groups installed when none is asked for. */
  readonly defaultGroups: readonly string[];
  /** Groups `--no-dev` leaves out. */
  readonly devGroups: readonly string[];
}

export interface Selection {
  /** `--group`: added to the default groups. */
  readonly groups?: readonly string[];
  /** `--only-group`: these groups only, without the main dependencies. */
  readonly onlyGroups?: readonly string[];
  /** `--no-group`. */
  readonly noGroups?: readonly string[];
  readonly noDev?: boolean;
  /** `--extra`. */
  readonly extras?: readonly string[];
  readonly allExtras?: boolean;
  /** A target environment: edges and packages whose marker is false there are left out. */
  readonly environment?: MarkerEnvironment;
}

/** Lock files are cross-platform: with no target environment every marker counts as true. */
function applies(marker: string | undefined, environment: MarkerEnvironment | undefined): boolean {
  if (!marker || !environment) return true;
  try {
    return evaluateMarkerPartial(parseMarker(marker), { extra: '', ...environment }) !== false;
  } catch {
    return true;
  }
}

function tidyMarker(marker: string | undefined): string | undefined {
  if (!marker) return undefined;
  try {
    return formatMarker(parseMarker(marker));
  } catch {
    return marker;
  }
}

function describeSource(source: LockSource): string {
  switch (source.kind) {
    case 'index':
      return 'a package index';
    case 'git':
      return `a git repository (${source.location})`;
    case 'url':
      return `a URL (${source.location})`;
    case 'editable':
      return `an editable local project (${source.location})`;
    default:
      return `a local ${source.kind} (${source.location})`;
  }
}

/**
 * The chosen groups, from a format's default and dev groups and the flags. `main` says
 * whether the main (non-group) dependencies come too: not with `--only-group`.
 */
export function chooseGroups(
  selection: Selection,
  defaults: readonly string[],
  dev: readonly string[],
): { groups: Set<string>; main: boolean } {
  const only = selection.onlyGroups ?? [];
  const groups = new Set(only.length > 0 ? only : [...defaults, ...(selection.groups ?? [])]);
  for (const g of selection.noGroups ?? []) groups.delete(g);
  if (selection.noDev) for (const g of dev) groups.delete(g);
  return { groups, main: only.length === 0 };
}

export function selectLocked(graph: LockGraph, selection: Selection = {}): Dependency[] {
  const byName = new Map(graph.packages.map((p) => [p.name, p]));
  const { groups, main } = chooseGroups(selection, graph.defaultGroups, graph.devGroups);
  const env = selection.environment;
  const wantExtra = (extra: string): boolean =>
    selection.allExtras === true || (selection.extras ?? []).includes(extra);

  // Reached packages: the chain that first reached each (shortest, breadth first) and its marker.
  const via = new Map<string, { chain: string[]; marker?: string; group?: string }>();
  const extrasOf = new Map<string, Set<string>>();
  const queue: string[] = [];
  const reach = (edge: LockEdge, chain: string[], group: string): void => {
    if (!byName.has(edge.name) || !applies(edge.marker, env)) return;
    const seen = extrasOf.get(edge.name) ?? new Set<string>();
    const newExtras = (edge.extras ?? []).filter((e) => !seen.has(e));
    for (const e of newExtras) seen.add(e);
    extrasOf.set(edge.name, seen);
    if (!via.has(edge.name)) {
      via.set(edge.name, { chain, group, ...(edge.marker && { marker: edge.marker }) });
      queue.push(edge.name);
    } else if (newExtras.length > 0) {
      queue.push(edge.name); // visit again for the extras' edges
    }
  };
  const follow = (pkg: LockedPackage, isRoot: boolean): void => {
    const chain = isRoot ? [] : [...(via.get(pkg.name)?.chain ?? []), pkg.name];
    // What brought the package in (the project's main dependencies, a group, an extra) is
    // inherited down the chain.
    const inherited = isRoot ? 'main' : (via.get(pkg.name)?.group ?? 'main');
    if (!isRoot || main) for (const e of pkg.dependencies) reach(e, chain, inherited);
    for (const [extra, edges] of Object.entries(pkg.extras)) {
      const requested = isRoot ? wantExtra(extra) : (extrasOf.get(pkg.name)?.has(extra) ?? false);
      if (requested) for (const e of edges) reach(e, chain, isRoot ? `extra:${extra}` : inherited);
    }
    if (isRoot) {
      for (const [group, edges] of Object.entries(pkg.groups))
        if (groups.has(group)) for (const e of edges) reach(e, chain, group);
    }
  };

  const rootSet = new Set(graph.roots);
  if (rootSet.size > 0) {
    for (const root of graph.roots) via.set(root, { chain: [] });
    for (const root of graph.roots) {
      const pkg = byName.get(root);
      if (pkg) follow(pkg, true);
    }
  } else {
    // No recorded project: a package is installed when it belongs to a chosen group.
    for (const pkg of graph.packages) {
      const member = (pkg.memberOf ?? []).some((g) =>
        g === graph.mainGroup ? main : groups.has(g),
      );
      const viaExtra =
        pkg.optional === true &&
        (selection.allExtras === true || (selection.extras ?? []).length > 0);
      if ((member && pkg.optional !== true) || viaExtra) {
        if (applies(pkg.marker, env)) {
          via.set(pkg.name, { chain: [] });
          queue.push(pkg.name);
        }
      }
    }
  }
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (rootSet.has(name)) continue;
    const pkg = byName.get(name);
    if (pkg) follow(pkg, false);
  }

  // Without roots, the direct packages are those no chosen package requires; chains start there.
  const requiredBy = new Set<string>();
  if (rootSet.size === 0) {
    // Edges between chosen packages, extras' edges included (their targets were chosen too).
    const edgesOf = (name: string): LockEdge[] => {
      const pkg = byName.get(name);
      return pkg ? [...pkg.dependencies, ...Object.values(pkg.extras).flat()] : [];
    };
    for (const name of via.keys())
      for (const e of edgesOf(name)) if (via.has(e.name)) requiredBy.add(e.name);
    // Recompute chains from the direct packages for formats without roots.
    const direct = [...via.keys()].filter((n) => !requiredBy.has(n));
    const chains = new Map<string, string[]>(direct.map((n) => [n, []]));
    const q = [...direct];
    while (q.length > 0) {
      const n = q.shift() as string;
      for (const e of edgesOf(n)) {
        if (via.has(e.name) && !chains.has(e.name)) {
          chains.set(e.name, [...(chains.get(n) as string[]), n]);
          q.push(e.name);
        }
      }
    }
    for (const [n, chain] of chains) via.set(n, { ...via.get(n), chain });
  }

  return graph.packages.map((pkg): Dependency => {
    const reached = via.get(pkg.name);
    const marker = tidyMarker(pkg.marker ?? reached?.marker);
    const base = {
      name: pkg.name,
      displayName: pkg.displayName,
      origin: { file: graph.file, ...(pkg.line !== undefined && { line: pkg.line }) },
      ...(marker !== undefined && { marker }),
      ...(reached && {
        graph: {
          direct: reached.chain.length === 0,
          via: reached.chain,
          ...((pkg.memberOf ?? (reached.group ? [reached.group] : undefined)) && {
            groups: pkg.memberOf ?? [reached.group as string],
          }),
        },
      }),
    };
    if (rootSet.has(pkg.name)) {
      const location = pkg.source.kind === 'index' ? '' : ` (${pkg.source.location})`;
      return {
        ...base,
        kind: 'skipped',
        skipKind: 'excluded',
        skipReason: `the project or a workspace member itself${location}, not a package from an index`,
      };
    }
    if (!reached) {
      const why =
        pkg.memberOf && pkg.memberOf.length > 0 ? ` (groups: ${pkg.memberOf.join(', ')})` : '';
      return {
        ...base,
        kind: 'skipped',
        skipKind: 'not-applicable',
        skipReason: `not installed with the selected groups, extras and environment${why}`,
      };
    }
    if (pkg.source.kind !== 'index') {
      return {
        ...base,
        kind: 'skipped',
        skipKind: pkg.source.kind === 'editable' ? 'editable' : 'url',
        skipReason: `installed from ${describeSource(pkg.source)}, not from a package index`,
      };
    }
    if (pkg.version === undefined)
      return { ...base, kind: 'skipped', skipKind: 'unpinned', skipReason: 'no version specified' };
    const version = normalizeVersion(pkg.version);
    if (version === null) {
      return {
        ...base,
        kind: 'skipped',
        skipKind: 'invalid-version',
        skipReason: `version ${pkg.version} is not a valid PEP 440 version and cannot be matched against advisories`,
      };
    }
    return { ...base, kind: 'resolved', version };
  });
}
