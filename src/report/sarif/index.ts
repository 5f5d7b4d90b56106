/**
 * SARIF 2.1.0 (OASIS), as GitHub code scanning reads it: one rule per vulnerability, one
 * result per affected dependency, located at the file and line that declares or locks it
 * (a requirements line, a lock entry, a pyproject entry). Each rule carries the
 * `security-severity` property GitHub ranks alerts by (the CVSS score, else the level's band)
 * and help text with the fix versions. Ignored findings are results with a suppression;
 * dependencies that could not be audited are tool notifications.
 *
 * https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 * https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 */
import type * as Sarif from 'sarif';
import { isLeftOut } from '../../core/dependency.js';
import { ignoreJustification, type IgnoredFinding } from '../../audit/ignore.js';
import type { AuditReport } from '../../audit/audit.js';
import type { Finding } from '../../audit/merge.js';
import type { SeverityLevel } from '../../audit/severity.js';
import type { Dependency, Origin } from '../../core/dependency.js';
import { VERSION } from '../../version.js';
import { safeUrl, vulnerabilityUrl } from '../links.js';
import { severityText } from '../rows.js';
import type { ReportFormat } from '../types.js';

/**
 * GitHub's bands: critical > 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9. A level without a
 * score gets a value inside its band; unknown is ranked as high, as `--fail-on` counts it.
 */
const BAND_SCORE: Readonly<Record<SeverityLevel, number>> = {
  malicious: 10,
  critical: 9.5,
  high: 8,
  unknown: 7,
  medium: 5.5,
  low: 2,
};

const SARIF_LEVEL: Readonly<Record<SeverityLevel, Sarif.ReportingConfiguration.level>> = {
  malicious: 'error',
  critical: 'error',
  high: 'error',
  unknown: 'error',
  medium: 'warning',
  low: 'note',
};

function securitySeverity(finding: Finding): string {
  const { level, score } = finding.severity;
  // A malicious package outranks any score; a 0.0 score still counts as low for GitHub.
  const value = level === 'malicious' || score === undefined ? BAND_SCORE[level] : score;
  return Math.max(value, 0.1).toFixed(1);
}

function fixText(finding: Finding): string {
  if (finding.severity.level === 'malicious')
    return 'This package is malicious: remove it, and treat any machine that installed it as compromised.';
  return finding.fixVersions.length > 0
    ? `Upgrade to a fixed version: ${finding.fixVersions.join(', ')}.`
    : 'No fixed version is known.';
}

function rule(finding: Finding): Sarif.ReportingDescriptor {
  const url = vulnerabilityUrl(finding.id);
  const aliases = finding.aliases.length > 0 ? ` Also known as ${finding.aliases.join(', ')}.` : '';
  const links = [url, ...finding.references.flatMap((r) => safeUrl(r.url) ?? [])];
  return {
    id: finding.id,
    name: finding.id,
    shortDescription: { text: `${finding.id}: ${firstSentence(finding.description)}` },
    fullDescription: { text: finding.description },
    help: {
      text: `${finding.description}\n\nSeverity: ${severityText(finding.severity)}.${aliases}\n${fixText(finding)}\n\n${links.join('\n')}`,
      markdown: [
        `**${finding.id}**, severity ${severityText(finding.severity)}.${aliases}`,
        '',
        escapeMarkdown(finding.description),
        '',
        `**Fix:** ${fixText(finding)}`,
        '',
        ...links.map((l) => `- <${l}>`),
      ].join('\n'),
    },
    helpUri: url,
    defaultConfiguration: { level: SARIF_LEVEL[finding.severity.level] },
    properties: {
      'security-severity': securitySeverity(finding),
      tags: [
        'security',
        'vulnerability',
        ...(finding.severity.level === 'malicious' ? ['malicious'] : []),
      ],
      precision: 'very-high',
    },
  };
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  const sentence = end > 0 ? text.slice(0, end + 1) : text;
  return sentence.length > 200 ? `${sentence.slice(0, 199)}…` : sentence;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+!<>|])/g, '\\$1');
}

