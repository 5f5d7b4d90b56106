/**
 * An installed environment's distributions as audit dependencies: the first distribution of
 * a name on the path wins (as `importlib.metadata` decides), versions are PEP 440-normalized
 * (as `pip list` prints them), and `Requires-Dist` with pip's `REQUESTED` markers gives each
 * one whether it is direct and the shortest chain that pulls it in (see graph.ts).
 */
import { invalidVersionSkip, type CollectResult, type Dependency } from '../../core/dependency.js';
import type { MarkerEnvironment } from '../../standards/markers.js';
import { normalizeVersion } from '../../standards/pep440.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { environmentGraph } from './graph.js';
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

export async function collectEnvironment(
  options: EnvironmentCollectOptions,
): Promise<CollectResult> {
  const { distributions, shadowed } = await installedDistributions(options.paths);
  const graph = environmentGraph(
    distributions.map((d) => ({
      name: canonicalizeName(d.name),
      requires: d.requires,
      requested: d.requested === true,
    })),
    options.markers,
  );

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
      graph: graph.get(name) ?? { direct: true, via: [] },
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
        ...(normalizeVersion(dist.version) !== null && {
          version: normalizeVersion(dist.version) as string,
        }),
        skipReason: 'distribution marked as editable (--skip-editable)',
      });
      continue;
    }
    const version = normalizeVersion(dist.version);
    if (version === null) {
      dependencies.push(invalidVersionSkip(base, dist.version));
      continue;
    }
    dependencies.push({ ...base, kind: 'resolved', version });
  }
  return { dependencies, warnings };
}
