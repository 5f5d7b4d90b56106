/**
 * The audit pipeline: collect dependencies from the sources, look the pinned ones up in the
 * vulnerability services, merge aliases, apply ignores, and decide the outcome.
 */
import {
  isDeliberateSkip,
  type Dependency,
  type DependencySource,
  type ResolvedDependency,
} from '../core/dependency.js';
import { PyauditError } from '../core/errors.js';
import type {
  QueryProgress,
  ServiceAnswer,
  Vulnerability,
  VulnerabilityService,
} from '../vulns/types.js';
import { mergeVulnerabilities, partitionIgnored, type Finding } from './merge.js';

export interface DependencyResult {
  readonly dependency: Dependency;
  /** Findings not ignored. */
  readonly findings: readonly Finding[];
  readonly ignored: readonly Finding[];
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
  /** `--strict`: a dependency that cannot be audited fails the run. */
  readonly strict?: boolean;
  /** `--dry-run`: collect only, query nothing. */
  readonly dryRun?: boolean;
  readonly progress?: QueryProgress;
  /** Accept the answers of the sources that worked when another fails (`--allow-partial`). */
  readonly allowPartial?: boolean;
}

export async function collectDependencies(
  sources: readonly DependencySource[],
): Promise<{ dependencies: Dependency[]; warnings: string[] }> {
  const dependencies: Dependency[] = [];
  const warnings: string[] = [];
  for (const source of sources) {
    const result = await source.collect();
    // Appended one by one: spreading a large list into push() overflows the call stack.
    for (const d of result.dependencies) dependencies.push(d);
    for (const w of result.warnings) warnings.push(w);
  }
  return { dependencies, warnings };
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
  const { dependencies, warnings } = await collectDependencies(options.sources);
  if (options.strict) {
    const violation = strictViolation(dependencies);
    if (violation) throw violation;
  }
  const resolved = dependencies.filter((d): d is ResolvedDependency => d.kind === 'resolved');
  const answered: Array<{ service: string; answers: ServiceAnswer[] }> = [];
  const incomplete: IncompleteSource[] = [];
  if (!options.dryRun && resolved.length > 0) {
    // Every source at once; a failed one makes the audit incomplete.
    const settled = await Promise.allSettled(
      options.services.map((s) => s.query(resolved, options.progress)),
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
  const ignore = new Set(options.ignore ?? []);
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
    const { kept, ignored } = partitionIgnored(mergeVulnerabilities(vulns), ignore);
    return { dependency, findings: kept, ignored };
  });
  if (options.strict) {
    // A source may find it cannot audit a dependency (PyPI does not know it): strict fails then too.
    const violation = strictViolation(results.map((r) => r.dependency));
    if (violation) throw violation;
  }
  return { results, fixes: [], warnings, incomplete, sources: answered.map((a) => a.service) };
}

/** "pypi: reason" → "reason" for a lone source. */
function withoutSource(text: string): string {
  return text.slice(text.indexOf(': ') + 2);
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
  const plural = (n: number, word: string, many: string): string => `${n} ${n === 1 ? word : many}`;
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
