/**
 * The record cache's size cap: past it, the least recently written records are removed, and
 * only a run that wrote something sweeps (a warm run only reads).
 */
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../standards/osv.js';
import { recordCache } from './records.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const record = (id: string): OsvRecord =>
  ({
    id,
    modified: '2024-01-01T00:00:00Z',
    details: 'x'.repeat(1000),
    affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, versions: ['1.0'] }],
  }) as OsvRecord;

const cached = (dir: string): string[] =>
  readdirSync(path.join(dir, 'osv', 'vulns'))
    .filter((n) => !n.startsWith('.'))
    .sort();

describe('record cache cap', () => {
  it('removes the oldest records beyond the cap, and keeps what a read-only run found', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pyaudit-cache-cap-'));
    dirs.push(dir);
    const first = recordCache(dir);
    for (const id of ['PYSEC-1', 'PYSEC-2', 'PYSEC-3', 'PYSEC-4']) await first.put(record(id));
    // Write times one minute apart, oldest first.
    const folder = path.join(dir, 'osv', 'vulns');
    cached(dir).forEach((name, i) => {
      const t = new Date(Date.UTC(2024, 0, 1, 0, i));
      utimesSync(path.join(folder, name), t, t);
    });
    const size = 1000 + 200; // each entry is a little over 1 KB
    // A run that only read does not sweep, even past the cap.
    const reader = recordCache(dir);
    expect((await reader.get('PYSEC-1', '2024-01-01T00:00:00Z'))?.id).toBe('PYSEC-1');
    await reader.prune(size);
    expect(cached(dir)).toHaveLength(4);
    // The run that wrote sweeps down to the cap: the two oldest go.
    await first.prune(2 * size + 100);
    expect(cached(dir)).toEqual(['PYSEC-3.json', 'PYSEC-4.json']);
    expect(await first.get('PYSEC-1', '2024-01-01T00:00:00Z')).toBeNull();
  });
});
