/**
 * pip-audit's own formatter unit tests (test_columns.py, test_markdown.py, test_json.py),
 * transcribed in ../shared/pip-audit-conformance/format-tests: each renders exactly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { describeShared, sharedAvailable, sharedPath } from '../../test/helpers/shared.js';
import type { AuditReport, FixResult } from '../audit/audit.js';
import { UNKNOWN_SEVERITY } from '../audit/severity.js';
import type { Dependency } from '../core/dependency.js';
import { REPORT_FORMATS } from './index.js';

interface FormatCase {
  source: string;
  format: string;
  output_desc: boolean;
  output_aliases: boolean;
  stdout_is_tty: boolean;
  result: Array<{
    dependency: { name: string; version?: string; skip_reason?: string };
    vulns: Array<{ id: string; description: string; fix_versions: string[]; aliases: string[] }>;
  }>;
  fixes: Array<{ name: string; version: string; new_version?: string; skip_reason?: string }>;
}

/** Builds the report a case describes. */
function reportFromCase(c: FormatCase): AuditReport {
  const origin = { file: 'requirements.txt' };
  return {
    warnings: [],
    results: c.result.map(({ dependency, vulns }) => {
      const dep: Dependency =
        dependency.skip_reason !== undefined
          ? {
              kind: 'skipped',
              skipKind: 'url',
              name: dependency.name,
              displayName: dependency.name,
              origin,
              skipReason: dependency.skip_reason,
            }
          : {
              kind: 'resolved',
              name: dependency.name,
              displayName: dependency.name,
              origin,
              version: dependency.version!,
            };
      return {
        dependency: dep,
        ignored: [],
        findings: vulns.map((v) => ({
          id: v.id,
          aliases: v.aliases,
          fixVersions: v.fix_versions,
          description: v.description,
          sources: ['osv'],
          severity: UNKNOWN_SEVERITY,
          malicious: false,
          references: [],
        })),
      };
    }),
    fixes: c.fixes.map((f): FixResult =>
      f.new_version !== undefined
        ? { name: f.name, version: f.version, newVersion: f.new_version }
        : { name: f.name, version: f.version, skipReason: f.skip_reason! },
    ),
  };
}

function formatCases(): Array<[string, string]> {
  if (!sharedAvailable()) return [['(missing)', '(missing)']];
  const root = sharedPath('pip-audit-conformance', 'format-tests');
  return readdirSync(root).flatMap((format) =>
    readdirSync(path.join(root, format)).map((name): [string, string] => [format, name]),
  );
}

describeShared("pip-audit's formatter tests", () => {
  it.each(formatCases())('%s/%s', (format, name) => {
    const dir = sharedPath('pip-audit-conformance', 'format-tests', format, name);
    const c = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as FormatCase;
    const expected = readFileSync(path.join(dir, 'expected'), 'utf8');
    const rendered = REPORT_FORMATS.get(c.format)!.render(reportFromCase(c), {
      desc: c.output_desc,
      aliases: c.output_aliases,
      isTTY: c.stdout_is_tty,
    });
    expect(rendered).toBe(expected);
  });
});
