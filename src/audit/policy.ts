/**
 * What to report and what fails the run, by severity and fixability:
 *
 * - `--ignore-unfixed`: a finding with no fix version is ignored (counted as ignored);
 * - `--min-severity LEVEL`: a finding rated below LEVEL is not reported at all; an `unknown`
 *   one is never known to be below, so it stays;
 * - `--fail-on LEVEL` (default `low`: every finding fails, as in pip-audit): a finding fails the
 *   run when rated LEVEL or above; `unknown` counts as `high` unless `--fail-on-unknown off`;
 * - `--fail-on-fixable-only`: only findings with a fix version fail.
 *
 * A malicious package is never ignored for having no fix, never hidden, and always fails.
 */
import type { AuditReport, DependencyResult } from './audit.js';
import type { Finding } from './merge.js';
import { severityRank, type SeverityLevel } from './severity.js';

/** The levels `--min-severity` takes. */
export const MIN_SEVERITY_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type MinSeverityLevel = (typeof MIN_SEVERITY_LEVELS)[number];
/** The levels `--fail-on` takes (`malicious`: only malicious packages fail). */
export const FAIL_ON_LEVELS = ['low', 'medium', 'high', 'critical', 'malicious'] as const;
export type FailOnLevel = (typeof FAIL_ON_LEVELS)[number];

export interface ReportPolicy {
  readonly minSeverity?: MinSeverityLevel;
  readonly ignoreUnfixed?: boolean;
}

export interface FailPolicy {
  readonly failOn: FailOnLevel;
  /** Whether an unknown severity counts as `high` (true) or never fails (false). */
  readonly failOnUnknown: boolean;
  readonly failOnFixableOnly: boolean;
}

export const DEFAULT_FAIL_POLICY: FailPolicy = {
  failOn: 'low',
  failOnUnknown: true,
  failOnFixableOnly: false,
};

export interface PolicyOutcome {
  readonly report: AuditReport;
  /** Findings left out by `--min-severity`. */
  readonly hidden: number;
  /** Findings ignored by `--ignore-unfixed`. */
  readonly unfixedIgnored: number;
}

/** Applies `--ignore-unfixed` and `--min-severity` to a report. */
export function applyReportPolicy(report: AuditReport, policy: ReportPolicy): PolicyOutcome {
  let hidden = 0;
  let unfixedIgnored = 0;
  const min = policy.minSeverity;
  const shown = (f: Finding): boolean =>
    min === undefined ||
    f.severity.level === 'unknown' ||
    severityRank(f.severity.level) >= severityRank(min);
  const results = report.results.map((r): DependencyResult => {
    const findings: Finding[] = [];
    const ignored = [...r.ignored];
    for (const f of r.findings) {
      if (policy.ignoreUnfixed && f.fixVersions.length === 0 && !f.malicious) {
        ignored.push({
          ...f,
          ignoredBy: {
            id: f.id,
            reason: 'no fix version (--ignore-unfixed)',
            origin: '--ignore-unfixed',
          },
        });
        unfixedIgnored++;
      } else if (!shown(f)) hidden++;
      else findings.push(f);
    }
    return { ...r, findings, ignored };
  });
  return { report: { ...report, results }, hidden, unfixedIgnored };
}

/** Why a reported finding does not fail the run, or null when it does. */
export function passReason(finding: Finding, policy: FailPolicy): string | null {
  if (finding.malicious) return null;
  if (policy.failOnFixableOnly && finding.fixVersions.length === 0)
    return 'no fix version (--fail-on-fixable-only)';
  // The default policy fails on every level, unknown included: no need to score the finding.
  if (policy.failOn === 'low' && policy.failOnUnknown) return null;
  let level: SeverityLevel = finding.severity.level;
  if (level === 'unknown') {
    if (!policy.failOnUnknown) return 'unknown severity (--fail-on-unknown off)';
    level = 'high';
  }
  return severityRank(level) >= severityRank(policy.failOn)
    ? null
    : `below --fail-on ${policy.failOn}`;
}

export interface FailDecision {
  /** Reported findings that fail the run. */
  readonly failing: number;
  /** Reported findings that do not, and why (each reason once, in order of first use). */
  readonly passing: number;
  readonly reasons: readonly string[];
}

export function decideFailure(report: AuditReport, policy: FailPolicy): FailDecision {
  let failing = 0;
  let passing = 0;
  const reasons: string[] = [];
  for (const r of report.results) {
    for (const f of r.findings) {
      const reason = passReason(f, policy);
      if (reason === null) failing++;
      else {
        passing++;
        if (!reasons.includes(reason)) reasons.push(reason);
      }
    }
  }
  return { failing, passing, reasons };
}

/** Reported findings per severity level, most severe first, levels with none left out. */
export function countBySeverity(report: AuditReport): Array<[SeverityLevel, number]> {
  const counts = new Map<SeverityLevel, number>();
  for (const r of report.results)
    for (const f of r.findings)
      counts.set(f.severity.level, (counts.get(f.severity.level) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => severityRank(b[0]) - severityRank(a[0]));
}

const findings = (n: number): string => `${n} ${n === 1 ? 'finding' : 'findings'}`;

/** Whether any severity option is in use (then stderr gets a count by severity). */
export function usesSeverity(
  options: ReportPolicy & Partial<FailPolicy> & { readonly severity?: boolean },
): boolean {
  return (
    options.severity === true ||
    options.minSeverity !== undefined ||
    options.ignoreUnfixed === true ||
    (options.failOn !== undefined && options.failOn !== 'low') ||
    options.failOnUnknown === false ||
    options.failOnFixableOnly === true
  );
}

/**
 * The lines stderr gets before the summary: each malicious package (a warning), what the
 * policy left out or ignored, the count by severity when asked, and why findings that are
 * reported do not fail the run.
 */
export function policyNotes(
  outcome: PolicyOutcome,
  decision: FailDecision,
  options: ReportPolicy & FailPolicy & { readonly severity?: boolean },
): { warnings: string[]; notes: string[] } {
  const warnings: string[] = [];
  const notes: string[] = [];
  for (const { dependency, findings: list } of outcome.report.results) {
    if (dependency.kind !== 'resolved') continue;
    for (const f of list) {
      if (f.malicious)
        warnings.push(
          `${dependency.name} ${dependency.version} is a known malicious package (${f.id}): remove it and treat machines that installed it as compromised`,
        );
    }
  }
  if (outcome.unfixedIgnored > 0)
    notes.push(
      `${findings(outcome.unfixedIgnored)} with no fix version ignored (--ignore-unfixed)`,
    );
  if (outcome.hidden > 0)
    notes.push(
      `${findings(outcome.hidden)} below --min-severity ${options.minSeverity} not reported`,
    );
  const counts = usesSeverity(options) ? countBySeverity(outcome.report) : [];
  if (counts.length > 0)
    notes.push(`by severity: ${counts.map(([level, n]) => `${n} ${level}`).join(', ')}`);
  if (decision.passing > 0)
    notes.push(
      `${decision.passing} of ${findings(decision.passing + decision.failing)} ${decision.passing === 1 ? 'does' : 'do'} not fail the audit: ${decision.reasons.join('; ')}`,
    );
  return { warnings, notes };
}
