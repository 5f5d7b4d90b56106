import { describe, expect, it } from 'vitest';
import { demoRecords } from '../../test/helpers/fixtures.js';
import { describeRecord, fixVersions, isAffected, rangeContains, type OsvRecord } from './osv.js';

const byId = new Map(demoRecords().map((r) => [r.id, r]));
const record = (id: string): OsvRecord => byId.get(id)!;

describe('OSV range evaluation', () => {
  const range = {
    type: 'ECOSYSTEM',
    events: [{ introduced: '0' }, { fixed: '1.2.0' }, { introduced: '2.0' }, { fixed: '2.0.3' }],
  };
  it.each([
    ['0.1', true],
    ['1.2.0rc1', true],
    ['1.2', false],
    ['1.9', false],
    ['2.0.0', true],
    ['2.0.2.post1', true],
    ['2.0.3', false],
    ['3.0', false],
  ])('%s in [0, 1.2.0) ∪ [2.0, 2.0.3): %s', (version, expected) => {
    expect(rangeContains(range, version)).toBe(expected);
  });

  it('orders events by PEP 440, not as written', () => {
    const shuffled = { type: 'ECOSYSTEM', events: [{ fixed: '1.10' }, { introduced: '1.9' }] };
    expect([
      rangeContains(shuffled, '1.9.5'),
      rangeContains(shuffled, '1.10'),
      rangeContains(shuffled, '1.2'),
    ]).toEqual([true, false, false]);
  });

  it('last_affected includes its own version; limit excludes from itself up', () => {
    const last = { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { last_affected: '1.1.0' }] };
    expect([
      rangeContains(last, '1.1'),
      rangeContains(last, '1.1.0.post1'),
      rangeContains(last, '0.9'),
    ]).toEqual([true, false, false]);
    const limited = { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { limit: '1.1' }] };
    expect([
      rangeContains(limited, '1.0.5'),
      rangeContains(limited, '1.1'),
      rangeContains(limited, '5'),
    ]).toEqual([true, false, false]);
  });

  it('ignores GIT and other range types', () => {
    expect(rangeContains({ type: 'GIT', events: [{ introduced: '0' }] }, '1.0')).toBe(false);
    expect(rangeContains({ type: 'SEMVER', events: [{ introduced: '0' }] }, '1.0')).toBe(false);
  });
});

describe('OSV records', () => {
  it('matches PyPI packages by PEP 503 name, ranges or enumerated versions', () => {
    expect(isAffected(record('PYSEC-2099-1'), 'Demo_Pkg', '1.1')).toBe(true);
    expect(isAffected(record('PYSEC-2099-2'), 'demo-pkg', '1.0.0')).toBe(true);
    expect(isAffected(record('PYSEC-2099-4'), 'other-pkg', '0.5.0')).toBe(true);
    expect(isAffected(record('PYSEC-2099-4'), 'other-pkg', '0.7')).toBe(false);
    expect(isAffected(record('PYSEC-2099-5'), 'demo-pkg', '1.0')).toBe(false);
    expect(isAffected(record('PYSEC-2099-6'), 'demo-pkg', '1.0')).toBe(false);
  });

  it('skips withdrawn records', () => {
    expect(isAffected(record('PYSEC-2099-3'), 'demo-pkg', '1.0')).toBe(false);
  });

  it('fix versions come from the matching package ECOSYSTEM ranges, normalized and sorted', () => {
    expect(fixVersions(record('PYSEC-2099-1'), 'demo-pkg')).toEqual(['1.2.0', '2.0.3']);
    expect(fixVersions(record('PYSEC-2099-1'), 'other-pkg')).toEqual([]);
    expect(fixVersions(record('PYSEC-2099-2'), 'demo-pkg')).toEqual([]);
    const messy: OsvRecord = {
      id: 'X',
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'p' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.10' }] }],
        },
        {
          package: { ecosystem: 'PyPI', name: 'p' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.9-post1' }] }],
        },
        {
          package: { ecosystem: 'PyPI', name: 'p' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.10' }] }],
        },
      ],
    };
    expect(fixVersions(messy, 'p')).toEqual(['1.9.post1', '1.10']);
  });

  it('describes with the summary, else the details, else N/A; newlines become spaces', () => {
    expect(describeRecord(record('GHSA-aaaa-bbbb-cccc'))).toBe('Demo flaw one (GHSA)');
    expect(describeRecord(record('PYSEC-2099-1'))).toBe('Demo flaw one. Second line.');
    expect(describeRecord(record('OSV-2099-7'))).toBe('N/A');
  });
});
