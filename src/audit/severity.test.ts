import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadAdvisories } from '../../test/helpers/advisories.js';
import { describeShared, REPO_ROOT, sharedPath } from '../../test/helpers/shared.js';
import type { OsvRecord } from '../standards/osv.js';
import type { Vulnerability } from '../vulns/types.js';
import { mergeVulnerabilities } from './merge.js';
import {
  cvssScore,
  isMaliciousRecord,
  levelOfScore,
  recordRatings,
  severityOf,
  validateCvssVector,
} from './severity.js';

interface ReferenceVector {
  record: string | null;
  type: string;
  vector: string;
  score: number;
}

/** Base scores computed from the specifications' formulas by test/fixtures/generate_cvss_reference.py. */
const reference = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'test/fixtures/severity/cvss-reference.json'), 'utf8'),
) as ReferenceVector[];

const fixtureRecords = (): OsvRecord[] =>
  loadAdvisories(path.join(REPO_ROOT, 'test/fixtures/severity/records'));
const fixture = (id: string): OsvRecord => fixtureRecords().find((r) => r.id === id)!;

describe('CVSS scoring', () => {
  it('scores every reference vector as the specification formulas do', () => {
    expect(reference.filter((r) => r.type === 'CVSS_V3')).toHaveLength(202);
    for (const r of reference) {
      const scored = cvssScore(r.vector);
      expect({ vector: r.vector, score: scored?.score }).toEqual({
        vector: r.vector,
        score: r.score,
      });
    }
  });

  it('rates scores with the specification bands (v2: no critical)', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map((s) => levelOfScore(s, '3.1'))).toEqual([
      'low',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
    expect([3.9, 4, 6.9, 7, 10].map((s) => levelOfScore(s, '2.0'))).toEqual([
      'low',
      'medium',
      'medium',
      'high',
      'high',
    ]);
  });

  it('scores CVSS v4.0 vectors (FIRST calculator values)', () => {
    expect(cvssScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toEqual({
      version: '4.0',
      score: 9.3,
    });
    expect(cvssScore('CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toEqual({
      version: '4.0',
      score: 8.5,
    });
    expect(cvssScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N')).toEqual({
      version: '4.0',
      score: 0,
    });
  });

  it('validates a vector before scoring it', () => {
    const invalid = [
      'CVSS:3.1/AV:N', // incomplete: the calculator would score it 0
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', // A missing
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L', // A twice
      'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // unknown value
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y', // unknown metric
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/', // empty part
      'CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // unknown version
      'CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', // AT missing
      'AV:N/AC:L/Au:N/C:P/I:P', // v2, A missing
      'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // v3 metrics without the prefix
      '9.8',
      '',
    ];
    for (const v of invalid) {
      expect([v, validateCvssVector(v)]).toEqual([v, null]);
      expect([v, cvssScore(v)]).toEqual([v, null]);
    }
    expect(validateCvssVector('AV:N/AC:L/Au:N/C:P/I:P/A:P/E:POC/RL:OF/RC:C')).toBe('2.0');
    expect(validateCvssVector('CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N/E:P/MAV:L')).toBe(
      '3.0',
    );
    expect(
      validateCvssVector(
        'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/MSI:S/U:Amber',
      ),
    ).toBe('4.0');
  });

  it('property: any complete v3.1 vector validates and scores within 0–10; dropping a base metric invalidates it', () => {
    const pick = (values: string[]) => fc.constantFrom(...values);
    const base = fc.record({
      AV: pick(['N', 'A', 'L', 'P']),
      AC: pick(['L', 'H']),
      PR: pick(['N', 'L', 'H']),
      UI: pick(['N', 'R']),
      S: pick(['U', 'C']),
      C: pick(['H', 'L', 'N']),
      I: pick(['H', 'L', 'N']),
      A: pick(['H', 'L', 'N']),
    });
    fc.assert(
      fc.property(base, fc.nat(7), (metrics, drop) => {
        const parts = Object.entries(metrics).map(([k, v]) => `${k}:${v}`);
        const vector = `CVSS:3.1/${parts.join('/')}`;
        const scored = cvssScore(vector);
        expect(scored).not.toBeNull();
        expect(scored!.score).toBeGreaterThanOrEqual(0);
        expect(scored!.score).toBeLessThanOrEqual(10);
        const without = `CVSS:3.1/${parts.filter((_, i) => i !== drop).join('/')}`;
        expect(validateCvssVector(without)).toBeNull();
      }),
    );
  });
});

