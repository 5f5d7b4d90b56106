/**
 * The resolver's view of a package index for one target environment: which versions are
 * installable (a wheel whose tags the target accepts, or an sdist; `Requires-Python` of the
 * file admits the target's Python), which file of a version to read metadata from (the
 * wheel with the best tag, as pip prefers), and a candidate's dependencies for the extras
 * asked (markers evaluated for the target). Fetches run concurrently; `prefetch` starts the
 * likely candidate's metadata as soon as a requirement is seen.
 */
import type { DistributionFile, MetadataResult, PackageIndex } from '../index/client.js';
import { evaluateMarker, type MarkerEnvironment, type MarkerList } from '../standards/markers.js';
import { compareParsedVersions, parseVersion, specifierContains } from '../standards/pep440.js';
import { canonicalizeName } from '../standards/pep503.js';
import { InvalidRequirementError, parseRequirement } from '../standards/pep508.js';
import { applicableVersions } from './prereleases.js';
import type { Candidate, Dependencies, Provider, ResolverRequirement } from './resolver.js';
import type { TargetEnvironment } from './target.js';

export interface IndexCandidate extends Candidate {
  /** The file whose metadata is read. */
  readonly file: DistributionFile;
}

export interface IndexProviderEvents {
  /** Something worth a warning (an unparsable Requires-Dist line, a yanked pick …). */
  warn?(message: string): void;
}

function requiresPythonAdmits(spec: string | null, target: TargetEnvironment): boolean {
  if (spec === null) return true;
  try {
    return specifierContains(spec, target.pythonFullVersion, { prereleases: true });
  } catch {
    return true; // pip ignores an invalid Requires-Python
  }
}

/** Builds a resolver requirement from a `Requires-Dist` line of `parent`. */
export function dependencyRequirement(
  text: string,
  parentId: string,
  parentLabel: string,
): (ResolverRequirement & { readonly marker: MarkerList | null }) | null {
  let req;
  try {
    req = parseRequirement(text);
  } catch (e) {
    if (e instanceof InvalidRequirementError) return null;
    throw e;
  }
  return {
    marker: req.marker,
    name: canonicalizeName(req.name),
    extras: [...new Set(req.extras.map(canonicalizeName))].sort(),
    specifiers: req.specifierSet.specifiers,
    text: req.specifier
      ? `${req.name}${req.extras.length ? `[${req.extras.join(',')}]` : ''}${req.specifier}`
      : req.name,
    from: parentLabel,
    parent: parentId,
  };
}

export interface IndexProvider extends Provider {
  readonly metadataOf: (c: IndexCandidate) => Promise<MetadataResult>;
  /** The PEP 792 statuses (other than `active`) the indexes gave a project. */
  readonly statusOf: (name: string) => ReadonlyArray<{ index: string; status: string }>;
}

