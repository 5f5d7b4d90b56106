/**
 * The audit pipeline: collect dependencies from the sources, look the pinned ones up in the
 * vulnerability services, merge aliases, apply ignores, and decide the outcome.
 */
import {
  isDeliberateSkip,
  isLeftOut,
  type Dependency,
  type DependencySource,
  type ResolvedDependency,
} from '../core/dependency.js';
import { PyauditError } from '../core/errors.js';
import { plural } from '../core/plural.js';
import type {
  QueryProgress,
  ServiceAnswer,
  Vulnerability,
  VulnerabilityService,
} from '../vulns/types.js';
import {
  ignoreVulnRules,
  ignoreWarnings,
  newIgnoreUsage,
  partitionIgnored,
  rulesInForce,
  type IgnoredFinding,
  type IgnoreRule,
} from './ignore.js';
import { mergeVulnerabilities, type Finding } from './merge.js';

export interface DependencyResult {
  readonly dependency: Dependency;
  /** Findings not ignored. */
  readonly findings: readonly Finding[];
  /** Findings an ignore rule set aside, each with its rule. */
  readonly ignored: readonly IgnoredFinding[];
}

/** A fix applied (or attempted) by `--fix`; reported in pip-audit's layout. */
export type FixResult =
  | { readonly name: string; readonly version: string; readonly newVersion: string }
  | { readonly name: string; readonly version: string; readonly skipReason: string };

/** A source that failed while `allowPartial` was on. */
export interface IncompleteSource {
  readonly service: string;
  readonly reason: string;
}

export interface AuditReport {
  readonly results: readonly DependencyResult[];
  readonly fixes: readonly FixResult[];
  readonly warnings: readonly string[];
  /** What the dependency sources covered (`uv.lock: all 143 locked packages selected: …`). */
  readonly notes?: readonly string[];
  /** Sources that failed (only with `allowPartial`): the findings are incomplete. */
  readonly incomplete?: readonly IncompleteSource[];
  /** The names of the vulnerability sources asked (none on a dry run). */
  readonly sources?: readonly string[];
}

export interface AuditOptions {
  readonly sources: readonly DependencySource[];
  readonly services: readonly VulnerabilityService[];
  /** Ids or aliases to ignore (`--ignore-vuln`). */
  readonly ignore?: Iterable<string>;
  /** Ignore rules with a reason, an expiry date, a package or `untilFixed` (configuration). */
  readonly ignoreRules?: readonly IgnoreRule[];
  /** The date expiry is judged on (`YYYY-MM-DD`); today in UTC by default. */
  readonly today?: string;
  /** Which stage the audit is in, for a progress display. */
  readonly onPhase?: (phase: AuditPhase) => void;
  /** `--strict`: a dependency that cannot be audited fails the run. */
  readonly strict?: boolean;
  /** `--dry-run`: collect only, query nothing. */
  readonly dryRun?: boolean;
  readonly progress?: QueryProgress;
  /** Accept the answers of the sources that worked when another fails (`--allow-partial`). */
  readonly allowPartial?: boolean;
}

/** The stages of an audit, in order. */
export type AuditPhase =
  | { readonly phase: 'collect' }
  | { readonly phase: 'query'; readonly services: readonly string[]; readonly packages: number }
  /** A source's own progress: OSV counts the records it fetches, the others packages. */
  | {
      readonly phase: 'fetch';
      readonly service: string;
      readonly done: number;
      readonly total: number;
    };