describe('record ratings', () => {
  it('reads CVSS vectors (v2, v3, v4) and GitHub levels; a vector under the wrong type is left out', () => {
    expect(recordRatings(fixture('PYSEC-2099-101'))).toEqual([
      {
        source: 'PYSEC-2099-101',
        method: 'CVSSv31',
        level: 'critical',
        score: 9.8,
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      },
    ]);
    expect(recordRatings(fixture('GHSA-h1gh-0002-bbbb'))).toEqual([
      {
        source: 'GHSA-h1gh-0002-bbbb',
        method: 'CVSSv4',
        level: 'high',
        score: 8.5,
        vector: 'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      },
      { source: 'GHSA-h1gh-0002-bbbb', method: 'GitHub', level: 'medium' },
    ]);
    expect(recordRatings(fixture('PYSEC-2099-103'))).toEqual([
      {
        source: 'PYSEC-2099-103',
        method: 'CVSSv2',
        level: 'medium',
        score: 4.3,
        vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:N',
      },
    ]);
    expect(recordRatings(fixture('GHSA-l0w0-0004-dddd'))).toEqual([
      { source: 'GHSA-l0w0-0004-dddd', method: 'GitHub', level: 'low' },
    ]);
    // An incomplete vector is no rating at all: unknown, not 0.0.
    expect(recordRatings(fixture('PYSEC-2099-105'))).toEqual([]);
    expect(
      recordRatings({
        id: 'X-1',
        severity: [{ type: 'CVSS_V2', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      }),
    ).toEqual([]);
  });

  it('rates OpenSSF malicious-packages records malicious, by id or by origin', () => {
    for (const id of ['MAL-2099-1', 'MAL-2099-2']) {
      expect(isMaliciousRecord(fixture(id))).toBe(true);
      expect(recordRatings(fixture(id))).toEqual([
        { source: id, method: 'OpenSSF', level: 'malicious' },
      ]);
    }
    // The same feed's entry under a GHSA id still carries its origins.
    expect(isMaliciousRecord({ ...fixture('MAL-2099-2'), id: 'GHSA-m4l0-0002-eeee' })).toBe(true);
    expect(isMaliciousRecord(fixture('GHSA-l0w0-0004-dddd'))).toBe(false);
  });

  it('a merged finding takes the highest rating of its records', () => {
    const vuln = (record: OsvRecord): Vulnerability => ({
      id: record.id,
      aliases: [...(record.aliases ?? [])],
      fixVersions: [],
      description: record.id,
      source: 'osv',
      ratings: recordRatings(record),
    });
    const [merged] = mergeVulnerabilities([
      vuln(fixture('GHSA-c7it-0001-aaaa')),
      vuln(fixture('PYSEC-2099-101')),
    ]);
    expect(merged!.id).toBe('PYSEC-2099-101');
    expect(merged!.severity).toEqual({
      level: 'critical',
      score: 9.8,
      ratings: [
        {
          source: 'PYSEC-2099-101',
          method: 'CVSSv31',
          level: 'critical',
          score: 9.8,
          vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        },
        { source: 'GHSA-c7it-0001-aaaa', method: 'GitHub', level: 'high' },
      ],
    });
    // Malicious outranks any score; no rating at all is unknown.
    expect(
      severityOf([
        { source: 'A', method: 'CVSSv31', level: 'critical', score: 10 },
        { source: 'MAL-1', method: 'OpenSSF', level: 'malicious' },
      ]).level,
    ).toBe('malicious');
    expect(severityOf([])).toEqual({ level: 'unknown', ratings: [] });
  });
});

describeShared('severity of the PyPA advisory database', () => {
  it('rates every record that carries a CVSS vector from it, as the reference scores say', () => {
    const records = loadAdvisories(sharedPath('advisory-database', 'vulns'));
    const rated = records.filter((r) => (r.severity ?? []).length > 0);
    expect(rated).toHaveLength(202);
    const expected = new Map(reference.filter((r) => r.record).map((r) => [r.record, r]));
    for (const record of rated) {
      const ratings = recordRatings(record);
      const ref = expected.get(record.id)!;
      expect(ratings).toEqual([
        {
          source: record.id,
          method: ref.vector.startsWith('CVSS:3.0/') ? 'CVSSv3' : 'CVSSv31',
          level: levelOfScore(ref.score, '3.1'),
          score: ref.score,
          vector: ref.vector,
        },
      ]);
    }
    // Every band occurs in real data.
    const levels = new Set(rated.map((r) => severityOf(recordRatings(r)).level));
    expect([...levels].sort()).toEqual(['critical', 'high', 'low', 'medium']);
  });
});