export function createIndexProvider(
  index: PackageIndex,
  target: TargetEnvironment,
  events: IndexProviderEvents = {},
): IndexProvider {
  const tagRank = new Map(target.tags.map((t, i) => [t, i]));
  const candidateMemo = new Map<string, Promise<IndexCandidate[]>>();
  /** PEP 792 statuses other than `active`, by project. */
  const statuses = new Map<string, ReadonlyArray<{ index: string; status: string }>>();

  /** The best file of a version for this target, or null when none installs here. */
  function bestFile(files: readonly DistributionFile[]): DistributionFile | null {
    let best: { file: DistributionFile; rank: number } | null = null;
    for (const f of files) {
      if (!requiresPythonAdmits(f.requiresPython, target)) continue;
      let rank: number;
      if (f.parsed.kind === 'wheel') {
        const ranks = f.parsed.tags
          .map((t) => tagRank.get(t))
          .filter((r): r is number => r !== undefined);
        if (ranks.length === 0) continue;
        rank = Math.min(...ranks);
      } else rank = Number.MAX_SAFE_INTEGER; // an sdist only when no wheel fits
      // A yanked file loses to any other.
      if (f.yanked !== false) rank += 1e15;
      if (!best || rank < best.rank) best = { file: f, rank };
    }
    return best?.file ?? null;
  }

  async function loadCandidates(name: string): Promise<IndexCandidate[]> {
    const project = await index.projectFiles(name);
    fileCounts.set(name, project.files.length);
    if (project.statuses.length > 0) statuses.set(name, project.statuses);
    const byVersion = new Map<string, { raw: string; files: DistributionFile[] }>();
    for (const f of project.files) {
      const parsed = parseVersion(f.parsed.version);
      if (!parsed) continue; // pip skips files with invalid versions
      const key = f.parsed.version.toLowerCase();
      const entry = byVersion.get(key) ?? { raw: f.parsed.version, files: [] };
      entry.files.push(f);
      byVersion.set(key, entry);
    }
    const candidates: IndexCandidate[] = [];
    for (const { raw, files } of byVersion.values()) {
      const file = bestFile(files);
      if (!file) continue;
      candidates.push({
        name,
        version: raw,
        parsed: parseVersion(raw)!,
        yanked: file.yanked !== false,
        file,
      });
    }
    // Newest first; equal versions spelled differently keep the first seen.
    candidates.sort((a, b) => compareParsedVersions(b.parsed, a.parsed));
    return candidates.filter(
      (c, i) => i === 0 || compareParsedVersions(c.parsed, candidates[i - 1]!.parsed) !== 0,
    );
  }

  function candidatesOf(name: string): Promise<IndexCandidate[]> {
    let p = candidateMemo.get(name);
    if (!p) {
      p = loadCandidates(name);
      candidateMemo.set(name, p);
    }
    return p;
  }

  const prefetched = new Set<string>();
  const dependencyMemo = new Map<string, Promise<Dependencies>>();
  /**
   * Fetches the likely candidate of a requirement, then (speculatively) the likely candidates
   * of its dependencies, and so on: the whole tree downloads at the pace of the network while
   * the resolver pins one package at a time. Errors are left for the resolver to meet.
   */
  function prefetch(requirement: ResolverRequirement, allowPrereleases: boolean): void {
    const key = `${requirement.name}[${requirement.extras.join(',')}]${requirement.specifiers.map((s) => s.operator + s.version).join(',')}`;
    if (prefetched.has(key)) return;
    prefetched.add(key);
    void candidatesOf(requirement.name)
      .then(async (all) => {
        const best = applicableVersions(all, requirement.specifiers, allowPrereleases).find(
          (c) => !c.yanked,
        );
        if (!best) return;
        const deps = await provider.dependencies(best, requirement.extras);
        if (deps.kind === 'known') for (const r of deps.requirements) prefetch(r, allowPrereleases);
      })
      .catch(() => undefined);
  }

  /** Files seen per project, for explaining an empty candidate list. */
  const fileCounts = new Map<string, number>();
  const provider: IndexProvider = {
    description: index.description,
    explainEmpty: (name) => {
      const files = fileCounts.get(name) ?? 0;
      return files === 0
        ? `${index.description} has no project named ${name}`
        : `none of the ${files} files of ${name} on ${index.description} installs on ${target.description.replace(/ \(.*$/, '')} (wheel tags, Requires-Python)`;
    },
    statusOf: (name) => statuses.get(name) ?? [],
    candidates: candidatesOf,
    metadataOf: (c: IndexCandidate) => index.metadata(c.file),
    dependencies(candidate, extras): Promise<Dependencies> {
      // Asked by the prefetcher and by the resolver, and again after backtracking: once each.
      const key = `${(candidate as IndexCandidate).file.url}[${extras.join(',')}]`;
      let p = dependencyMemo.get(key);
      if (!p) {
        p = dependenciesOf(candidate as IndexCandidate, extras);
        dependencyMemo.set(key, p);
      }
      return p;
    },
    prefetch,
  };
  async function dependenciesOf(
    candidate: IndexCandidate,
    extras: readonly string[],
  ): Promise<Dependencies> {
    const file = (candidate as IndexCandidate).file;
    const result = await index.metadata(file);
    const metadata = result.metadata;
    if (metadata) {
      if (canonicalizeName(metadata.name) !== candidate.name) {
        return {
          kind: 'unusable',
          reason: `its metadata names another project (${metadata.name})`,
        };
      }
      const v = parseVersion(metadata.version);
      if (!v || compareParsedVersions(v, candidate.parsed) !== 0) {
        return {
          kind: 'unusable',
          reason: `its metadata has another version (${metadata.version})`,
        };
      }
      if (!requiresPythonAdmits(metadata.requiresPython, target)) {
        return {
          kind: 'unusable',
          reason: `it requires Python ${metadata.requiresPython}, the target is ${target.pythonFullVersion}`,
        };
      }
    }
    if (result.kind === 'unknown') return { kind: 'unknown', reason: result.reason };
    const id = extras.length > 0 ? `${candidate.name}[${extras.join(',')}]` : candidate.name;
    const label = `${id} ${candidate.version}`;
    const environments: MarkerEnvironment[] =
      extras.length > 0
        ? extras.map((e) => ({ ...target.markers, extra: e }))
        : [{ ...target.markers, extra: '' }];
    const requirements: ResolverRequirement[] = [];
    for (const line of result.metadata.requiresDist) {
      const req = dependencyRequirement(line, id, label);
      if (!req) {
        events.warn?.(`${label}: ignoring an invalid Requires-Dist line: ${line}`);
        continue;
      }
      const { marker, ...requirement } = req;
      // With extras, only what the extras add (the project itself is required separately).
      const applies = marker
        ? environments.some((env) => {
            try {
              return evaluateMarker(marker, env);
            } catch {
              return false;
            }
          })
        : extras.length === 0;
      if (applies && (extras.length === 0 || marker)) requirements.push(requirement);
    }
    return { kind: 'known', requirements };
  }
  return provider;
}
