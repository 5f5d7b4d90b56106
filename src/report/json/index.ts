/**
 * pip-audit's `json` format: `{"dependencies": [...], "fixes": [...]}`, one line, in
 * Python's `json.dumps` layout. Every dependency appears (`"vulns": []` when clean); skipped
 * ones as `{"name", "skip_reason"}`, with their `version` when known. Findings ignored with
 * pip-audit's `--ignore-vuln` flag are left out, as pip-audit does; those ignored by pyaudit's
 * own rules (the configuration file, `--ignore-until-fixed`) stay visible in an extra
 * `ignored_vulns` list with the rule's reason and location. Extra fields (`direct`, `via`,
 * `groups`, `marker`, `from`, `source`, and `version` on skipped entries) follow pip-audit's;
 * JSON readers ignore them.
 */
import type { AuditReport, FixResult } from '../../audit/audit.js';
import type { Finding } from '../../audit/merge.js';
import type { Severity } from '../../audit/severity.js';
import type { ReportFormat, ReportOptions } from '../types.js';
import { pythonJsonDumps, type JsonValue } from './python-json.js';

/** `{"level": "high", "score": 7.5, "ratings": [...]}`: the level and what it was chosen from. */
export function severityJson(severity: Severity): JsonValue {
  return {
    level: severity.level,
    ...(severity.score !== undefined && { score: severity.score }),
    ratings: severity.ratings.map((r) => ({
      source: r.source,
      method: r.method,
      level: r.level,
      ...(r.score !== undefined && { score: r.score }),
      ...(r.vector !== undefined && { vector: r.vector }),
    })),
  };
}

function fixJson(fix: FixResult): JsonValue {
  return 'newVersion' in fix
    ? { name: fix.name, old_version: fix.version, new_version: fix.newVersion }
    : { name: fix.name, version: fix.version, skip_reason: fix.skipReason };
}

export const jsonFormat: ReportFormat = {
  name: 'json',
  detailsByDefault: true,
  render(report: AuditReport, options: ReportOptions): string {
    const vulnJson = (f: Finding): Record<string, JsonValue> => {
      const vuln: Record<string, JsonValue> = { id: f.id, fix_versions: [...f.fixVersions] };
      if (options.aliases) vuln.aliases = [...f.aliases];
      if (options.desc) vuln.description = f.description;
      // With several sources, which of them reported it (an extra field).
      if ((report.sources?.length ?? 0) > 1) vuln.sources = [...f.sources];
      // With --severity (an extra field; the default layout stays pip-audit's).
      if (options.severity) vuln.severity = severityJson(f.severity);
      return vuln;
    };
    const dependencies: JsonValue[] = report.results.map(
      ({ dependency, findings, ignored }): JsonValue => {
        // Extra fields beside pip-audit's (which are unchanged): what the input says of the
        // dependency's place in the project, where it comes from, and its marker.
        const extra: Record<string, JsonValue> = {
          ...(dependency.graph && {
            direct: dependency.graph.direct,
            via: [...dependency.graph.via],
            ...(dependency.graph.groups && { groups: [...dependency.graph.groups] }),
          }),
          ...(dependency.marker !== undefined && { marker: dependency.marker }),
          ...(dependency.from !== undefined && { from: dependency.from }),
          ...(dependency.graph && {
            source:
              dependency.origin.line !== undefined
                ? `${dependency.origin.file}:${dependency.origin.line}`
                : dependency.origin.file,
          }),
        };
        if (dependency.kind === 'skipped')
          return {
            name: dependency.name,
            skip_reason: dependency.skipReason,
            ...(dependency.version !== undefined && { version: dependency.version }),
            ...extra,
          };
        const shownIgnored = ignored.filter((f) => f.ignoredBy.origin !== '--ignore-vuln');
        return {
          name: dependency.name,
          version: dependency.version,
          ...extra,
          vulns: findings.map(vulnJson),
          ...(shownIgnored.length > 0 && {
            ignored_vulns: shownIgnored.map((f) => ({
              ...vulnJson(f),
              ...(f.ignoredBy.reason !== undefined && { reason: f.ignoredBy.reason }),
              ...(f.ignoredBy.expires !== undefined && { expires: f.ignoredBy.expires }),
              ignore_rule: f.ignoredBy.origin,
            })),
          }),
        };
      },
    );
    const incomplete = report.incomplete ?? [];
    return pythonJsonDumps({
      dependencies,
      fixes: report.fixes.map(fixJson),
      // An extra field (pip-audit's are unchanged), present only when a source failed.
      ...(incomplete.length > 0 && {
        incomplete: incomplete.map((f) => ({ service: f.service, reason: f.reason })),
      }),
    });
  },
};
