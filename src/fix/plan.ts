/**
 * Gathers what the fix-version choice weighs, for every vulnerable package at once: the
 * releases the package index lists (with yanked state, `Requires-Python` and sha256 per
 * file), which candidate releases the vulnerability sources say are affected (one query per
 * source for every candidate, `--ignore-vuln` applied), and the constraints the other pinned
 * packages' `Requires-Dist` put on it. Then {@link chooseFixVersion} decides.
 */
import type { ResolvedDependency } from '../core/dependency.js';
import type { DistributionFile, PackageIndex } from '../index/client.js';
import { partitionIgnored, type IgnoreRule } from '../audit/ignore.js';
import { mergeVulnerabilities } from '../audit/merge.js';
import { evaluateMarkerPartial, type MarkerEnvironment } from '../standards/markers.js';
import { compareVersions, normalizeVersion, parseVersion } from '../standards/pep440.js';
import { canonicalizeName } from '../standards/pep503.js';
import { parseRequirement } from '../standards/pep508.js';
import type { Vulnerability, VulnerabilityService } from '../vulns/types.js';
import { chooseFixVersion, type FixConstraint, type Release } from './choose.js';

/** The files of one release, for hashes. */
export interface ReleaseFiles {
  readonly version: string;
  /** `sha256:<hex>` of every file that is not yanked, sorted; null when one has no sha256. */
  readonly sha256: readonly string[] | null;
}

export type PlannedFix =
  | {
      readonly kind: 'upgrade';
      readonly dependency: ResolvedDependency;
      readonly version: string;
      readonly files: ReleaseFiles;
    }
  | { readonly kind: 'skip'; readonly dependency: ResolvedDependency; readonly reason: string };

export interface PlanOptions {
  readonly index: PackageIndex;
  readonly services: readonly VulnerabilityService[];
  /** The ignore rules in force (`--ignore-vuln`, the configuration's): ignored flaws need no fix. */
  readonly ignore?: readonly IgnoreRule[];
  /** Every pinned dependency of the input: their `Requires-Dist` constrain the fixes. */
  readonly pinned: readonly ResolvedDependency[];
  /** Constraints known from the input itself (other clauses, constraints files), by name. */
  readonly constraints?: ReadonlyMap<string, readonly FixConstraint[]>;
  readonly pythonVersion?: string;
  /** For `Requires-Dist` markers; variables left out are unknown (the requirement counts). */
  readonly markerEnvironment?: MarkerEnvironment;
  /** Things the user should know (a parent whose metadata could not be read). */
  readonly warn?: (message: string) => void;
}

const versionKey = (v: string): string => normalizeVersion(v) ?? v;

function releasesOf(files: readonly DistributionFile[]): Map<string, DistributionFile[]> {
  const byVersion = new Map<string, DistributionFile[]>();
  for (const f of files) {
    const key = versionKey(f.parsed.version);
    byVersion.set(key, [...(byVersion.get(key) ?? []), f]);
  }
  return byVersion;
}

function toRelease(version: string, files: readonly DistributionFile[]): Release {
  const live = files.filter((f) => f.yanked === false);
  return {
    version,
    yanked: live.length === 0,
    requiresPython: live.map((f) => f.requiresPython),
  };
}

function sha256Of(version: string, files: readonly DistributionFile[]): ReleaseFiles {
  const live = files.filter((f) => f.yanked === false);
  if (live.some((f) => f.hashes.sha256 === undefined)) return { version, sha256: null };
  return { version, sha256: [...new Set(live.map((f) => `sha256:${f.hashes.sha256}`))].sort() };
}

