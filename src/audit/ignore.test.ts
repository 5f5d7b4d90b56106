import { describe, expect, it } from 'vitest';
import {
  ignoreVulnRules,
  ignoreWarnings,
  newIgnoreUsage,
  partitionIgnored,
  rulesInForce,
  type IgnoreRule,
} from './ignore.js';
import type { Finding } from './merge.js';
import { UNKNOWN_SEVERITY } from './severity.js';

const finding = (id: string, aliases: string[], fixVersions: string[] = []): Finding => ({
  id,
  aliases,
  fixVersions,
  description: `about ${id}`,
  severity: UNKNOWN_SEVERITY,
  malicious: false,
  references: [],
  sources: ['osv'],
});

const findings = [
  finding('PYSEC-1', ['CVE-1']),
  finding('PYSEC-2', ['GHSA-2'], ['2.0']),
  finding('PYSEC-3', []),
];

describe('ignore rules', () => {
  it('--ignore-vuln matches the id or any alias', () => {
    const { kept, ignored } = partitionIgnored(
      findings,
      'demo',
      ignoreVulnRules(['CVE-1', 'PYSEC-3']),
    );
    expect([kept.map((f) => f.id), ignored.map((f) => f.id)]).toEqual([
      ['PYSEC-2'],
      ['PYSEC-1', 'PYSEC-3'],
    ]);
    expect(ignored[0]!.ignoredBy).toEqual({ id: 'CVE-1', origin: '--ignore-vuln' });
  });

  it('two rules for one finding (an id and its alias) are both used; the first is reported', () => {
    const rules = ignoreVulnRules(['PYSEC-1', 'CVE-1']);
    const usage = newIgnoreUsage();
    const { ignored } = partitionIgnored(findings, 'demo', rules, usage);
    expect(ignored.map((f) => [f.id, f.ignoredBy.id])).toEqual([['PYSEC-1', 'PYSEC-1']]);
    expect(ignoreWarnings(rules, [], usage, true)).toEqual([]);
  });

  it('a rule with a package applies to that package only (PEP 503 names)', () => {
    const rule: IgnoreRule = { id: 'PYSEC-1', package: 'Demo_Pkg', origin: 'a.toml:3' };
    expect(partitionIgnored(findings, 'demo-pkg', [rule]).ignored.map((f) => f.id)).toEqual([
      'PYSEC-1',
    ]);
    expect(partitionIgnored(findings, 'other', [rule]).ignored).toEqual([]);
  });

  it('an until-fixed rule ignores only while the finding has no fix version', () => {
    const rules = [
      { id: 'PYSEC-2', untilFixed: true, origin: '--ignore-until-fixed' },
      { id: 'PYSEC-3', untilFixed: true, origin: '--ignore-until-fixed' },
    ];
    const usage = newIgnoreUsage();
    const { kept, ignored } = partitionIgnored(findings, 'demo', rules, usage);
    expect([kept.map((f) => f.id), ignored.map((f) => f.id)]).toEqual([
      ['PYSEC-1', 'PYSEC-2'],
      ['PYSEC-3'],
    ]);
    expect(ignoreWarnings(rules, [], usage, true)).toEqual([
      '--ignore-until-fixed: PYSEC-2 has a fix now (2.0); it is reported again',
    ]);
  });

  it('a rule stops applying on its expiry date (UTC), and says so', () => {
    const rules: IgnoreRule[] = [
      { id: 'PYSEC-1', expires: '2026-05-01', origin: '.pyaudit.toml:4' },
      { id: 'PYSEC-3', expires: '2026-05-02', origin: '.pyaudit.toml:8' },
    ];
    const { active, expired } = rulesInForce(rules, '2026-05-01');
    expect(active).toEqual([rules[1]]);
    expect(expired).toEqual([rules[0]]);
    const usage = newIgnoreUsage();
    partitionIgnored(findings, 'demo', active, usage);
    expect(ignoreWarnings(rules, expired, usage, true)).toEqual([
      '.pyaudit.toml:4: the ignore rule for PYSEC-1 expired on 2026-05-01; it no longer applies',
    ]);
  });

  it('a rule that matched nothing warns, but not on a dry run', () => {
    const rules: IgnoreRule[] = [{ id: 'GHSA-none', package: 'demo', origin: 'pyproject.toml:12' }];
    expect(ignoreWarnings(rules, [], newIgnoreUsage(), true)).toEqual([
      'pyproject.toml:12: the ignore rule for GHSA-none in demo matched no finding',
    ]);
    expect(ignoreWarnings(rules, [], newIgnoreUsage(), false)).toEqual([]);
  });
});
