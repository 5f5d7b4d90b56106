/**
 * One model for every lock file (uv, Poetry, PDM, Pipenv): the locked packages keyed by name
 * and version, their dependency edges (each naming the version or range it wants, and its
 * marker), extras and groups.
 *
 * By default every locked package with a version is audited, whatever group, extra or
 * platform brings it in: that is the lock's whole attack surface (and what pip-audit does
 * with `pylock.toml`). Selection flags narrow it to what the tool that wrote the lock would
 * install for those groups, extras and target environment; what they leave out is listed as
 * deselected. Either way each package knows whether it is direct, the shortest chain that
 * pulls it in and every group or extra that brings it.
 */
import { invalidVersionSkip, type Dependency } from '../../core/dependency.js';
import { inputError } from '../../core/errors.js';
import {
  evaluateMarkerPartial,
  formatMarker,
  parseMarker,
  type MarkerEnvironment,
} from '../../standards/markers.js';
import { normalizeVersion, specifierContains } from '../../standards/pep440.js';

export interface LockEdge {
  /** Canonical name of the required package. */
  readonly name: string;
  readonly marker?: string;
  /** Extras of the target this edge asks for. */
  readonly extras?: readonly string[];
  /** The exact locked version it points at (uv, when several versions of a name are locked). */
  readonly version?: string;
  /** A PEP 440 specifier the target's version satisfies (Poetry, PDM). */
  readonly specifier?: string;
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
  /** The package's own marker, where the format records one (Poetry, PDM, Pipenv). */
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
  /** The project's extras and the packages each installs, for formats without roots (Poetry). */
  readonly projectExtras?: Readonly<Record<string, readonly string[]>>;
  /** Other names users give a group (Pipenv: `dev` and `dev-packages` for `develop`). */
  readonly groupAliases?: Readonly<Record<string, string>>;
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
  /** `--no-extra`: left out even with `--all-extras`. */
  readonly noExtras?: readonly string[];
  /** A target environment: edges and packages whose marker is false there are left out. */
  readonly environment?: MarkerEnvironment;
  /** `--skip-editable`: editable packages are left out on purpose. */
  readonly skipEditable?: boolean;
}

/** Whether any flag narrows the audit; without one, everything locked is audited. */
export function isNarrowing(selection: Selection): boolean {
  return (
    (selection.groups?.length ?? 0) > 0 ||
    (selection.onlyGroups?.length ?? 0) > 0 ||
    (selection.noGroups?.length ?? 0) > 0 ||
    selection.noDev === true ||
    (selection.extras?.length ?? 0) > 0 ||
    selection.allExtras === true ||
    (selection.noExtras?.length ?? 0) > 0 ||
    selection.environment !== undefined
  );
}

/** What a narrowing selection asks for, for the coverage note. */
export function describeSelection(selection: Selection): string {
  if (!isNarrowing(selection)) return 'all groups, extras and platforms';
  const parts: string[] = [];
  if (selection.onlyGroups?.length) parts.push(`only groups ${selection.onlyGroups.join(', ')}`);
  else parts.push('default groups');
  if (selection.groups?.length) parts.push(`groups ${selection.groups.join(', ')}`);
  if (selection.noGroups?.length) parts.push(`without groups ${selection.noGroups.join(', ')}`);
  if (selection.noDev) parts.push('without dev groups');
  if (selection.allExtras) parts.push('all extras');
  else if (selection.extras?.length) parts.push(`extras ${selection.extras.join(', ')}`);
  if (selection.noExtras?.length) parts.push(`without extras ${selection.noExtras.join(', ')}`);
  const env = selection.environment;
  if (env) {
    const shown = Object.entries(env)
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => `${k} ${String(v)}`);
    if (shown.length > 0) parts.push(shown.join(', '));
  }
  return parts.join('; ');
}

/**
 * A marker is true unless the target environment makes it false. Unknowns count as true,
 * `extra` among them: a lock's markers name extras that the lock itself resolves.
 */
