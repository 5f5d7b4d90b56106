/**
 * A backtracking resolver in the manner of resolvelib as pip drives it: one requirement set
 * ("criterion") per identifier, where an identifier is a project (`werkzeug`) or a project
 * with extras (`requests[socks]`, which depends on `requests` at the same version). Each
 * round pins the unsatisfied identifier pip would prefer (pip's `get_preference`: pinned
 * `==` first, then shallower, then the user's order, then constrained, then by name) to the
 * newest admissible version whose dependencies fit; when none fits, it backtracks.
 *
 * Pure logic over a {@link Provider}, so it can be tested without an index; the provider
 * does the I/O (and can prefetch while the resolver works).
 */
import { PyauditError } from '../core/errors.js';
import { specifierContains, type Specifier, type Version } from '../standards/pep440.js';
import { applicableVersions } from './prereleases.js';

/** One requirement on an identifier. */
export interface ResolverRequirement {
  /** Canonical project name. */
  readonly name: string;
  /** Canonical extras, sorted, without duplicates. */
  readonly extras: readonly string[];
  readonly specifiers: readonly Specifier[];
  /** The requirement as written, for messages (`werkzeug>=3.0`). */
  readonly text: string;
  /** Who asks: `requirements.txt:3`, or a pinned candidate `flask 3.0.0`. */
  readonly from: string;
  /** The identifier of the candidate that asks (null for a root requirement). */
  readonly parent: string | null;
}

/** A version of a project the provider can offer. */
export interface Candidate {
  readonly name: string;
  /** The version as the index spells it. */
  readonly version: string;
  readonly parsed: Version;
  /** PEP 592: every file of this version is yanked. */
  readonly yanked: boolean;
}

export type Dependencies =
  | {
      readonly kind: 'known';
      /** Requirements already filtered by markers for the target and the extras asked. */
      readonly requirements: readonly ResolverRequirement[];
    }
  | { readonly kind: 'unknown'; readonly reason: string }
  /** The candidate cannot be installed here (Requires-Python, inconsistent metadata). */
  | { readonly kind: 'unusable'; readonly reason: string };

export interface Provider {
  /** Every installable version of a project, newest first (empty when the index lacks it). */
  candidates(name: string): Promise<readonly Candidate[]>;
  /** The dependencies of a candidate with the given extras. */
  dependencies(candidate: Candidate, extras: readonly string[]): Promise<Dependencies>;
  /** A hint: this requirement was just seen (start fetching its likely candidate). */
  prefetch?(requirement: ResolverRequirement, allowPrereleases: boolean): void;
  /** Where the candidates come from, for messages (`https://pypi.org/simple`). */
  readonly description: string;
  /** Why a project has no candidates (not on the index, or nothing installs on the target). */
  explainEmpty?(name: string): string;
  /** PEP 792 statuses (other than `active`) of a project, where the index gives them. */
  statusOf?(name: string): ReadonlyArray<{ readonly index: string; readonly status: string }>;
}

/** A `-c` constraint: filters versions of a project without requiring it. */
export interface Constraint {
  readonly name: string;
  readonly specifiers: readonly Specifier[];
  readonly text: string;
  /** `constraints.txt:2`. */
  readonly from: string;
}

export interface ResolveOptions {
  readonly constraints?: readonly Constraint[];
  /** `--pre`. */
  readonly allowPrereleases?: boolean;
  /** Give up after this many pin attempts (pip gives up too). */
  readonly maxRounds?: number;
}

export interface ResolvedPackage {
  readonly name: string;
  readonly version: string;
  /** Extras installed for it. */
  readonly extras: readonly string[];
  /** Canonical names it depends on (in the target environment). */
  readonly dependencies: readonly string[];
  /** Set when its dependencies could not be known without building it. */
  readonly unknownDependencies?: string;
  readonly yanked: boolean;
}

export interface Resolution {
  /** In pin order. */
  readonly packages: readonly ResolvedPackage[];
  readonly rounds: number;
}

export const identifierOf = (name: string, extras: readonly string[]): string =>
  extras.length > 0 ? `${name}[${extras.join(',')}]` : name;

interface Pin {
  readonly candidate: Candidate;
  readonly requirements: readonly ResolverRequirement[];
  readonly unknown?: string;
}

interface State {
  readonly pins: ReadonlyMap<string, Pin>;
  readonly criteria: ReadonlyMap<string, readonly ResolverRequirement[]>;
}

interface Frame {
  readonly before: State;
  readonly id: string;
  readonly remaining: Candidate[];
}

const isPinning = (s: Specifier): boolean =>
  (s.operator === '==' || s.operator === '===') && !s.version.endsWith('.*');

function satisfies(
  candidate: Candidate,
  reqs: readonly ResolverRequirement[],
  constraint?: Constraint,
): boolean {
  const specs = [...reqs.flatMap((r) => r.specifiers), ...(constraint?.specifiers ?? [])];
  return specs.every((s) =>
    specifierContains(
      { specifiers: [s] },
      s.operator === '===' ? candidate.version : candidate.parsed,
      {
        prereleases: true,
      },
    ),
  );
}

