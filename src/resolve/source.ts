/**
 * A requirements source that resolves: it collects as usual, and when a requirement is not
 * pinned, resolves the whole set against the package index (settings from pip's
 * configuration, `PIP_*`, flags and the files' own options) for the target environment, so
 * the audit runs on what pip would install. A fully pinned input (pip-compile output,
 * hash-checking mode) is audited as written, without asking any index.
 */
import { monotonicMs } from '../core/clock.js';
import type { CollectResult, Dependency, DependencySource } from '../core/dependency.js';
import type { HttpClient } from '../http/client.js';
import { diskCache, noCache } from '../index/cache.js';
import { createPackageIndex, type IndexStats } from '../index/client.js';
import { indexSettings } from '../index/config.js';
import {
  collectRequirements,
  type RequirementsCollectOptions,
  type RequirementsCollectResult,
} from '../sources/requirements/collect.js';
import { createIndexProvider } from './provider.js';
import type { DeclaredRequirement } from '../sources/manifest/declared.js';
import { manifestNeedsResolution, resolveDeclared } from './manifest.js';
import { needsResolution, resolveCollected } from './requirements.js';
import type { Resolution } from './resolver.js';
import type { TargetEnvironment } from './target.js';

export interface ResolvingSourceOptions {
  readonly http: HttpClient;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly indexUrl?: string;
  readonly extraIndexUrls?: readonly string[];
  readonly findLinks?: readonly string[];
  readonly pre?: boolean;
  /** Folder for the index cache, or null for none (`--no-cache`). */
  readonly cacheDir: string | null;
  /** The target environment, asked only when something needs resolving. */
  readonly target: () => Promise<TargetEnvironment>;
  readonly strict?: boolean;
  /** Told before resolving starts (what, for which target, from where). */
  readonly onStart?: (message: string) => void;
  /** Told when resolution ends. */
  readonly onDone?: (resolution: Resolution, stats: IndexStats, milliseconds: number) => void;
}

type FileOptions = Parameters<typeof indexSettings>[0]['fileOptions'];

/** The index, provider and target for one resolution, announced on `onStart`. */
async function prepare(options: ResolvingSourceOptions, fileOptions: FileOptions) {
  const started = monotonicMs();
  const target = await options.target();
  const settings = indexSettings({
    env: options.env,
    cwd: options.cwd,
    ...(options.indexUrl !== undefined && { indexUrl: options.indexUrl }),
    extraIndexUrls: options.extraIndexUrls ?? [],
    findLinks: options.findLinks ?? [],
    pre: options.pre ?? false,
    ...(fileOptions !== undefined && { fileOptions }),
  });
  const index = createPackageIndex({
    http: options.http,
    indexUrls: settings.indexUrls,
    findLinks: settings.findLinks,
    cache: options.cacheDir === null ? noCache : diskCache(options.cacheDir),
    env: options.env,
  });
  const warnings: string[] = [];
  const provider = createIndexProvider(index, target, { warn: (m) => warnings.push(m) });
  const locations = [index.description, ...settings.findLinks.map((l) => `--find-links ${l}`)];
  options.onStart?.(`resolving for ${target.description} from ${locations.join(', ')}`);
  return {
    stage: {
      provider,
      markers: target.markers,
      allowPrereleases: settings.pre,
      strict: options.strict ?? false,
    },
    warnings,
    done: (resolution: Resolution) =>
      options.onDone?.(resolution, index.stats, monotonicMs() - started),
  };
}

/** The index options each requirements file gave (`--index-url` lines and the like). */
function fileIndexOptions(collected: RequirementsCollectResult) {
  return collected.options.map((o) => ({
    indexUrl: o.indexUrl ?? null,
    extraIndexUrls: o.extraIndexUrls,
    findLinks: o.findLinks,
    noIndex: o.noIndex,
    pre: o.pre,
  }));
}

/** What was resolved, with the collector's notes and each resolution warning once. */
function resolved(
  collected: CollectResult,
  result: { readonly dependencies: Dependency[]; readonly warnings: readonly string[] },
  warnings: readonly string[],
): CollectResult {
  return {
    dependencies: result.dependencies,
    warnings: [...result.warnings, ...new Set(warnings)],
    ...(collected.notes !== undefined && { notes: collected.notes }),
  };
}

export function resolvingSource(
  inner: { readonly description: string; collect(): Promise<RequirementsCollectResult> },
  options: ResolvingSourceOptions,
): DependencySource {
  return {
    description: inner.description,
    async collect(): Promise<CollectResult> {
      const collected = await inner.collect();
      if (!needsResolution(collected)) return collected;
      const { stage, warnings, done } = await prepare(options, fileIndexOptions(collected));
      const result = await resolveCollected(collected, stage);
      done(result.resolution);
      return resolved(collected, result, warnings);
    },
  };
}

/**
 * A manifest source (pyproject.toml, Pipfile, PEP 723 script) that resolves what it declares
 * when something is not pinned; `declared` reads the manifest's requirements.
 */
export function resolvingManifestSource(
  inner: DependencySource,
  declared: () => Promise<readonly DeclaredRequirement[]>,
  options: ResolvingSourceOptions,
): DependencySource {
  return {
    description: inner.description,
    async collect(): Promise<CollectResult> {
      const collected = await inner.collect();
      if (!manifestNeedsResolution(collected)) return collected;
      const { stage, warnings, done } = await prepare(options, undefined);
      const result = await resolveDeclared(collected, await declared(), stage);
      done(result.resolution);
      return resolved(collected, result, warnings);
    },
  };
}

/**
 * A conda environment file's `pip:` section, resolved like a requirements file of its own
 * when it has an unpinned line; `pipSection` gives its text and the name it is collected
 * under (the conda packages themselves are not on PyPI and keep the collector's verdict).
 */
export function resolvingCondaSource(
  inner: DependencySource,
  pipSection: () => Promise<{ readonly virtual: string; readonly text: string } | null>,
  requirements: RequirementsCollectOptions,
  options: ResolvingSourceOptions,
): DependencySource {
  return {
    description: inner.description,
    async collect(): Promise<CollectResult> {
      const collected = await inner.collect();
      const pip = await pipSection();
      if (!pip) return collected;
      const pipCollected = await collectRequirements([pip.virtual], {
        ...requirements,
        readFile: (f) =>
          f === pip.virtual ? Promise.resolve(Buffer.from(pip.text)) : requirements.readFile(f),
      });
      if (!needsResolution(pipCollected)) return collected;
      const { stage, warnings, done } = await prepare(options, fileIndexOptions(pipCollected));
      const result = await resolveCollected(pipCollected, stage);
      done(result.resolution);
      return {
        dependencies: [
          ...collected.dependencies.filter((d) => d.origin.file !== pip.virtual),
          ...result.dependencies,
        ],
        warnings: [
          ...collected.warnings,
          ...result.warnings.filter((w) => !collected.warnings.includes(w)),
          ...new Set(warnings),
        ],
        ...(collected.notes !== undefined && { notes: collected.notes }),
      };
    },
  };
}