export function markerApplies(
  marker: string | undefined,
  environment: MarkerEnvironment | undefined,
): boolean {
  if (!marker || !environment) return true;
  try {
    return evaluateMarkerPartial(parseMarker(marker), environment) !== false;
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

/** Where a non-index package comes from, as shown to users. */
export function describeSource(source: LockSource): string {
  switch (source.kind) {
    case 'index':
      return 'a package index';
    case 'git':
      return `git ${source.location}`;
    case 'url':
      return `url ${source.location}`;
    default:
      return `${source.kind} ${source.location}`;
  }
}

/** Names of the groups and extras a lock records, for checking what the user asks for. */
export function lockChoices(graph: LockGraph): { groups: string[]; extras: string[] } {
  const groups = new Set<string>();
  const extras = new Set<string>();
  const roots = new Set(graph.roots);
  for (const pkg of graph.packages) {
    if (roots.has(pkg.name)) {
      for (const g of Object.keys(pkg.groups)) groups.add(g);
      for (const e of Object.keys(pkg.extras)) extras.add(e);
    }
    for (const g of pkg.memberOf ?? []) if (g !== graph.mainGroup) groups.add(g);
  }
  for (const g of graph.defaultGroups) groups.add(g);
  for (const e of Object.keys(graph.projectExtras ?? {})) extras.add(e);
  return { groups: [...groups].sort(), extras: [...extras].sort() };
}

/**
 * Refuses a group or extra the input does not have: an audit of a misspelt group would
 * otherwise check nothing and look clean. `aliases` maps other names to the input's own.
 */
export function checkChoices(
  selection: Selection,
  available: { groups: readonly string[]; extras: readonly string[] },
  file: string,
  aliases: Readonly<Record<string, string>> = {},
): Selection {
  const known = new Set(available.groups);
  const listed = (names: readonly string[]): string =>
    names.length > 0 ? `it has: ${names.join(', ')}` : 'it has none';
  const mapGroups = (flag: string, names: readonly string[] | undefined): string[] =>
    (names ?? []).map((raw) => {
      const name = aliases[raw] ?? raw;
      if (!known.has(name))
        throw inputError(
          `${flag} ${raw}: no such dependency group (${listed(available.groups)})`,
          file,
        );
      return name;
    });
  const knownExtras = new Set(available.extras);
  const checkExtras = (flag: string, names: readonly string[] | undefined): string[] =>
    (names ?? []).map((name) => {
      if (!knownExtras.has(name))
        throw inputError(`${flag} ${name}: no such extra (${listed(available.extras)})`, file);
      return name;
    });
  return {
    ...selection,
    groups: mapGroups('--group', selection.groups),
    onlyGroups: mapGroups('--only-group', selection.onlyGroups),
    noGroups: mapGroups('--no-group', selection.noGroups),
    extras: checkExtras('--extra', selection.extras),
    noExtras: checkExtras('--no-extra', selection.noExtras),
  };
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

/** Whether an extra is chosen: `--all-extras` or `--extra`, less `--no-extra`. */
export function extraChosen(selection: Selection, extra: string): boolean {
  if ((selection.noExtras ?? []).includes(extra)) return false;
  return selection.allExtras === true || (selection.extras ?? []).includes(extra);
}

/**
 * Entries of one name and version are one package (PDM repeats a package once per set of
 * extras): their edges, extras and groups are merged.
 */
function mergeDuplicates(packages: readonly LockedPackage[]): LockedPackage[] {
  const byKey = new Map<string, LockedPackage>();
  const union = <T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] => [
    ...new Set([...(a ?? []), ...(b ?? [])]),
  ];
  const mergeTables = (
    a: Readonly<Record<string, readonly LockEdge[]>>,
    b: Readonly<Record<string, readonly LockEdge[]>>,
  ): Record<string, LockEdge[]> => {
    const out: Record<string, LockEdge[]> = {};
    for (const [k, v] of [...Object.entries(a), ...Object.entries(b)])
      out[k] = [...(out[k] ?? []), ...v];
    return out;
  };
  for (const pkg of packages) {
    const version = pkg.version === undefined ? '' : (normalizeVersion(pkg.version) ?? pkg.version);
    const key = `${pkg.name}\u0000${version}\u0000${pkg.source.kind}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, pkg);
      continue;
    }
    const memberOf = union(seen.memberOf, pkg.memberOf);
    byKey.set(key, {
      ...seen,
      dependencies: [...seen.dependencies, ...pkg.dependencies],
      extras: mergeTables(seen.extras, pkg.extras),
      groups: mergeTables(seen.groups, pkg.groups),
      ...(seen.memberOf !== undefined && { memberOf }),
      marker: eitherMarker(seen.marker, pkg.marker),
    });
  }
  return [...byKey.values()];
}

/** Installed where either marker holds; no marker means everywhere. */
function eitherMarker(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || b === undefined) return undefined;
  return a === b ? a : `(${a}) or (${b})`;
}

interface Reached {
  /** Labels: `main`, a group, `extra:NAME`. */
  readonly labels: Set<string>;
  /** Extras of this package asked for by the edges that reach it. */
  readonly extras: Set<string>;
  /** The marker of the first edge that reached it. */
  marker?: string;
}

/** What one install contains: the packages it reaches, their labels, extras and chains. */
interface Walk {
  readonly reached: Map<number, Reached>;
  readonly chains: Map<number, string[]>;
}

interface WalkParams {
  readonly groups: ReadonlySet<string>;
  readonly main: boolean;
  readonly wantExtra: (extra: string) => boolean;
  /** Whether extras were asked for at all (Poetry's optional packages without `[extras]`). */
  readonly anyExtra: boolean;
  readonly env: MarkerEnvironment | undefined;
}

/** The locked packages an edge points at: its version, its range, and markers that hold. */
function edgeTargets(
  packages: readonly LockedPackage[],
  byName: ReadonlyMap<string, number[]>,
  edge: LockEdge,
  env: MarkerEnvironment | undefined,
): number[] {
  let found = byName.get(edge.name) ?? [];
  if (found.length <= 1) return found;
  if (edge.version !== undefined) {
    const want = normalizeVersion(edge.version) ?? edge.version;
    const exact = found.filter((i) => {
      const v = packages[i]!.version;
      return v !== undefined && (normalizeVersion(v) ?? v) === want;
    });
    if (exact.length > 0) return exact;
  } else if (edge.specifier) {
    const inRange = found.filter((i) => {
      const v = packages[i]!.version;
      if (v === undefined) return false;
      try {
        return specifierContains(edge.specifier as string, v, { prereleases: true });
      } catch {
        return true;
      }
    });
    if (inRange.length > 0) found = inRange;
  }
  const applying = found.filter((i) => markerApplies(packages[i]!.marker, env));
  return applying.length > 0 ? applying : found;
}

function walk(graph: LockGraph, packages: readonly LockedPackage[], params: WalkParams): Walk {
  const { groups, main, wantExtra, env } = params;
  const byName = new Map<string, number[]>();
  packages.forEach((p, i) => byName.set(p.name, [...(byName.get(p.name) ?? []), i]));
  const rootSet = new Set(graph.roots);
  const targets = (edge: LockEdge): number[] => edgeTargets(packages, byName, edge, env);
  const reached = new Map<number, Reached>();
  const queue: number[] = [];
  const enqueue = (i: number): void => {
    queue.push(i);
  };
  const reach = (edge: LockEdge, labels: Iterable<string>): void => {
    if (!markerApplies(edge.marker, env)) return;
    for (const i of targets(edge)) {
      const pkg = packages[i]!;
      if (!markerApplies(pkg.marker, env)) continue;
      let state = reached.get(i);
      let changed = false;
      if (!state) {
        state = {
          labels: new Set(),
          extras: new Set(),
          ...(edge.marker && { marker: edge.marker }),
        };
        reached.set(i, state);
        changed = true;
      }
      for (const l of labels)
        if (!state.labels.has(l)) {
          state.labels.add(l);
          changed = true;
        }
      for (const e of edge.extras ?? [])
        if (!state.extras.has(e)) {
          state.extras.add(e);
          changed = true;
        }
      if (changed) enqueue(i);
    }
  };
  const follow = (i: number): void => {
    const pkg = packages[i]!;
    const state = reached.get(i)!;
    for (const e of pkg.dependencies) reach(e, state.labels);
    for (const [extra, edges] of Object.entries(pkg.extras))
      if (state.extras.has(extra)) for (const e of edges) reach(e, state.labels);
  };

  // Start points.
  const starts: Array<{ i: number; labels: string[] }> = [];
  if (rootSet.size > 0) {
    for (const pkg of packages) {
      if (!rootSet.has(pkg.name)) continue;
      if (main) for (const e of pkg.dependencies) reach(e, ['main']);
      for (const [extra, edges] of Object.entries(pkg.extras))
        if (wantExtra(extra)) for (const e of edges) reach(e, [`extra:${extra}`]);
      for (const [group, edges] of Object.entries(pkg.groups))
        if (groups.has(group)) for (const e of edges) reach(e, [group]);
    }
  } else if (packages.some((p) => p.memberOf !== undefined)) {
    // No recorded project: a package is installed when it belongs to a chosen group, or
    // (Poetry's optional packages) to a chosen extra.
    const extrasOf = new Map<string, string[]>();
    for (const [extra, names] of Object.entries(graph.projectExtras ?? {}))
      for (const n of names) extrasOf.set(n, [...(extrasOf.get(n) ?? []), extra]);
    packages.forEach((pkg, i) => {
      if (!markerApplies(pkg.marker, env)) return;
      const labels: string[] = [];
      if (pkg.optional === true) {
        const extras = extrasOf.get(pkg.name);
        if (extras) labels.push(...extras.filter(wantExtra).map((e) => `extra:${e}`));
        else if (params.anyExtra) labels.push('extra');
      } else {
        for (const g of pkg.memberOf ?? []) {
          if (g === graph.mainGroup ? main : groups.has(g))
            labels.push(g === graph.mainGroup ? 'main' : g);
        }
      }
      if (labels.length > 0) starts.push({ i, labels });
    });
  } else {
    // A lock without its project (a virtual workspace root): what nothing requires is direct.
    const required = new Set<number>();
    for (const pkg of packages)
      for (const e of [...pkg.dependencies, ...Object.values(pkg.extras).flat()])
        for (const t of targets(e)) required.add(t);
    packages.forEach((pkg, i) => {
      if (!required.has(i) && markerApplies(pkg.marker, env)) starts.push({ i, labels: ['main'] });
    });
  }
  for (const { i, labels } of starts) {
    reached.set(i, { labels: new Set(labels), extras: new Set() });
    enqueue(i);
  }
  while (queue.length > 0) {
    const i = queue.shift() as number;
    if (rootSet.has(packages[i]!.name)) continue;
    follow(i);
  }

  // Chains: breadth first from the direct packages over the edges that were followed.
  const edgesOf = (i: number): number[] => {
    const pkg = packages[i]!;
    const state = reached.get(i);
    const edges = [
      ...pkg.dependencies,
      ...Object.entries(pkg.extras)
        .filter(([extra]) => state?.extras.has(extra))
        .flatMap(([, e]) => e),
    ];
    return edges
      .filter((e) => markerApplies(e.marker, env))
      .flatMap(targets)
      .filter((t) => reached.has(t));
  };
  const chains = new Map<number, string[]>();
  const order: number[] = [];
  if (rootSet.size > 0) {
    const rootEdges: LockEdge[] = packages
      .filter((p) => rootSet.has(p.name))
      .flatMap((p) => [
        ...p.dependencies,
        ...Object.values(p.extras).flat(),
        ...Object.values(p.groups).flat(),
      ]);
    for (const e of rootEdges)
      for (const t of targets(e))
        if (reached.has(t) && !chains.has(t)) {
          chains.set(t, []);
          order.push(t);
        }
  } else {
    const requiredBy = new Set<number>();
    for (const i of reached.keys()) for (const t of edgesOf(i)) if (t !== i) requiredBy.add(t);
    for (const i of reached.keys())
      if (!requiredBy.has(i)) {
        chains.set(i, []);
        order.push(i);
      }
  }
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (rootSet.has(packages[i]!.name)) continue;
    for (const t of edgesOf(i)) {
      if (chains.has(t)) continue;
      chains.set(t, [...chains.get(i)!, packages[i]!.name]);
      order.push(t);
    }
  }
  // Packages reached only through a cycle: direct for want of a better answer.
  for (const i of reached.keys()) if (!chains.has(i)) chains.set(i, []);
  return { reached, chains };
}

export function selectLocked(graph: LockGraph, requested: Selection = {}): Dependency[] {
  const selection = checkChoices(requested, lockChoices(graph), graph.file, graph.groupAliases);
  const narrowing = isNarrowing(selection);
  const packages = mergeDuplicates(graph.packages);
  const rootSet = new Set(graph.roots);
  // Everything locked, for every package's groups and chain; then the selection, if any.
  const all = walk(graph, packages, {
    groups: new Set(lockChoices(graph).groups),
    main: true,
    wantExtra: () => true,
    anyExtra: true,
    env: undefined,
  });
  const chosen = narrowing
    ? walk(graph, packages, {
        ...chooseGroups(selection, graph.defaultGroups, graph.devGroups),
        wantExtra: (extra) => extraChosen(selection, extra),
        anyExtra: selection.allExtras === true || (selection.extras?.length ?? 0) > 0,
        env: selection.environment,
      })
    : all;

  return packages.map((pkg, i): Dependency => {
    const selected = chosen.reached.has(i);
    const shown = selected ? chosen : all;
    const state = shown.reached.get(i);
    const chain = shown.chains.get(i) ?? [];
    const marker = tidyMarker(pkg.marker ?? state?.marker);
    const labels = state ? orderLabels(state.labels) : (pkg.memberOf ?? []).map(String);
    const fromSource = pkg.source.kind === 'index' ? undefined : describeSource(pkg.source);
    const base = {
      name: pkg.name,
      displayName: pkg.displayName,
      origin: { file: graph.file, ...(pkg.line !== undefined && { line: pkg.line }) },
      ...(marker !== undefined && { marker }),
      ...(fromSource !== undefined && { from: fromSource }),
      ...(state && {
        graph: {
          direct: chain.length === 0,
          via: chain,
          ...(labels.length > 0 && { groups: labels }),
        },
      }),
      ...(!state && labels.length > 0 && { graph: { direct: true, via: [], groups: labels } }),
    };
    const version =
      pkg.version === undefined ? undefined : (normalizeVersion(pkg.version) ?? undefined);
    const withVersion = version !== undefined ? { version } : {};
    if (rootSet.has(pkg.name)) {
      const location = pkg.source.kind === 'index' ? '' : ` (${pkg.source.location})`;
      return {
        ...base,
        ...withVersion,
        kind: 'skipped',
        skipKind: 'excluded',
        skipReason: `the project or a workspace member itself${location}, not a dependency`,
      };
    }
    if (!selected) {
      const markerFalse = marker !== undefined && !markerApplies(marker, selection.environment);
      const reasons = [...labels, ...(markerFalse ? [`marker: ${marker}`] : [])];
      const why = reasons.length > 0 ? ` (${reasons.join('; ')})` : '';
      return {
        ...base,
        ...withVersion,
        kind: 'skipped',
        skipKind: 'deselected',
        skipReason: `not installed with the selected groups, extras and environment${why}`,
      };
    }
    if (pkg.source.kind === 'editable') {
      return {
        ...base,
        ...withVersion,
        kind: 'skipped',
        skipKind: selection.skipEditable ? 'excluded' : 'editable',
        skipReason: `editable install of a local project (${pkg.source.location})`,
      };
    }
    if (pkg.version === undefined) {
      return fromSource !== undefined
        ? {
            ...base,
            kind: 'skipped',
            skipKind: 'url',
            skipReason: `installed from ${fromSource} and the lock gives no version`,
          }
        : { ...base, kind: 'skipped', skipKind: 'unpinned', skipReason: 'no version specified' };
    }
    if (version === undefined) return invalidVersionSkip(base, pkg.version);
    return { ...base, kind: 'resolved', version };
  });
}

/** `main` first, then groups, then extras, each sorted. */
function orderLabels(labels: Iterable<string>): string[] {
  const rank = (l: string): number => (l === 'main' ? 0 : l.startsWith('extra') ? 2 : 1);
  return [...labels].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