/** A file reference: relative paths as they are (GitHub resolves them from the repository root). */
function artifactUri(file: string): string {
  const posix = file.replace(/\\/g, '/');
  if (/^[A-Za-z]:\//.test(posix)) return `file:///${encodeURI(posix)}`;
  if (posix.startsWith('/')) return `file://${encodeURI(posix)}`;
  return encodeURI(posix.replace(/^\.\//, ''));
}

function location(dependency: Dependency, version?: string): Sarif.Location {
  const origin: Origin = dependency.origin;
  return {
    physicalLocation: {
      artifactLocation: { uri: artifactUri(origin.file) },
      ...(origin.line !== undefined && { region: { startLine: origin.line } }),
    },
    logicalLocations: [
      {
        name: dependency.name,
        fullyQualifiedName:
          version !== undefined ? `${dependency.name}==${version}` : dependency.name,
        kind: 'package',
      },
    ],
  };
}

export const sarifFormat: ReportFormat = {
  name: 'sarif',
  detailsByDefault: true,
  render(report: AuditReport): string {
    const rules: Sarif.ReportingDescriptor[] = [];
    const ruleIndex = new Map<string, number>();
    const results: Sarif.Result[] = [];
    const notifications: Sarif.Notification[] = [];
    for (const { dependency, findings, ignored } of report.results) {
      if (dependency.kind === 'skipped') {
        // What was left out on purpose (a selection, --skip-editable) is not a notification.
        if (isLeftOut(dependency.skipKind)) continue;
        notifications.push({
          level: 'warning',
          message: { text: `${dependency.name} was not audited: ${dependency.skipReason}` },
          locations: [location(dependency)],
        });
        continue;
      }
      const all = [
        ...findings.map((f) => ({ f, ignored: false })),
        ...ignored.map((f) => ({ f, ignored: true })),
      ];
      for (const { f, ignored: isIgnored } of all) {
        let index = ruleIndex.get(f.id);
        if (index === undefined) {
          index = rules.push(rule(f)) - 1;
          ruleIndex.set(f.id, index);
        }
        const via = dependency.graph?.via ?? [];
        results.push({
          ruleId: f.id,
          ruleIndex: index,
          level: SARIF_LEVEL[f.severity.level],
          message: {
            text: `${dependency.name} ${dependency.version} is affected by ${f.id} (${severityText(f.severity)}). ${fixText(f)}${via.length > 0 ? ` Pulled in by ${via.join(' > ')}.` : ''}`,
          },
          locations: [location(dependency, dependency.version)],
          partialFingerprints: {
            'pyaudit/dependency-vulnerability/v1': `${dependency.name}==${dependency.version}:${f.id}`,
          },
          ...(isIgnored && {
            suppressions: [
              {
                kind: 'external',
                status: 'accepted',
                justification:
                  'ignoredBy' in f ? ignoreJustification(f as IgnoredFinding) : 'ignored',
              },
            ],
          }),
          properties: {
            package: dependency.name,
            version: dependency.version,
            fixVersions: [...f.fixVersions],
            aliases: [...f.aliases],
            severity: f.severity.level,
            ...(dependency.graph && { direct: dependency.graph.direct, via: [...via] }),
          },
        });
      }
    }
    const log: Sarif.Log = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'pyaudit',
              version: VERSION,
              semanticVersion: VERSION,
              rules,
            },
          },
          invocations: [
            {
              executionSuccessful: (report.incomplete ?? []).length === 0,
              toolExecutionNotifications: [
                ...notifications,
                ...(report.incomplete ?? []).map((f): Sarif.Notification => ({
                  level: 'error',
                  message: { text: `the ${f.service} source failed: ${f.reason}` },
                })),
              ],
            },
          ],
          results,
        },
      ],
    };
    return JSON.stringify(log, null, 2);
  },
};
