/**
 * The rows that the table formats (columns, markdown) show, in pip-audit's column order:
 * Name, Version, ID, Fix Versions, [Applied Fix], [Aliases], [Description], then pyaudit's
 * own [Via] and [Severity].
 */
import type { AuditReport, FixResult } from '../audit/audit.js';
import type { Finding } from '../audit/merge.js';
import { isLeftOut } from '../core/dependency.js';
import type { Severity } from '../audit/severity.js';
import type { ReportOptions } from './types.js';

export interface VulnerabilityRow {
  readonly name: string;
  readonly version: string;
  /** The chain that pulls the package in, when the input has a graph. */
  readonly via?: readonly string[];
  readonly finding: Finding;
  /** The "Applied Fix" cell, when `--fix` ran. */
  readonly appliedFix?: string;
}

export interface SkipRow {
  readonly name: string;
  readonly reason: string;
}

function describeFix(fix: FixResult): string {
  return 'newVersion' in fix
    ? `Successfully upgraded ${fix.name} (${fix.version} => ${fix.newVersion})`
    : `Failed to fix ${fix.name} (${fix.version}): ${fix.skipReason}`;
}

export function tableRows(report: AuditReport): {
  vulnerabilities: VulnerabilityRow[];
  skipped: SkipRow[];
} {
  const vulnerabilities: VulnerabilityRow[] = [];
  const skipped: SkipRow[] = [];
  for (const { dependency, findings } of report.results) {
    if (dependency.kind === 'skipped') {
      // What was left out on purpose is counted on stderr and listed in JSON, not here.
      if (!isLeftOut(dependency.skipKind))
        skipped.push({ name: dependency.name, reason: dependency.skipReason });
      continue;
    }
    const fix = report.fixes.find(
      (f) => f.name === dependency.name && f.version === dependency.version,
    );
    for (const finding of findings) {
      vulnerabilities.push({
        name: dependency.name,
        version: dependency.version,
        ...(dependency.graph && { via: dependency.graph.via }),
        finding,
        ...(fix && { appliedFix: describeFix(fix) }),
      });
    }
  }
  return { vulnerabilities, skipped };
}

export function vulnerabilityHeader(report: AuditReport, options: ReportOptions): string[] {
  const header = ['Name', 'Version', 'ID', 'Fix Versions'];
  if (report.fixes.length > 0) header.push('Applied Fix');
  if (options.aliases) header.push('Aliases');
  if (options.desc) header.push('Description');
  if (options.showPaths) header.push('Via');
  if (options.severity) header.push('Severity');
  return header;
}

/** One cell of a finding row: its plain text, and the ids it names for formats that link them. */
export type VulnerabilityCell =
  | { readonly kind: 'project'; readonly text: string }
  | { readonly kind: 'id'; readonly text: string }
  | { readonly kind: 'aliases'; readonly ids: readonly string[] }
  | { readonly kind: 'fixes'; readonly text: string }
  | { readonly kind: 'text'; readonly text: string };

export function vulnerabilityCells(
  row: VulnerabilityRow,
  report: AuditReport,
  options: ReportOptions,
): VulnerabilityCell[] {
  const cells: VulnerabilityCell[] = [
    { kind: 'project', text: row.name },
    { kind: 'text', text: row.version },
    { kind: 'id', text: row.finding.id },
    { kind: 'fixes', text: row.finding.fixVersions.join(',') },
  ];
  if (report.fixes.length > 0) cells.push({ kind: 'text', text: row.appliedFix ?? '' });
  if (options.aliases) cells.push({ kind: 'aliases', ids: row.finding.aliases });
  if (options.desc) cells.push({ kind: 'text', text: row.finding.description });
  if (options.showPaths) cells.push({ kind: 'text', text: row.via ? row.via.join(' > ') : '' });
  if (options.severity) cells.push({ kind: 'text', text: severityText(row.finding.severity) });
  return cells;
}

/** A severity as the tables show it: `high (7.5)`, `malicious`, `unknown`. */
export function severityText(severity: Severity): string {
  return severity.score !== undefined && severity.level !== 'malicious'
    ? `${severity.level} (${severity.score.toFixed(1)})`
    : severity.level;
}
