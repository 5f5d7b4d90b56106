/**
 * What every dependency source produces and every later stage consumes.
 */

/** Where a dependency was declared. */
export interface Origin {
  readonly file: string;
  readonly line?: number;
}

interface DependencyBase {
  /** PEP 503 canonical name, used for matching and reports. */
  readonly name: string;
  /** The name as written in the input. */
  readonly displayName: string;
  readonly origin: Origin;
  /** The environment marker as text, when the input gave one. */
  readonly marker?: string;
  /**
   * Where the input has a dependency graph (an environment, a lock file): whether nothing
   * else requires it, and the shortest chain of packages that pulls it in, from a direct one
   * down to the one that requires it (empty for a direct dependency).
   */
  readonly graph?: {
    readonly direct: boolean;
    readonly via: readonly string[];
    /** The groups or extras that bring it in (`main`, `dev`, `extra:socks` …), where known. */
    readonly groups?: readonly string[];
  };
}

/** A dependency pinned to one version: it can be audited. */
export interface ResolvedDependency extends DependencyBase {
  readonly kind: 'resolved';
  /** PEP 440 normalized version, trailing zeros kept (`2.10.0`). */
  readonly version: string;
}

/**
 * Why a dependency could not be audited. `not-applicable` means it would not be installed in
 * the target environment (a marker is false) and `excluded` that the user asked to leave it
 * out (`--skip-editable`): both are listed, but never an error under `--strict`.
 */
export type SkipKind =
  | 'unpinned'
  | 'url'
  | 'editable'
  | 'invalid-version'
  | 'broken'
  | 'not-found'
  | 'not-applicable'
  | 'excluded';

/** Skips that `--strict` does not turn into errors. */
export function isDeliberateSkip(kind: SkipKind): boolean {
  return kind === 'not-applicable' || kind === 'excluded';
}

export interface SkippedDependency extends DependencyBase {
  readonly kind: 'skipped';
  readonly skipKind: SkipKind;
  readonly skipReason: string;
}

export type Dependency = ResolvedDependency | SkippedDependency;

/** A source of dependencies (a requirements file, a lock file, an environment …). */
export interface DependencySource {
  /** A short description for messages, such as the file name. */
  readonly description: string;
  collect(): Promise<CollectResult>;
}

export interface CollectResult {
  readonly dependencies: Dependency[];
  /** Things worth telling the user that do not stop the audit. */
  readonly warnings: string[];
}
