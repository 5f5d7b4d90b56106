/**
 * The resolution stage for requirements files: between collecting (which parses the files
 * and decides markers) and querying. The applicable named requirements become the roots,
 * `-c` constraints filter versions, and every resolved package (transitive ones included)
 * becomes an audit-ready dependency with the chain that pulls it in and the requirement
 * (file:line) that brought it. What cannot be resolved by name (URLs, editables, false
 * markers) keeps the collector's verdict.
 */
import type { CollectResult, Dependency, ResolvedDependency } from '../core/dependency.js';
import { PyauditError } from '../core/errors.js';
import type { RequirementsCollectResult } from '../sources/requirements/collect.js';
import {
  evaluateMarkerPartial,
  formatMarker,
  type MarkerEnvironment,
} from '../standards/markers.js';
import { normalizeVersion, specifierSetToString } from '../standards/pep440.js';
import { canonicalizeName } from '../standards/pep503.js';
import {
  resolve,
  type Constraint,
  type Provider,
  type Resolution,
  type ResolverRequirement,
} from './resolver.js';

export interface ResolveStageOptions {
  readonly provider: Provider;
  readonly markers: MarkerEnvironment;
  readonly allowPrereleases?: boolean;
  /** `--strict`: a package whose dependencies are unknown fails the run. */
  readonly strict?: boolean;
}

export interface ResolvedCollectResult extends CollectResult {
  readonly resolution: Resolution;
}

/** Whether a collected requirements file has anything to resolve (an unpinned named requirement). */
export function needsResolution(collected: RequirementsCollectResult): boolean {
  return collected.dependencies.some((d) => d.kind === 'skipped' && d.skipKind === 'unpinned');
}

/** Shortest chains from the roots over the resolved graph (breadth first, roots in order). */
export function viaChains(
  roots: readonly string[],
  edges: ReadonlyMap<string, readonly string[]>,
): Map<string, { via: string[]; root: string }> {
  const chains = new Map<string, { via: string[]; root: string }>();
  const queue: string[] = [];
  for (const r of roots) {
    if (chains.has(r) || !edges.has(r)) continue;
    chains.set(r, { via: [], root: r });
    queue.push(r);
  }
  while (queue.length > 0) {
    const name = queue.shift() as string;
    const chain = chains.get(name)!;
    for (const dep of edges.get(name) ?? []) {
      if (chains.has(dep)) continue;
      chains.set(dep, { via: [...chain.via, name], root: chain.root });
      queue.push(dep);
    }
  }
  return chains;
}

/** Where each direct requirement was declared, by canonical name. */
export type RootOrigins = ReadonlyMap<
  string,
  { readonly file: string; readonly line?: number; readonly displayName: string }
>;

/**
 * Resolves root requirements and turns the answer into audit-ready dependencies: each with
 * the chain that pulls it in, and the origin of the direct requirement at its head. Direct
 * ones come first in their given order, then the rest by name.
 */
