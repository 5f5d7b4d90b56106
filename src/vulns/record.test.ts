import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAdvisories } from '../../test/helpers/advisories.js';
import { describeShared, REPO_ROOT, sharedPath } from '../../test/helpers/shared.js';
import { recordRatings } from '../audit/severity.js';
import { PYPI_ECOSYSTEM, type OsvRecord } from '../standards/osv.js';
import { fromSummary, isRecordSummary, summarizeRecord, toVulnerability } from './record.js';

const records = loadAdvisories(path.join(REPO_ROOT, 'test/fixtures/severity/records'));
const record = (id: string): OsvRecord => records.find((r) => r.id === id)!;

describe('toVulnerability', () => {
  it('scores the record when its ratings are first read, with the same result as recordRatings', () => {
    const pysec = record('PYSEC-2099-101');
    const vuln = toVulnerability(pysec, 'example', 'osv');
    expect(Object.getOwnPropertyDescriptor(vuln, 'ratings')?.get).toBeTypeOf('function');
    expect(vuln.ratings).toEqual(recordRatings(pysec));
    expect(vuln.ratings).toHaveLength(1);
    expect(vuln.malicious).toBeUndefined();
  });

  it('marks malicious-packages records, by id and by origin', () => {
    for (const id of ['MAL-2099-1', 'MAL-2099-2']) {
      expect(toVulnerability(record(id), 'example', 'osv').malicious).toBe(true);
    }
  });

  it('a record that rates nothing has no ratings', () => {
    const bare: OsvRecord = { id: 'PYSEC-0000-1', modified: '2024-01-01T00:00:00Z' };
    const vuln = toVulnerability(bare, 'example', 'osv');
    expect(vuln.ratings).toBeUndefined();
    expect(JSON.parse(JSON.stringify(vuln))).toEqual({
      id: 'PYSEC-0000-1',
      aliases: [],
      fixVersions: [],
      description: 'N/A',
      source: 'osv',
      modified: '2024-01-01T00:00:00Z',
    });
  });
});

/** Each record as each PyPI package it names reports it, through a summary read back from JSON. */
function expectSummariesRoundTrip(all: readonly OsvRecord[]): number {
  let checked = 0;
  for (const r of all) {
    const names = new Set(
      (r.affected ?? []).flatMap((a) =>
        a.package?.ecosystem === PYPI_ECOSYSTEM ? [a.package.name] : [],
      ),
    );
    for (const name of names.size > 0 ? names : ['example']) {
      const stored: unknown = JSON.parse(JSON.stringify(summarizeRecord(r, name)));
      expect(isRecordSummary(stored)).toBe(true);
      const direct = toVulnerability(r, name, 'osv');
      const again = fromSummary(stored as ReturnType<typeof summarizeRecord>, 'osv');
      expect(again).toEqual(direct);
      expect(again.ratings).toEqual(direct.ratings);
      expect(Object.keys(again)).toEqual(Object.keys(direct));
      checked++;
    }
  }
  return checked;
}

describe('record summaries (what the summaries cache keeps)', () => {
  it('read back from JSON, give what the record gives, ratings included', () => {
    const fixtures = [
      ...records,
      ...loadAdvisories(path.join(REPO_ROOT, 'test/fixtures/osv')),
      { id: 'PYSEC-0000-1', modified: '2024-01-01T00:00:00Z' },
    ];
    expect(expectSummariesRoundTrip(fixtures)).toBeGreaterThanOrEqual(fixtures.length);
  });

  it('a summary with a field of the wrong type is not one', () => {
    const summary = summarizeRecord(record('PYSEC-2099-101'), 'example');
    expect(isRecordSummary(summary)).toBe(true);
    for (const broken of [
      { ...summary, description: null },
      { ...summary, published: 5 },
      { ...summary, references: 'https://example.org' },
      { ...summary, rates: { ...summary.rates, severity: [null] } },
      { ...summary, rates: undefined },
      [summary],
    ])
      expect(isRecordSummary(broken)).toBe(false);
  });
});

describeShared('record summaries of the PyPA advisory database', () => {
  it('every record, for every package it names, reads back as it was made', () => {
    const all = loadAdvisories(sharedPath('advisory-database', 'vulns'));
    expect(expectSummariesRoundTrip(all)).toBeGreaterThanOrEqual(all.length);
  });
});
