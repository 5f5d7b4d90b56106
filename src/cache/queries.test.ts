import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../test/helpers/temp-dirs.js';
import { queryCache } from './queries.js';

const answer = new Map<string, string | undefined>([
  ['PYSEC-2099-1', '2099-01-01T00:00:00Z'],
  ['GHSA-aaaa-bbbb-cccc', undefined],
]);

describe('query answer cache', () => {
  const tempDir = tempDirs();

  it('answers within the time to live, and not after it', async () => {
    const dir = tempDir('pyaudit-queries-');
    let now = 1_000_000;
    const cache = queryCache(dir, 300, () => now);
    await cache.put('demo-pkg', '1.0.5', answer);
    expect(await cache.get('demo-pkg', '1.0.5')).toEqual(answer);
    expect(await cache.get('demo-pkg', '1.0.6')).toBeNull();
    now += 300_000;
    expect(await cache.get('demo-pkg', '1.0.5')).toEqual(answer);
    now += 1;
    expect(await cache.get('demo-pkg', '1.0.5')).toBeNull();
  });

  it('a time to live of 0 neither reads nor writes', async () => {
    const dir = tempDir('pyaudit-queries-');
    const cache = queryCache(dir, 0);
    await cache.put('demo-pkg', '1.0.5', answer);
    expect(await readdir(dir)).toEqual([]);
    expect(await cache.get('demo-pkg', '1.0.5')).toBeNull();
  });

  it('ignores an entry that is corrupt, for another package, or from the future', async () => {
    const dir = tempDir('pyaudit-queries-');
    const now = 5_000_000;
    const cache = queryCache(dir, 300, () => now);
    await cache.put('demo-pkg', '1.0.5', answer);
    const [file] = await readdir(path.join(dir, 'osv', 'queries'));
    const full = path.join(dir, 'osv', 'queries', file!);
    for (const content of [
      '{"name": "demo-pkg", "version": "1.0.5", "fetchedAt": ',
      JSON.stringify({ name: 'other', version: '1.0.5', fetchedAt: now, vulns: [] }),
      JSON.stringify({ name: 'demo-pkg', version: '1.0.5', fetchedAt: now + 120_000, vulns: [] }),
      JSON.stringify({ name: 'demo-pkg', version: '1.0.5', fetchedAt: now, vulns: [[3, null]] }),
    ]) {
      await writeFile(full, content);
      expect(await cache.get('demo-pkg', '1.0.5')).toBeNull();
    }
  });
});
