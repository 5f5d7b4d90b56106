import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAdvisories } from '../../test/helpers/advisories.js';
import { REPO_ROOT } from '../../test/helpers/shared.js';
import { recordRatings } from '../audit/severity.js';
import type { OsvRecord } from '../standards/osv.js';
import { toVulnerability } from './record.js';

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