/** What each pinned package's metadata requires of the vulnerable ones, as constraints. */
async function parentConstraints(
  options: PlanOptions,
  vulnerable: ReadonlySet<string>,
): Promise<Map<string, FixConstraint[]>> {
  const found = new Map<string, FixConstraint[]>();
  await Promise.all(
    options.pinned.map(async (parent) => {
      let requiresDist: readonly string[];
      try {
        const page = await options.index.projectFiles(parent.name);
        const files = releasesOf(page.files).get(versionKey(parent.version)) ?? [];
        const file = files.find((f) => f.parsed.kind === 'wheel') ?? files[0];
        if (!file) return; // not on the index: nothing known about what it requires
        const result = await options.index.metadata(file);
        if (!result.metadata) {
          options.warn?.(
            `${parent.name} ${parent.version}: what it requires is unknown, so a fix may not suit it`,
          );
          return;
        }
        requiresDist = result.metadata.requiresDist;
      } catch {
        options.warn?.(
          `${parent.name} ${parent.version}: its metadata could not be read from the index, so a fix may not suit it`,
        );
        return;
      }
      for (const text of requiresDist) {
        let req;
        try {
          req = parseRequirement(text);
        } catch {
          continue;
        }
        const name = canonicalizeName(req.name);
        if (!vulnerable.has(name) || name === parent.name || req.specifier === '') continue;
        if (req.marker) {
          let applies: boolean | null;
          try {
            applies = evaluateMarkerPartial(req.marker, {
              extra: '',
              ...options.markerEnvironment,
            });
          } catch {
            applies = null;
          }
          if (applies === false) continue;
        }
        const spec = req.specifierSet.specifiers.map((s) => `${s.operator}${s.version}`).join(',');
        found.set(name, [
          ...(found.get(name) ?? []),
          {
            specifier: spec,
            reason: `${parent.name} ${parent.version} requires ${name}${spec}; upgrade ${parent.name} too`,
          },
        ]);
      }
    }),
  );
  return found;
}

/** Asks every source about every candidate; returns the set of `name\0version` affected. */
async function affectedCandidates(
  options: PlanOptions,
  candidates: readonly ResolvedDependency[],
): Promise<Set<string>> {
  const affected = new Set<string>();
  if (candidates.length === 0) return affected;
  const answers = await Promise.all(options.services.map((s) => s.query(candidates)));
  candidates.forEach((c, i) => {
    const vulns: Vulnerability[] = [];
    for (const answer of answers) {
      const a = answer[i];
      if (a && !('notFound' in a)) vulns.push(...a);
    }
    const { kept } = partitionIgnored(mergeVulnerabilities(vulns), c.name, options.ignore ?? []);
    if (kept.length > 0) affected.add(`${c.name}\u0000${c.version}`);
  });
  return affected;
}

/** Decides a fix for each vulnerable dependency. */
export async function planFixes(
  vulnerable: readonly ResolvedDependency[],
  options: PlanOptions,
): Promise<PlannedFix[]> {
  const pages = await Promise.all(vulnerable.map((d) => options.index.projectFiles(d.name)));
  const releases = pages.map((p) => releasesOf(p.files));
  // Every release above the current one is a candidate the sources are asked about.
  const candidates: ResolvedDependency[] = [];
  vulnerable.forEach((d, i) => {
    for (const version of (releases[i] as Map<string, DistributionFile[]>).keys()) {
      const parsed = parseVersion(version);
      if (parsed && compareVersions(parsed, d.version) > 0)
        candidates.push({ ...d, version, origin: d.origin });
    }
  });
  const affected = await affectedCandidates(options, candidates);
  const parents = await parentConstraints(options, new Set(vulnerable.map((d) => d.name)));
  return vulnerable.map((dependency, i): PlannedFix => {
    const byVersion = releases[i] as Map<string, DistributionFile[]>;
    if (byVersion.size === 0)
      return {
        kind: 'skip',
        dependency,
        reason: `${dependency.name} is not on the package index (${options.index.description})`,
      };
    const choice = chooseFixVersion({
      name: dependency.name,
      current: dependency.version,
      releases: [...byVersion].map(([v, files]) => toRelease(v, files)),
      isVulnerable: (v) => affected.has(`${dependency.name}\u0000${v}`),
      constraints: [
        ...(options.constraints?.get(dependency.name) ?? []),
        ...(parents.get(dependency.name) ?? []),
      ],
      ...(options.pythonVersion !== undefined && { pythonVersion: options.pythonVersion }),
    });
    if (choice.kind === 'skip') return { kind: 'skip', dependency, reason: choice.reason };
    return {
      kind: 'upgrade',
      dependency,
      version: choice.version,
      files: sha256Of(choice.version, byVersion.get(choice.version) ?? []),
    };
  });
}
