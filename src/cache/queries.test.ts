import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../test/helpers/temp-dirs.js';
import { queryCache } from './queries.js';

const answer = new Map<string, string | undefined>([
  ['PYSEC-2099-1', '2099-01-01T00:00:00Z'],
  ['GHSA-aaaa-bbbb-cccc', undefined],
]);

const tempDir = tempDirs();
const newDir = async (): Promise<string> => tempDir('pyaudit-queries-');
const fileIn = (dir: string): string => path.join(dir, 'osv', 'queries.json');

describe('query answer cache', () => {
  it('answers within the time to live, and not after it, from one file', async () => {
    const dir = await newDir();
    let now = 1_000_000;
    const writer = queryCache(dir, 300, { now: () => now });
    writer.put('demo-pkg', '1.0.5', answer);
    expect(writer.get('demo-pkg', '1.0.5')).toEqual(answer);
    await writer.flush();
    expect(await readdir(path.join(dir, 'osv'))).toEqual(['queries.json']);
    expect(JSON.parse(await readFile(fileIn(dir), 'utf8'))).toEqual({
      format: 1,
      entries: {
        'demo-pkg\u00001.0.5': {
          fetchedAt: 1_000_000,
          vulns: [
            ['PYSEC-2099-1', '2099-01-01T00:00:00Z'],
            ['GHSA-aaaa-bbbb-cccc', null],
          ],
        },
      },
    });
    const reader = queryCache(dir, 300, { now: () => now });
    expect(reader.get('demo-pkg', '1.0.5')).toEqual(answer);
    expect(reader.get('demo-pkg', '1.0.6')).toBeNull();
    now += 300_000;
    expect(reader.get('demo-pkg', '1.0.5')).toEqual(answer);
    now += 1;
    expect(reader.get('demo-pkg', '1.0.5')).toBeNull();
    // Expired, it is still a hint of what the service will answer.
    expect(reader.hint('demo-pkg', '1.0.5')).toEqual(answer);
    expect(reader.hint('demo-pkg', '1.0.6')).toBeNull();
  });

  it('a time to live of 0 neither reads nor writes', async () => {
    const dir = await newDir();
    const cache = queryCache(dir, 0);
    cache.put('demo-pkg', '1.0.5', answer);
    await cache.flush();
    expect(await readdir(dir)).toEqual([]);
    expect(cache.get('demo-pkg', '1.0.5')).toBeNull();
    expect(cache.hint('demo-pkg', '1.0.5')).toBeNull();
  });

  it('ignores an entry that is corrupt or from the future, and a file that is not one', async () => {
    const dir = await newDir();
    const now = 5_000_000;
    const entryFile = (entry: unknown): string =>
      JSON.stringify({ format: 1, entries: { 'demo-pkg\u00001.0.5': entry } });
    await mkdir(path.join(dir, 'osv'), { recursive: true });
    for (const content of [
      '{"format": 1, "entries": {"demo-pkg\\u00001.0.5": {"fetchedAt": ',
      JSON.stringify({ format: 2, entries: {} }),
      JSON.stringify([]),
      entryFile({ fetchedAt: now + 120_000, vulns: [] }),
      entryFile({ fetchedAt: now, vulns: [[3, null]] }),
      entryFile({ fetchedAt: String(now), vulns: [] }),
    ]) {
      await writeFile(fileIn(dir), content);
      expect(queryCache(dir, 300, { now: () => now }).get('demo-pkg', '1.0.5')).toBeNull();
    }
    // A damaged file is replaced by the next run that has answers to keep.
    const next = queryCache(dir, 300, { now: () => now });
    next.put('demo-pkg', '1.0.5', answer);
    await next.flush();
    expect(queryCache(dir, 300, { now: () => now }).get('demo-pkg', '1.0.5')).toEqual(answer);
  });

  it('keeps what another run wrote meanwhile, drops day-old answers, and keeps the newest up to the cap', async () => {
    const dir = await newDir();
    let now = 10 * 86_400_000;
    const ours = queryCache(dir, 300, { now: () => now, maxEntries: 3 });
    expect(ours.get('a', '1')).toBeNull();
    // Another run writes after this one read the file.
    const old = queryCache(dir, 300, { now: () => now - 86_400_001 });
    old.put('stale', '1', answer);
    await old.flush();
    const theirs = queryCache(dir, 300, { now: () => now - 1000 });
    theirs.put('b', '1', new Map());
    theirs.put('c', '1', new Map());
    await theirs.flush();
    now += 1;
    ours.put('a', '1', answer);
    ours.put('b', '1', answer);
    ours.put('d', '1', new Map());
    await ours.flush();
    const entries = JSON.parse(await readFile(fileIn(dir), 'utf8')).entries as Record<
      string,
      { fetchedAt: number }
    >;
    // Newest first: a, b and d from this run; c from the other run is beyond the cap of 3.
    expect(Object.keys(entries).sort()).toEqual(['a\u00001', 'b\u00001', 'd\u00001']);
    expect(queryCache(dir, 300, { now: () => now }).get('b', '1')).toEqual(answer);
  });

  it('removes the one-file-per-answer folder of earlier versions; an unwritable folder is no error', async () => {
    const dir = await newDir();
    await mkdir(path.join(dir, 'osv', 'queries'), { recursive: true });
    await writeFile(path.join(dir, 'osv', 'queries', 'x.json'), '{}');
    const cache = queryCache(dir, 300);
    cache.put('a', '1', answer);
    await cache.flush();
    expect(existsSync(path.join(dir, 'osv', 'queries'))).toBe(false);

    const blocked = path.join(await newDir(), 'file');
    await writeFile(blocked, '');
    const unwritable = queryCache(blocked, 300);
    unwritable.put('a', '1', answer);
    await expect(unwritable.flush()).resolves.toBeUndefined();
  });
});
