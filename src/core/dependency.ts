/**
 * What every dependency source produces and every later stage consumes.
 */

/** Where a dependency was declared. */
export interface Origin {
  readonly file: string;
  readonly line?: number;
}

export interface DependencyBase {
  /** PEP 503 canonical name, used for matching and reports. */
  readonly name: string;
  /** The name as written in the input. */
  readonly displayName: string;
  readonly origin: Origin;
  /** The environment marker as text, when the input gave one. */
  readonly marker?: string;
  /**
   * Where the package comes from when not from a package index (`git https://…@abc123`,
   * `directory ./src`), where the input says.
   */
  readonly from?: string;
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
 * Why a dependency was not audited. Most kinds mean it could not be; three mean it was left
 * out on purpose and are never an error under `--strict`: `not-applicable` (a marker is
 * false in the target environment), `deselected` (the groups, extras or environment chosen
 * for a lock file or manifest do not install it) and `excluded` (the user asked to leave it
 * out: `--skip-editable`, `--exclude`; or it is the project itself). `other-ecosystem` (a
 * conda or npm package) cannot be audited against PyPI advisories and is listed, but is not
 * an error under `--strict` either.
 */
export type SkipKind =
  | 'unpinned'
  | 'url'
  | 'editable'
  | 'invalid-version'
  | 'broken'
  | 'not-found'
  | 'other-ecosystem'
  | 'not-applicable'
  | 'deselected'
  | 'excluded';

/** Skips that `--strict` does not turn into errors. */
export function isDeliberateSkip(kind: SkipKind): boolean {
  return isLeftOut(kind) || kind === 'other-ecosystem';
}

/**
 * Skips that were left out on purpose: counted in one line and kept in JSON, but not rows of
 * the skip tables, which list what could not be audited.
 */
export function isLeftOut(kind: SkipKind): boolean {
  return kind === 'not-applicable' || kind === 'deselected' || kind === 'excluded';
}

export interface SkippedDependency extends DependencyBase {
  readonly kind: 'skipped';
  readonly skipKind: SkipKind;
  readonly skipReason: string;
  /** The version, where the input states one (a locked package that was not selected). */
  readonly version?: string;
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
  /** What was covered (`audited 143 locked packages: all groups, extras and platforms`). */
  readonly notes?: string[];
}

/** A dependency whose version is not PEP 440 (`2004d`): it cannot be matched, so it is skipped. */
export function invalidVersionSkip(base: DependencyBase, version: string): SkippedDependency {
  return {
    ...base,
    kind: 'skipped',
    skipKind: 'invalid-version',
    skipReason: `version ${version} is not a valid PEP 440 version and cannot be matched against advisories`,
  };
}
