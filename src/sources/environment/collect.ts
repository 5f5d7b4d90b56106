/**
 * An installed environment's distributions as audit dependencies: the first distribution of
 * a name on the path wins (as `importlib.metadata` decides), versions are PEP 440-normalized
 * (as `pip list` prints them), and `Requires-Dist` — markers evaluated for that environment —
 * gives each one whether it is direct (nothing installed requires it) and the shortest chain
 * that pulls it in.
 */
import type { CollectResult, Dependency } from '../../core/dependency.js';
import {
  evaluateMarkerPartial,
  markerVariables,
  type MarkerEnvironment,
} from '../../standards/markers.js';
import { normalizeVersion } from '../../standards/pep440.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { parseRequirement } from '../../standards/pep508.js';
import { scanPathEntry, type InstalledDistribution } from './scan.js';

export interface EnvironmentCollectOptions {
  readonly paths: readonly string[];
  readonly markers: MarkerEnvironment;
  /** `--skip-editable`. */
  readonly skipEditable?: boolean;
  /** Canonical names to leave out (`--exclude`). */
  readonly exclude?: ReadonlySet<string>;
}

/** Every distribution on the path, first of each name only, sorted by canonical name. */
export async function installedDistributions(
  paths: readonly string[],
): Promise<{ distributions: InstalledDistribution[]; shadowed: InstalledDistribution[] }> {
  const perPath = await Promise.all(paths.map((p) => scanPathEntry(p)));
  const seen = new Map<string, InstalledDistribution>();
  const shadowed: InstalledDistribution[] = [];
  for (const list of perPath) {
    for (const dist of list) {
      const key = canonicalizeName(dist.name);
      if (seen.has(key)) shadowed.push(dist);
      else seen.set(key, dist);
    }
  }
  const distributions = [...seen.values()].sort((a, b) => {
    const x = canonicalizeName(a.name);
    const y = canonicalizeName(b.name);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { distributions, shadowed };
}

/** The installed projects each distribution requires, for this environment. */
function requirementEdges(
  dist: InstalledDistribution,
  installed: ReadonlySet<string>,
  markers: MarkerEnvironment,
): string[] {
  const edges: string[] = [];
  for (const text of dist.requires) {
    let req;
    try {
      req = parseRequirement(text);
    } catch {
      continue; // an unreadable Requires-Dist line only costs the graph an edge
    }
    const target = canonicalizeName(req.name);
    if (!installed.has(target)) continue;
    if (req.marker) {
      let applies: boolean | null;
      try {
        applies = evaluateMarkerPartial(req.marker, { ...markers, extra: '' });
      } catch {
        applies = null;
      }
      // A requirement of an extra counts when its target is installed: the extra was asked for.
      if (applies === false && !markerVariables(req.marker).has('extra')) continue;
    }
    edges.push(target);
  }
  return edges;
}

export async function collectEnvironment(
  options: EnvironmentCollectOptions,
): Promise<CollectResult> {
  const { distributions, shadowed } = await installedDistributions(options.paths);
  const installed = new Set(distributions.map((d) => canonicalizeName(d.name)));
  const edges = new Map(
    distributions.map((d) => [
      canonicalizeName(d.name),
      requirementEdges(d, installed, options.markers),
    ]),
  );
  const requiredBy = new Set([...edges.values()].flat());

  // Shortest chains from the direct (unrequired) distributions, breadth first.
  const via = new Map<string, string[]>();
  const queue: string[] = [];
  for (const name of installed) {
    if (!requiredBy.has(name)) {
      via.set(name, []);
      queue.push(name);
    }
  }
  while (queue.length > 0) {
    const name = queue.shift() as string;
    for (const next of edges.get(name) ?? []) {
      if (!via.has(next)) {
        via.set(next, [...(via.get(name) as string[]), name]);
        queue.push(next);
      }
    }
  }

  // A shadowed copy of another version is worth knowing (a stale install); a duplicate
  // record of the same version (Debian ships both .dist-info and .egg-info) is not.
  const first = new Map(distributions.map((d) => [canonicalizeName(d.name), d]));
  const warnings = shadowed
    .filter((d) => first.get(canonicalizeName(d.name))?.version !== d.version)
    .map(
      (d) =>
        `${d.name} ${d.version ?? '(no version)'} at ${d.location} is shadowed by ${first.get(canonicalizeName(d.name))?.location} earlier on the path; it is not audited`,
    );
  const dependencies: Dependency[] = [];
  for (const dist of distributions) {
    const name = canonicalizeName(dist.name);
    if (options.exclude?.has(name)) continue;
    const base = {
      name,
      displayName: dist.name,
      origin: { file: dist.location },
      // Only cycles leave a distribution unreached; such a package counts as direct.
      graph: { direct: !requiredBy.has(name), via: via.get(name) ?? [] },
    };
    if (dist.error !== undefined || dist.version === undefined) {
      dependencies.push({
        ...base,
        kind: 'skipped',
        skipKind: 'broken',
        skipReason: `could not read its metadata: ${dist.error ?? 'no version'}`,
      });
      continue;
    }
    const editable = dist.directUrl?.editable === true || dist.eggLink === true;
    if (editable && options.skipEditable) {
      dependencies.push({
        ...base,
        kind: 'skipped',
        skipKind: 'excluded',
        skipReason: 'distribution marked as editable (--skip-editable)',
      });
      continue;
    }
    const version = normalizeVersion(dist.version);
    if (version === null) {
      dependencies.push({
        ...base,
        kind: 'skipped',
        skipKind: 'invalid-version',
        skipReason: `version ${dist.version} is not a valid PEP 440 version and cannot be matched against advisories`,
      });
      continue;
    }
    dependencies.push({ ...base, kind: 'resolved', version });
  }
  return { dependencies, warnings };
}
