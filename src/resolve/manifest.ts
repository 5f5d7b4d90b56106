/**
 * The resolution stage for manifests without a lock file (`pyproject.toml`, `Pipfile`,
 * PEP 723 scripts): the declared requirements that the selection keeps (main, chosen groups
 * and extras) and the target admits become the roots; what they resolve to is audited, each
 * package with the chain that pulls it in. The collector's other verdicts (URL, editable,
 * not selected) stand.
 */
import type { CollectResult, Dependency } from '../core/dependency.js';
import type { DeclaredRequirement } from '../sources/manifest/declared.js';
import { evaluateMarkerPartial, formatMarker } from '../standards/markers.js';
import { specifierSetToString } from '../standards/pep440.js';
import { canonicalizeName } from '../standards/pep503.js';
import { resolveRoots, type ResolveStageOptions, type RootOrigins } from './requirements.js';
import type { Resolution, ResolverRequirement } from './resolver.js';

/** Whether a manifest's collected dependencies leave anything unpinned to resolve. */
export function manifestNeedsResolution(collected: CollectResult): boolean {
  return collected.dependencies.some((d) => d.kind === 'skipped' && d.skipKind === 'unpinned');
}

export async function resolveDeclared(
  collected: CollectResult,
  declared: readonly DeclaredRequirement[],
  options: ResolveStageOptions,
): Promise<CollectResult & { resolution: Resolution }> {
  // What the collector kept for installation: pinned (audited) or unpinned (to resolve).
  const selected = new Map<string, Dependency>();
  for (const d of collected.dependencies) {
    if (d.kind === 'resolved' || d.skipKind === 'unpinned') selected.set(d.name, d);
  }
  const environment = { ...options.markers, extra: '' };
  const roots: ResolverRequirement[] = [];
  const origins = new Map<string, { file: string; line?: number; displayName: string }>();
  const ruledOut: Dependency[] = [];
  for (const d of declared) {
    const req = d.requirement;
    const name = canonicalizeName(req.name);
    const kept = selected.get(name);
    if (!kept || req.url || d.directSource || d.editable) continue;
    if (req.marker && evaluateMarkerPartial(req.marker, environment) === false) {
      if (!roots.some((r) => r.name === name) && !ruledOut.some((r) => r.name === name)) {
        const marker = formatMarker(req.marker);
        ruledOut.push({
          kind: 'skipped',
          skipKind: 'not-applicable',
          name,
          displayName: req.name,
          origin: kept.origin,
          marker,
          skipReason: `not installed in the target environment (marker: ${marker})`,
        });
      }
      continue;
    }
    const extras = [...new Set(req.extras.map(canonicalizeName))].sort();
    const where = `${kept.origin.file}${d.line !== undefined ? `:${d.line}` : ''}`;
    roots.push({
      name,
      extras,
      specifiers: req.specifierSet.specifiers,
      text: `${req.name}${extras.length ? `[${req.extras.join(',')}]` : ''}${specifierSetToString(req.specifierSet)}`,
      from: where,
      parent: null,
    });
    if (!origins.has(name))
      origins.set(name, {
        file: kept.origin.file,
        ...(kept.origin.line !== undefined && { line: kept.origin.line }),
        displayName: req.name,
      });
  }
  const rootOrigin: RootOrigins = origins;
  const { resolved, warnings, resolution } = await resolveRoots(roots, [], rootOrigin, options);
  // A direct package keeps the groups that declare it.
  const withGroups = resolved.map((r) => {
    const groups = selected.get(r.name)?.graph?.groups;
    return r.graph?.direct && groups ? { ...r, graph: { ...r.graph, groups } } : r;
  });
  const names = new Set(resolved.map((d) => d.name));
  const ruledOutNames = new Set(ruledOut.map((d) => d.name));
  const others = collected.dependencies.filter(
    (d) => !names.has(d.name) && !ruledOutNames.has(d.name) && !selected.has(d.name),
  );
  return {
    dependencies: [...withGroups, ...others, ...ruledOut.filter((d) => !names.has(d.name))],
    warnings: [...collected.warnings, ...warnings],
    resolution,
  };
}
