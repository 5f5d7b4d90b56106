import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from './audit.js';
import type { Finding } from './merge.js';
import {
  applyReportPolicy,
  decideFailure,
  FAIL_ON_LEVELS,
  MIN_SEVERITY_LEVELS,
  passReason,
  type FailPolicy,
} from './policy.js';
import { SEVERITY_LEVELS, severityRank, type SeverityLevel } from './severity.js';

const finding = (id: string, level: SeverityLevel, fixVersions: string[] = []): Finding => ({
  id,
  aliases: [],
  fixVersions,
  description: id,
  sources: ['osv'],
  severity: { level, ratings: [] },
  malicious: level === 'malicious',
  references: [],
});

const reportOf = (findings: Finding[]): AuditReport => ({
  results: findings.map((f, i) => ({
    dependency: {
      kind: 'resolved',
      name: `pkg-${i}`,
      displayName: `pkg-${i}`,
      version: '1.0',
      origin: { file: 'requirements.txt', line: i + 1 },
    },
    findings: [f],
    ignored: [],
  })),
  fixes: [],
  warnings: [],
});

const arbFinding = fc
  .record({
    level: fc.constantFrom(...SEVERITY_LEVELS),
    fixed: fc.boolean(),
  })
  .map(({ level, fixed }) => finding(`X-${level}`, level, fixed ? ['2.0'] : []));

const arbFailPolicy: fc.Arbitrary<FailPolicy> = fc.record({
  failOn: fc.constantFrom(...FAIL_ON_LEVELS),
  failOnUnknown: fc.boolean(),
  failOnFixableOnly: fc.boolean(),
});

describe('fail policy', () => {
  it('decides each finding as documented', () => {
    const policy: FailPolicy = { failOn: 'high', failOnUnknown: true, failOnFixableOnly: false };
    expect(
      SEVERITY_LEVELS.map((level) => [level, passReason(finding('X', level, ['2.0']), policy)]),
    ).toEqual([
      ['unknown', null],
      ['low', 'below --fail-on high'],
      ['medium', 'below --fail-on high'],
      ['high', null],
      ['critical', null],
      ['malicious', null],
    ]);
    expect(passReason(finding('X', 'unknown'), { ...policy, failOnUnknown: false })).toBe(
      'unknown severity (--fail-on-unknown off)',
    );
    expect(passReason(finding('X', 'critical'), { ...policy, failOnFixableOnly: true })).toBe(
      'no fix version (--fail-on-fixable-only)',
    );
    expect(
      passReason(finding('X', 'malicious'), {
        failOn: 'malicious',
        failOnUnknown: false,
        failOnFixableOnly: true,
      }),
    ).toBeNull();
  });

  it('property: every reported finding either fails or passes; malicious ones always fail; a higher --fail-on never fails more', () => {
    fc.assert(
      fc.property(fc.array(arbFinding, { maxLength: 12 }), arbFailPolicy, (findings, policy) => {
        const report = reportOf(findings);
        const decision = decideFailure(report, policy);
        expect(decision.failing + decision.passing).toBe(findings.length);
        const malicious = findings.filter((f) => f.severity.level === 'malicious').length;
        expect(decision.failing).toBeGreaterThanOrEqual(malicious);
        const index = FAIL_ON_LEVELS.indexOf(policy.failOn);
        for (const higher of FAIL_ON_LEVELS.slice(index)) {
          expect(decideFailure(report, { ...policy, failOn: higher }).failing).toBeLessThanOrEqual(
            decision.failing,
          );
        }
      }),
    );
  });
});

describe('report policy', () => {
  it('property: --min-severity hides only known levels below it, never unknown or malicious', () => {
    fc.assert(
      fc.property(
        fc.array(arbFinding, { maxLength: 12 }),
        fc.constantFrom(...MIN_SEVERITY_LEVELS),
        fc.boolean(),
        (findings, minSeverity, ignoreUnfixed) => {
          const outcome = applyReportPolicy(reportOf(findings), { minSeverity, ignoreUnfixed });
          const shown = outcome.report.results.flatMap((r) => r.findings);
          const ignored = outcome.report.results.flatMap((r) => r.ignored);
          expect(shown.length + ignored.length + outcome.hidden).toBe(findings.length);
          expect(ignored).toHaveLength(outcome.unfixedIgnored);
          for (const f of shown) {
            const level = f.severity.level;
            expect(level === 'unknown' || severityRank(level) >= severityRank(minSeverity)).toBe(
              true,
            );
            if (ignoreUnfixed) expect(f.fixVersions.length > 0 || level === 'malicious').toBe(true);
          }
          const malicious = findings.filter((f) => f.severity.level === 'malicious').length;
          expect(shown.filter((f) => f.severity.level === 'malicious')).toHaveLength(malicious);
          for (const f of ignored)
            expect(f.ignoredBy.reason).toBe('no fix version (--ignore-unfixed)');
        },
      ),
    );
  });
});