export async function collectDependencies(
  sources: readonly DependencySource[],
): Promise<{ dependencies: Dependency[]; warnings: string[]; notes: string[] }> {
  const dependencies: Dependency[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  for (const source of sources) {
    const result = await source.collect();
    // One at a time: a spread of a huge list would overflow the call stack.
    for (const d of result.dependencies) dependencies.push(d);
    for (const w of result.warnings) warnings.push(w);
    for (const n of result.notes ?? []) notes.push(n);
  }
  return { dependencies, warnings, notes };
}

/** `--strict`: the first dependency that could not be audited (deliberate skips are fine). */
function strictViolation(dependencies: readonly Dependency[]): PyauditError | null {
  const skipped = dependencies.find((d) => d.kind === 'skipped' && !isDeliberateSkip(d.skipKind));
  if (!skipped || skipped.kind !== 'skipped') return null;
  return new PyauditError(
    'policy',
    `${skipped.name}: ${skipped.skipReason} (--strict)`,
    skipped.origin.line !== undefined
      ? { file: skipped.origin.file, line: skipped.origin.line }
      : { file: skipped.origin.file },
  );
}

export async function audit(options: AuditOptions): Promise<AuditReport> {
  options.onPhase?.({ phase: 'collect' });
  const { dependencies, warnings, notes } = await collectDependencies(options.sources);
  if (options.strict) {
    const violation = strictViolation(dependencies);
    if (violation) throw violation;
  }
  const resolved = dependencies.filter((d): d is ResolvedDependency => d.kind === 'resolved');
  const answered: Array<{ service: string; answers: ServiceAnswer[] }> = [];
  const incomplete: IncompleteSource[] = [];
  if (!options.dryRun && resolved.length > 0) {
    options.onPhase?.({
      phase: 'query',
      services: options.services.map((s) => s.name),
      packages: resolved.length,
    });
    // Every source at once; a failed one makes the audit incomplete.
    const settled = await Promise.allSettled(
      options.services.map((s) =>
        s.query(resolved, (done, total) => {
          options.progress?.(done, total);
          options.onPhase?.({ phase: 'fetch', service: s.name, done, total });
        }),
      ),
    );
    settled.forEach((outcome, i) => {
      const service = (options.services[i] as VulnerabilityService).name;
      if (outcome.status === 'fulfilled') answered.push({ service, answers: outcome.value });
      else if (options.allowPartial && outcome.reason instanceof PyauditError) {
        incomplete.push({ service, reason: outcome.reason.message });
      } else throw outcome.reason;
    });
    if (answered.length === 0 && incomplete.length > 0) {
      throw new PyauditError(
        'service',
        `every vulnerability source failed: ${incomplete.map((f) => `${f.service}: ${f.reason}`).join('; ')}`,
      );
    }
  }
  const rules = [...ignoreVulnRules(options.ignore ?? []), ...(options.ignoreRules ?? [])];
  const { active, expired } = rulesInForce(
    rules,
    options.today ?? new Date().toISOString().slice(0, 10),
  );
  const usage = newIgnoreUsage();
  let r = 0;
  const results = dependencies.map((dependency): DependencyResult => {
    if (dependency.kind !== 'resolved') return { dependency, findings: [], ignored: [] };
    const index = r++;
    const vulns: Vulnerability[] = [];
    const notFound: string[] = [];
    for (const { service, answers } of answered) {
      const answer = answers[index] ?? [];
      if ('notFound' in answer) notFound.push(`${service}: ${answer.notFound}`);
      else for (const v of answer) vulns.push(v);
    }
    if (answered.length > 0 && notFound.length === answered.length) {
      // No source knows this package or version: it could not be audited.
      const skipped: Dependency = {
        kind: 'skipped',
        skipKind: 'not-found',
        name: dependency.name,
        displayName: dependency.displayName,
        origin: dependency.origin,
        ...(dependency.marker !== undefined && { marker: dependency.marker }),
        ...(dependency.graph && { graph: dependency.graph }),
        skipReason:
          notFound.length === 1 ? withoutSource(notFound[0] as string) : notFound.join('; '),
      };
      return { dependency: skipped, findings: [], ignored: [] };
    }
    for (const n of notFound) warnings.push(`${dependency.name} ${dependency.version}: ${n}`);
    const { kept, ignored } = partitionIgnored(
      mergeVulnerabilities(vulns),
      dependency.name,
      active,
      usage,
    );
    return { dependency, findings: kept, ignored };
  });
  if (options.strict) {
    // A source may find it cannot audit a dependency (PyPI does not know it): strict fails then too.
    const violation = strictViolation(results.map((r) => r.dependency));
    if (violation) throw violation;
  }
  warnings.push(...ignoreWarnings(rules, expired, usage, answered.length > 0));
  return {
    results,
    fixes: [],
    warnings,
    notes,
    incomplete,
    sources: answered.map((a) => a.service),
  };
}

/** "pypi: reason" → "reason" for a lone source. */
function withoutSource(text: string): string {
  return text.slice(text.indexOf(': ') + 2);
}

/** How much of what was collected was audited. */
export interface AuditCoverage {
  /** Every dependency collected. */
  readonly total: number;
  /** Left out on purpose (deselected, another environment, excluded): not rows of the skip table. */
  readonly leftOut: number;
  /** Meant to be audited: `total - leftOut`. */
  readonly considered: number;
  /** Meant to be audited but not audited: the rows of the skip table. */
  readonly notAudited: number;
  /** Of those, the ones `--strict` fails on. */
  readonly strictFailures: number;
  readonly audited: number;
}

export function auditCoverage(report: AuditReport): AuditCoverage {
  let leftOut = 0;
  let notAudited = 0;
  let strictFailures = 0;
  for (const { dependency: d } of report.results) {
    if (d.kind !== 'skipped') continue;
    if (isLeftOut(d.skipKind)) leftOut++;
    else {
      notAudited++;
      if (!isDeliberateSkip(d.skipKind)) strictFailures++;
    }
  }
  const total = report.results.length;
  return {
    total,
    leftOut,
    considered: total - leftOut,
    notAudited,
    strictFailures,
    audited: total - leftOut - notAudited,
  };
}

/**
 * Why the run must not look clean although no finding was made: dependencies were found but
 * not one of them could be audited. `null` when something was audited, or nothing was found.
 * (pip-audit exits 0 then; pyaudit exits 2.)
 */
export function nothingAudited(coverage: AuditCoverage): string | null {
  if (coverage.audited > 0 || coverage.total === 0) return null;
  if (coverage.notAudited > 0)
    return `nothing could be audited: ${coverage.notAudited === 1 ? '1 dependency was' : `${coverage.notAudited} dependencies were`} found, none with a version that can be checked (see Skip Reason)`;
  return `nothing was audited: all ${coverage.total === 1 ? 'dependency was' : `${coverage.total} dependencies were`} left out on purpose (the selection, target environment or exclusions)`;
}

export interface AuditSummary {
  readonly vulnerabilities: number;
  readonly ignored: number;
  /** Packages with at least one finding that was not ignored. */
  readonly packages: number;
}

export function summarize(report: AuditReport): AuditSummary {
  let vulnerabilities = 0;
  let ignored = 0;
  let packages = 0;
  for (const r of report.results) {
    vulnerabilities += r.findings.length;
    ignored += r.ignored.length;
    if (r.findings.length > 0) packages++;
  }
  return { vulnerabilities, ignored, packages };
}

/** pip-audit's closing line on stderr. */
export function summaryLine(summary: AuditSummary): string {
  if (summary.vulnerabilities === 0) {
    return summary.ignored > 0
      ? `No known vulnerabilities found, ${summary.ignored} ignored`
      : 'No known vulnerabilities found';
  }
  const found = plural(summary.vulnerabilities, 'known vulnerability', 'known vulnerabilities');
  const where = plural(summary.packages, 'package', 'packages');
  return summary.ignored > 0
    ? `Found ${found}, ignored ${summary.ignored} in ${where}`
    : `Found ${found} in ${where}`;
}

/** 0: nothing found; 1: findings remain. (Errors exit 2 before a report exists.) */
export function exitCodeFor(summary: AuditSummary): 0 | 1 {
  return summary.vulnerabilities > 0 ? 1 : 0;
}