export class ResolutionError extends PyauditError {}

export async function resolve(
  roots: readonly ResolverRequirement[],
  provider: Provider,
  options: ResolveOptions = {},
): Promise<Resolution> {
  const allowPre = options.allowPrereleases ?? false;
  const constraints = new Map<string, Constraint>();
  for (const c of options.constraints ?? []) {
    const prior = constraints.get(c.name);
    constraints.set(
      c.name,
      prior
        ? {
            ...prior,
            specifiers: [...prior.specifiers, ...c.specifiers],
            text: `${prior.text}, ${c.text}`,
            from: `${prior.from}, ${c.from}`,
          }
        : c,
    );
  }
  const maxRounds = options.maxRounds ?? 20000;
  /** pip's preference inputs: the user's order and the depth each identifier was met at. */
  // pip keys the user's order by project name, so `web[socks]` itself has none (only `web`).
  const userOrder = new Map<string, number>();
  roots.forEach((r, i) => {
    if (!userOrder.has(r.name)) userOrder.set(r.name, i);
  });
  const depths = new Map<string, number>();
  let firstConflict: string | null = null;
  let rounds = 0;

  /** The candidates of an identifier that every requirement (and constraint) admits, best first. */
  async function matches(reqs: readonly ResolverRequirement[]): Promise<Candidate[]> {
    const name = (reqs[0] as ResolverRequirement).name;
    const all = await provider.candidates(name);
    const specs = [
      ...reqs.flatMap((r) => r.specifiers),
      ...(constraints.get(name)?.specifiers ?? []),
    ];
    const applicable = applicableVersions(all, specs, allowPre);
    // PEP 592 as pip applies it: yanked versions only when pinned and nothing else fits.
    const pinned = specs.some(isPinning);
    const allYanked = applicable.length > 0 && applicable.every((c) => c.yanked);
    return applicable.filter((c) => !c.yanked || (allYanked && pinned));
  }

  function describeConflict(
    reqs: readonly ResolverRequirement[],
    available: readonly Candidate[],
  ): string {
    const name = (reqs[0] as ResolverRequirement).name;
    const asks = [...new Set(reqs.map((r) => `${r.from} requires ${r.text}`))].join(', ');
    const constraint = constraints.get(name);
    if (available.length === 0) {
      return `${asks}, but ${provider.explainEmpty?.(name) ?? `${provider.description} has no installable version of ${name}`}`;
    }
    if (constraint)
      return `${asks}, but ${constraint.from} constrains ${name} to ${constraint.text}`;
    const shown = available.slice(0, 5).map((c) => c.version);
    const more = available.length > shown.length ? ', …' : '';
    return `${asks}, but no version of ${name} on ${provider.description} matches (newest: ${shown.join(', ')}${more})`;
  }

  async function addRequirements(
    state: State,
    reqs: readonly ResolverRequirement[],
  ): Promise<
    | { ok: true; criteria: Map<string, readonly ResolverRequirement[]> }
    | { ok: false; conflict: string }
  > {
    const criteria = new Map(state.criteria);
    const touched = new Set<string>();
    for (const r of reqs) {
      const id = identifierOf(r.name, r.extras);
      criteria.set(id, [...(criteria.get(id) ?? []), r]);
      touched.add(id);
      if (!depths.has(id) && r.parent !== null) depths.set(id, (depths.get(r.parent) ?? 1) + 1);
      provider.prefetch?.(r, allowPre);
    }
    for (const id of touched) {
      const idReqs = criteria.get(id) as readonly ResolverRequirement[];
      const pin = state.pins.get(id);
      const name = (idReqs[0] as ResolverRequirement).name;
      if (pin) {
        if (!satisfies(pin.candidate, idReqs, constraints.get(name)))
          return {
            ok: false,
            conflict: `${[...new Set(idReqs.map((r) => `${r.from} requires ${r.text}`))].join(', ')}: no version of ${name} satisfies them all`,
          };
        continue;
      }
      const found = await matches(idReqs);
      if (found.length === 0) {
        return { ok: false, conflict: describeConflict(idReqs, await provider.candidates(name)) };
      }
    }
    return { ok: true, criteria };
  }

  function preference(
    id: string,
    criteria: ReadonlyMap<string, readonly ResolverRequirement[]>,
  ): Array<number | string> {
    const reqs = criteria.get(id) as readonly ResolverRequirement[];
    const specs = reqs.flatMap((r) => r.specifiers);
    const pinned = specs.some((s) => s.operator.startsWith('=='));
    const depth = reqs.some((r) => r.parent === null)
      ? 1
      : Math.min(...reqs.map((r) => (r.parent === null ? 0 : (depths.get(r.parent) ?? 1)))) + 1;
    depths.set(id, depth);
    return [pinned ? 0 : 1, depth, userOrder.get(id) ?? Infinity, specs.length > 0 ? 0 : 1, id];
  }

  const compare = (a: Array<number | string>, b: Array<number | string>): number => {
    for (let i = 0; i < a.length; i++) {
      const x = a[i] as number | string;
      const y = b[i] as number | string;
      if (x === y) continue;
      return x < y ? -1 : 1;
    }
    return 0;
  };

  const initial: State = { pins: new Map(), criteria: new Map() };
  for (const r of roots)
    if (!depths.has(identifierOf(r.name, r.extras))) depths.set(identifierOf(r.name, r.extras), 1);
  const start = await addRequirements(initial, roots);
  if (!start.ok)
    throw new ResolutionError('input', `cannot resolve the requirements: ${start.conflict}`);
  let state: State = { ...initial, criteria: start.criteria };
  const stack: Frame[] = [];

  /** Tries the remaining candidates of a frame; returns the next state, or null when none fits. */
  async function attempt(frame: Frame): Promise<State | null> {
    while (frame.remaining.length > 0) {
      const candidate = frame.remaining.shift() as Candidate;
      if (++rounds > maxRounds)
        throw new ResolutionError(
          'input',
          `cannot resolve the requirements: gave up after ${maxRounds} attempts (resolution too deep; pin more requirements)`,
        );
      const reqs = frame.before.criteria.get(frame.id) as readonly ResolverRequirement[];
      const { name, extras } = reqs[0] as ResolverRequirement;
      const deps = await provider.dependencies(candidate, extras);
      if (deps.kind === 'unusable') {
        firstConflict ??= `${name} ${candidate.version}: ${deps.reason}`;
        continue;
      }
      const from = `${identifierOf(name, extras)} ${candidate.version}`;
      // An extras identifier stands for its project at the same version.
      const own: ResolverRequirement[] =
        extras.length > 0
          ? [
              {
                name,
                extras: [],
                specifiers: [{ operator: '==', version: candidate.version }],
                text: `${name}==${candidate.version}`,
                from,
                parent: frame.id,
              },
            ]
          : [];
      const requirements = [...own, ...(deps.kind === 'known' ? deps.requirements : [])];
      const pinned: State = {
        ...frame.before,
        pins: new Map(frame.before.pins).set(frame.id, {
          candidate,
          requirements,
          ...(deps.kind === 'unknown' && { unknown: deps.reason }),
        }),
      };
      const added = await addRequirements(pinned, requirements);
      if (!added.ok) {
        firstConflict ??= added.conflict;
        continue;
      }
      return { ...pinned, criteria: added.criteria };
    }
    return null;
  }

  for (;;) {
    // A pin always satisfies its criterion: requirements that a pin does not satisfy are
    // refused when they are added (see addRequirements), so only unpinned ones remain.
    const unsatisfied = [...state.criteria.keys()].filter((id) => !state.pins.has(id));
    if (unsatisfied.length === 0) break;
    const id = unsatisfied
      .map((u) => ({ u, key: preference(u, state.criteria) }))
      .sort((a, b) => compare(a.key, b.key))[0]!.u;
    const reqs = state.criteria.get(id) as readonly ResolverRequirement[];
    const before: State = state.pins.has(id)
      ? { ...state, pins: new Map([...state.pins].filter(([k]) => k !== id)) }
      : state;
    const frame: Frame = {
      before,
      id,
      remaining: await matches(reqs),
    };
    let next = await attempt(frame);
    if (next) stack.push(frame);
    while (!next) {
      // Backtrack: the previous choice cannot lead to a solution with this one.
      const previous = stack.pop();
      if (!previous) {
        throw new ResolutionError(
          'input',
          `cannot resolve the requirements: ${firstConflict ?? describeConflict(reqs, await provider.candidates((reqs[0] as ResolverRequirement).name))}`,
        );
      }
      next = await attempt(previous);
      if (next) stack.push(previous);
    }
    state = next;
  }

  const packages = new Map<string, { pin: Pin; extras: Set<string>; deps: Set<string> }>();
  for (const [, pin] of state.pins) {
    const name = pin.candidate.name;
    const entry = packages.get(name) ?? { pin, extras: new Set<string>(), deps: new Set<string>() };
    for (const r of pin.requirements) if (r.name !== name) entry.deps.add(r.name);
    if (pin.unknown) entry.pin = pin;
    packages.set(name, entry);
  }
  for (const [id, pin] of state.pins) {
    const m = /\[(.*)\]$/.exec(id);
    if (m)
      for (const e of (m[1] as string).split(',')) packages.get(pin.candidate.name)?.extras.add(e);
  }
  return {
    packages: [...packages.values()].map(({ pin, extras, deps }) => ({
      name: pin.candidate.name,
      version: pin.candidate.version,
      extras: [...extras].sort(),
      dependencies: [...deps],
      ...(pin.unknown !== undefined && { unknownDependencies: pin.unknown }),
      yanked: pin.candidate.yanked,
    })),
    rounds,
  };
}
