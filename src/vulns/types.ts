/**
 * The interface every vulnerability source implements, and what it reports.
 */
import type { SeverityRating } from '../audit/severity.js';
import type { ResolvedDependency } from '../core/dependency.js';

/** One advisory about one dependency, as a source reports it. */
export interface Vulnerability {
  readonly id: string;
  /** Other ids for the same flaw (CVE, GHSA …), as the record lists them. */
  readonly aliases: readonly string[];
  /** The versions that fix it for this project, PEP 440 sorted. */
  readonly fixVersions: readonly string[];
  /** Summary, else details, else "N/A"; newlines turned into spaces. */
  readonly description: string;
  /** The name of the source that reported it (`osv`, `pypi`, `local` …). */
  readonly source: string;
  readonly published?: string;
  readonly modified?: string;
  /** How the record rates itself (CVSS vectors, GitHub's level, malicious), when it does. */
  readonly ratings?: readonly SeverityRating[];
  /** The record comes from the OpenSSF malicious-packages feed (its ratings then say so too). */
  readonly malicious?: boolean;
  /** The record's reference links (advisories, fixes, reports), when it has any. */
  readonly references?: readonly VulnerabilityReference[];
}

export interface VulnerabilityReference {
  /** OSV reference type: `ADVISORY`, `WEB`, `FIX`, `REPORT`, `PACKAGE` … */
  readonly type: string;
  readonly url: string;
}

export interface QueryProgress {
  /** Called as work completes: `done` of `total` units. */
  (done: number, total: number): void;
}

/**
 * A source's answer for one dependency: its vulnerabilities, or that the source does not
 * know the package or version at all (PyPI's 404), which is not the same as "none".
 */
export type ServiceAnswer = readonly Vulnerability[] | { readonly notFound: string };

export interface VulnerabilityService {
  /** The source's name as `-s` takes it. */
  readonly name: string;
  /**
   * Looks up every dependency. The result has one list per dependency, in the same order.
   * Rejects with a `PyauditError` of kind `service` when any lookup fails: a partial answer
   * is never returned as complete.
   */
  query(
    dependencies: readonly ResolvedDependency[],
    progress?: QueryProgress,
  ): Promise<ServiceAnswer[]>;
}

/** A source that always knows every package (OSV, the local database): plain lists. */
export interface ArraySource extends VulnerabilityService {
  query(
    dependencies: readonly ResolvedDependency[],
    progress?: QueryProgress,
  ): Promise<Vulnerability[][]>;
}
