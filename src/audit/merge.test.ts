import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Vulnerability } from '../vulns/types.js';
import { summaryLine } from './audit.js';
import { UNKNOWN_SEVERITY } from './severity.js';
import { compareIdPreference, mergeVulnerabilities } from './merge.js';

const v = (
  id: string,
  aliases: string[],
  fixVersions: string[] = [],
  source = 'osv',
): Vulnerability => ({
  id,
  aliases,
  fixVersions,
  description: `about ${id}`,
  source,
});

describe('alias merging', () => {
  it('merges records that share an id or alias, transitively, keeping the PYSEC id', () => {
    const findings = mergeVulnerabilities([
      v('GHSA-1111-2222-3333', ['CVE-2020-1'], ['1.5']),
      v('PYSEC-2020-9', ['CVE-2020-1'], ['1.4', '2.1']),
      v('OSV-2020-5', ['GHSA-1111-2222-3333', 'BIT-x'], [], 'other'),
      v('PYSEC-2021-1', ['CVE-2021-7'], ['3.0']),
    ]);
    expect(findings).toEqual([
      {
        id: 'PYSEC-2020-9',
        aliases: ['BIT-x', 'CVE-2020-1', 'GHSA-1111-2222-3333', 'OSV-2020-5'],
        fixVersions: ['1.4', '1.5', '2.1'],
        description: 'about PYSEC-2020-9',
        sources: ['osv', 'other'],
        severity: UNKNOWN_SEVERITY,
        malicious: false,
        references: [],
      },
      {
        id: 'PYSEC-2021-1',
        aliases: ['CVE-2021-7'],
        fixVersions: ['3.0'],
        description: 'about PYSEC-2021-1',
        sources: ['osv'],
        severity: UNKNOWN_SEVERITY,
        malicious: false,
        references: [],
      },
    ]);
  });

  it('a finding is malicious when any of its records is, and its severity is scored when first read', () => {
    const [finding] = mergeVulnerabilities([
      { ...v('GHSA-m4l0-0001-aaaa', ['MAL-2099-1']) },
      {
        ...v('MAL-2099-1', []),
        malicious: true,
        ratings: [{ source: 'MAL-2099-1', method: 'OpenSSF', level: 'malicious' }],
      },
    ]);
    expect(finding!.malicious).toBe(true);
    expect(Object.getOwnPropertyDescriptor(finding, 'severity')?.get).toBeTypeOf('function');
    expect(finding!.severity).toEqual({
      level: 'malicious',
      ratings: [{ source: 'MAL-2099-1', method: 'OpenSSF', level: 'malicious' }],
    });
    expect(mergeVulnerabilities([v('PYSEC-1', [])])[0]!.malicious).toBe(false);
  });

  it('prefers PYSEC, then GHSA, then CVE, then anything else', () => {
    expect(
      ['OSV-1', 'CVE-2020-1', 'GHSA-a', 'PYSEC-2020-2', 'PYSEC-2020-10'].sort(compareIdPreference),
    ).toEqual(['PYSEC-2020-10', 'PYSEC-2020-2', 'GHSA-a', 'CVE-2020-1', 'OSV-1']);
    expect(
      mergeVulnerabilities([v('CVE-2020-1', ['OSV-9']), v('OSV-9', [])]).map((f) => f.id),
    ).toEqual(['CVE-2020-1']);
  });

  it('orders findings by id whatever order the services answered in', () => {
    const ids = ['PYSEC-2021-7', 'PYSEC-2021-109', 'GHSA-z', 'PYSEC-2019-217'];
    expect(mergeVulnerabilities(ids.map((id) => v(id, []))).map((f) => f.id)).toEqual([
      'GHSA-z',
      'PYSEC-2019-217',
      'PYSEC-2021-109',
      'PYSEC-2021-7',
    ]);
  });

  it('never reports two findings that share an id or alias', () => {
    const id = fc.constantFrom(
      'PYSEC-1',
      'PYSEC-2',
      'GHSA-1',
      'GHSA-2',
      'CVE-1',
      'CVE-2',
      'CVE-3',
      'OSV-1',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(id, fc.array(id, { maxLength: 3 })), { maxLength: 8 }),
        (records) => {
          const findings = mergeVulnerabilities(records.map(([i, a]) => v(i, a)));
          const seen = new Set<string>();
          for (const f of findings) {
            for (const x of [f.id, ...f.aliases]) {
              expect(seen.has(x)).toBe(false);
              seen.add(x);
            }
          }
          // Every id that went in comes out, as an id or an alias.
          for (const [i, a] of records) for (const x of [i, ...a]) expect(seen.has(x)).toBe(true);
        },
      ),
    );
  });
});

describe('summary line', () => {
  it.each([
    [{ vulnerabilities: 0, ignored: 0, packages: 0 }, 'No known vulnerabilities found'],
    [{ vulnerabilities: 0, ignored: 2, packages: 0 }, 'No known vulnerabilities found, 2 ignored'],
    [{ vulnerabilities: 1, ignored: 0, packages: 1 }, 'Found 1 known vulnerability in 1 package'],
    [
      { vulnerabilities: 67, ignored: 0, packages: 7 },
      'Found 67 known vulnerabilities in 7 packages',
    ],
    [
      { vulnerabilities: 4, ignored: 3, packages: 2 },
      'Found 4 known vulnerabilities, ignored 3 in 2 packages',
    ],
  ])('%j → %s', (summary, line) => {
    expect(summaryLine(summary)).toBe(line);
  });
});
