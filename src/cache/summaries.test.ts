import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoRecords } from '../../test/helpers/fixtures.js';
import { tempDirs } from '../../test/helpers/temp-dirs.js';
import { summarizeRecord, type RecordSummary } from '../vulns/record.js';
import { summaryCache } from './summaries.js';

const record = demoRecords().find((r) => r.id === 'PYSEC-2099-1')!;
const summary = summarizeRecord(record, 'demo-pkg');
const modified = record.modified!;

const tempDir = tempDirs();
const fileIn = (dir: string): string => path.join(dir, 'osv', 'summaries.json');

describe('record summary cache', () => {
  it('keeps a summary per record and package, trusted only for the record’s modified', async () => {
    const dir = tempDir('pyaudit-summaries-');
    const writer = summaryCache(dir, { now: () => 5 });
    writer.put('demo-pkg', false, summary);
    expect(writer.get(record.id, modified, 'demo-pkg')).toEqual({ withdrawn: false, summary });
    await writer.flush();
    expect(JSON.parse(await readFile(fileIn(dir), 'utf8'))).toEqual({
      format: 1,
      entries: {
        'PYSEC-2099-1\u0000demo-pkg': { storedAt: 5, withdrawn: false, summary },
      },
    });
    const hits: string[] = [];
    const reader = summaryCache(dir, { onHit: (id) => hits.push(id) });
    // Read once, when asked to (as the OSV service does while the batch is in flight).
    reader.load();
    await rm(fileIn(dir));
    expect(reader.get(record.id, modified, 'demo-pkg')).toEqual({ withdrawn: false, summary });
    expect(reader.get(record.id, '2000-01-01T00:00:00Z', 'demo-pkg')).toBeNull();
    expect(reader.get(record.id, modified, 'other-pkg')).toBeNull();
    expect(reader.get('PYSEC-2099-2', modified, 'demo-pkg')).toBeNull();
    expect(hits).toEqual(['PYSEC-2099-1']);
  });

  it('keeps nothing of a record without modified, and writes nothing when nothing was put', async () => {
    const dir = tempDir('pyaudit-summaries-');
    const cache = summaryCache(dir);
    cache.put('demo-pkg', false, { ...summary, modified: undefined });
    await cache.flush();
    await expect(readFile(fileIn(dir))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('ignores a damaged file, and any entry that is not a summary of the record asked for', async () => {
    const dir = tempDir('pyaudit-summaries-');
    await mkdir(path.join(dir, 'osv'), { recursive: true });
    await writeFile(fileIn(dir), '{"format": 1, "entries": {"PYSEC-2099-1\\u0000demo');
    expect(summaryCache(dir).get(record.id, modified, 'demo-pkg')).toBeNull();
    const entry = (changes: Partial<Record<keyof RecordSummary, unknown>>) => ({
      storedAt: 1,
      withdrawn: false,
      summary: { ...summary, ...changes },
    });
    const broken: Array<[string, unknown]> = [
      ['PYSEC-2099-1\u0000a', entry({ id: 'PYSEC-2099-9' })],
      ['PYSEC-2099-1\u0000b', entry({ fixVersions: '1.2.0' })],
      ['PYSEC-2099-1\u0000c', entry({ aliases: [1] })],
      ['PYSEC-2099-1\u0000d', entry({ references: [{ url: 'https://x' }] })],
      ['PYSEC-2099-1\u0000e', entry({ malicious: false })],
      ['PYSEC-2099-1\u0000f', entry({ rates: { id: 'PYSEC-2099-9' } })],
      ['PYSEC-2099-1\u0000g', entry({ rates: { id: 'PYSEC-2099-1', severity: 'HIGH' } })],
      ['PYSEC-2099-1\u0000h', { ...entry({}), withdrawn: 'no' }],
      ['PYSEC-2099-1\u0000i', null],
    ];
    await writeFile(
      fileIn(dir),
      JSON.stringify({ format: 1, entries: Object.fromEntries(broken) }),
    );
    const cache = summaryCache(dir);
    for (const name of 'abcdefghi') expect(cache.get(record.id, modified, name)).toBeNull();
    await writeFile(fileIn(dir), JSON.stringify({ format: 2, entries: {} }));
    expect(summaryCache(dir).get(record.id, modified, 'a')).toBeNull();
  });

  it('keeps what another run wrote meanwhile, and the newest summaries up to the cap', async () => {
    const dir = tempDir('pyaudit-summaries-');
    const one = summaryCache(dir, { now: () => 1 });
    const two = summaryCache(dir, { now: () => 2 });
    one.put('first-pkg', false, summary);
    two.put('second-pkg', true, summary);
    await one.flush();
    await two.flush();
    const keys = async () =>
      Object.keys((JSON.parse(await readFile(fileIn(dir), 'utf8')) as { entries: object }).entries);
    expect(await keys()).toEqual(['PYSEC-2099-1\u0000second-pkg', 'PYSEC-2099-1\u0000first-pkg']);
    expect(summaryCache(dir).get(record.id, modified, 'second-pkg')).toEqual({
      withdrawn: true,
      summary,
    });
    // Room for about two entries: the newest stay.
    const size = JSON.stringify(summary).length + 100;
    const three = summaryCache(dir, { now: () => 3, maxBytes: 2 * size });
    three.put('third-pkg', false, summary);
    await three.flush();
    expect(await keys()).toEqual(['PYSEC-2099-1\u0000third-pkg', 'PYSEC-2099-1\u0000second-pkg']);
  });

  it('a folder that cannot be written is no error', async () => {
    const dir = tempDir('pyaudit-summaries-');
    await writeFile(path.join(dir, 'osv'), 'a file where the folder belongs');
    const cache = summaryCache(dir);
    cache.put('demo-pkg', false, summary);
    await expect(cache.flush()).resolves.toBeUndefined();
  });
});