export async function resolveRoots(
  roots: readonly ResolverRequirement[],
  constraints: readonly Constraint[],
  rootOrigin: RootOrigins,
  options: ResolveStageOptions,
): Promise<{ resolved: ResolvedDependency[]; warnings: string[]; resolution: Resolution }> {
  const resolution = await resolve(roots, options.provider, {
    constraints,
    allowPrereleases: options.allowPrereleases ?? false,
  });
  const edges = new Map(resolution.packages.map((p) => [p.name, p.dependencies]));
  const chains = viaChains(
    roots.map((r) => r.name),
    edges,
  );
  const warnings: string[] = [];
  const resolved: ResolvedDependency[] = [];
  for (const p of resolution.packages) {
    const chain = chains.get(p.name) ?? { via: [], root: p.name };
    const origin: { file: string; line?: number } = rootOrigin.get(chain.root) ??
      [...rootOrigin.values()][0] ?? { file: '-' };
    resolved.push({
      kind: 'resolved',
      name: p.name,
      displayName: rootOrigin.get(p.name)?.displayName ?? p.name,
      version: normalizeVersion(p.version) ?? p.version,
      origin: { file: origin.file, ...(origin.line !== undefined && { line: origin.line }) },
      graph: { direct: rootOrigin.has(p.name), via: chain.via },
    });
    if (p.unknownDependencies !== undefined) {
      const message = `${p.name} ${p.version}: ${p.unknownDependencies}`;
      if (options.strict)
        throw new PyauditError(
          'policy',
          `${message} (--strict)`,
          origin.line !== undefined
            ? { file: origin.file, line: origin.line }
            : { file: origin.file },
        );
      warnings.push(`${message}; it is audited, what it would pull in is not`);
    }
    for (const { index, status } of options.provider.statusOf?.(p.name) ?? []) {
      const message = `${p.name} ${p.version}: the project is ${status} on ${index} (PEP 792)`;
      // Quarantined: the index suspects malware; installing it is what must not happen.
      if (status === 'quarantined')
        throw new PyauditError(
          'policy',
          `${message}; remove the requirement that pulls it in`,
          origin.line !== undefined
            ? { file: origin.file, line: origin.line }
            : { file: origin.file },
        );
      warnings.push(message);
    }
    if (p.yanked)
      warnings.push(
        `${p.name} ${p.version} is yanked (PEP 592) and was chosen because it is pinned`,
      );
  }
  const order = new Map([...rootOrigin.keys()].map((n, i) => [n, i]));
  resolved.sort((a, b) => {
    const x = order.get(a.name) ?? Infinity;
    const y = order.get(b.name) ?? Infinity;
    return x !== y ? x - y : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  return { resolved, warnings, resolution };
}

export async function resolveCollected(
  collected: RequirementsCollectResult,
  options: ResolveStageOptions,
): Promise<ResolvedCollectResult> {
  const environment: MarkerEnvironment = { ...options.markers, extra: '' };
  const applies = (marker: Parameters<typeof evaluateMarkerPartial>[0] | null): boolean =>
    !marker || evaluateMarkerPartial(marker, environment) !== false;
  const roots: ResolverRequirement[] = [];
  const rootOrigin = new Map<string, { file: string; line: number; displayName: string }>();
  const constraints: Constraint[] = [];
  /** Requirements the collector kept (their markers were unknown to it) that the target rules out. */
  const inapplicable: Dependency[] = [];
  for (const r of collected.requirements) {
    const req = r.entry.requirement;
    if (!req || r.entry.link || r.entry.editable) continue;
    if (!applies(r.entry.marker)) {
      const marker = formatMarker(r.entry.marker!);
      if (!r.constraint) {
        inapplicable.push({
          kind: 'skipped',
          skipKind: 'not-applicable',
          name: canonicalizeName(req.name),
          displayName: req.name,
          origin: { file: r.file, line: r.entry.line },
          marker,
          skipReason: `not installed in the target environment (marker: ${marker})`,
        });
      }
      continue;
    }
    const name = canonicalizeName(req.name);
    const where = `${r.file}:${r.entry.line}`;
    const spec = specifierSetToString(req.specifierSet);
    if (r.constraint) {
      constraints.push({
        name,
        specifiers: req.specifierSet.specifiers,
        text: `${req.name}${spec}`,
        from: where,
      });
      continue;
    }
    const extras = [...new Set(req.extras.map(canonicalizeName))].sort();
    roots.push({
      name,
      extras,
      specifiers: req.specifierSet.specifiers,
      text: `${req.name}${extras.length ? `[${req.extras.join(',')}]` : ''}${spec}`,
      from: where,
      parent: null,
    });
    if (!rootOrigin.has(name))
      rootOrigin.set(name, { file: r.file, line: r.entry.line, displayName: req.name });
  }
  const { resolved, warnings, resolution } = await resolveRoots(
    roots,
    constraints,
    rootOrigin,
    options,
  );
  warnings.unshift(...collected.warnings);
  const names = new Set(resolved.map((d) => d.name));
  const ruledOut = new Set(inapplicable.map((d) => d.name));
  // Keep what resolution does not cover: skips decided by the collector, and wheels by path.
  const kept: Dependency[] = collected.dependencies.filter((d) =>
    d.kind === 'skipped'
      ? d.skipKind !== 'unpinned' &&
        !names.has(d.name) &&
        !(ruledOut.has(d.name) && d.skipKind === 'not-applicable')
      : !names.has(d.name) && !rootOrigin.has(d.name) && !ruledOut.has(d.name),
  );
  const newlyRuledOut = inapplicable.filter((d) => !names.has(d.name));
  return { dependencies: [...resolved, ...kept, ...newlyRuledOut], warnings, resolution };
}
