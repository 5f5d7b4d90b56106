import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoRecords } from '../../../test/helpers/fixtures.js';
import { tempDirs } from '../../../test/helpers/temp-dirs.js';
import type { OsvRecord } from '../../standards/osv.js';
import {
  ageInDays,
  DATABASE_FILE,
  defaultDatabaseDir,
  openDatabase,
  readDatabaseHeader,
  writeRecords,
} from './database.js';
import { decodeDatabase, encodeDatabase } from './format.js';
import { toVulnerability } from '../record.js';
import { parseRecordText } from './sources.js';

const source = (location: string, records: number) => ({
  location,
  kind: 'folder' as const,
  records,
  importedAt: '2099-01-01T00:00:00.000Z',
});
const makeTemp = tempDirs();
const tempDir = () => makeTemp('pyaudit-db-');

describe('database file format', () => {
  const records = demoRecords().filter((r) => r.id !== 'PYSEC-2099-6'); // npm-only record left out by import

  it('round-trips records and indexes them by PEP 503 name', () => {
    const bytes = encodeDatabase(records, {
      built: '2099-01-01T00:00:00.000Z',
      sources: [source('x', 7)],
    });
    const { header, store, ids } = decodeDatabase(bytes);
    expect(header).toMatchObject({
      format: 1,
      records: 7,
      packages: 2,
      built: '2099-01-01T00:00:00.000Z',
    });
    expect(ids).toEqual([
      'GHSA-aaaa-bbbb-cccc',
      'OSV-2099-7',
      'PYSEC-2099-1',
      'PYSEC-2099-2',
      'PYSEC-2099-3',
      'PYSEC-2099-4',
      'PYSEC-2099-5',
    ]);
    expect(store.recordsFor('Demo.Pkg').map((r) => r.id)).toEqual([
      'GHSA-aaaa-bbbb-cccc',
      'OSV-2099-7',
      'PYSEC-2099-1',
      'PYSEC-2099-2',
      'PYSEC-2099-3',
      'PYSEC-2099-5',
    ]);
    expect(store.record('PYSEC-2099-4')).toEqual(records.find((r) => r.id === 'PYSEC-2099-4'));
    expect(store.record('NOPE')).toBeUndefined();
  });

  it('detects corruption, truncation, foreign files and other format versions', () => {
    const bytes = encodeDatabase(records, { built: '2099-01-01T00:00:00.000Z', sources: [] });
    const flipped = Buffer.from(bytes);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 10) ^ 0xff, flipped.length - 10);
    expect(() => decodeDatabase(flipped)).toThrow('the database is corrupt (checksum mismatch)');
    expect(() => decodeDatabase(bytes.subarray(0, bytes.length - 5))).toThrow(
      'the database is truncated (body)',
    );
    expect(() => decodeDatabase(Buffer.from('PK\u0003\u0004 not a database at all'))).toThrow(
      'not a pyaudit database (bad magic number)',
    );
    const future = Buffer.from(bytes);
    future.writeUInt32LE(2, 8);
    expect(() => decodeDatabase(future)).toThrow(
      'database format 2 is not supported by this pyaudit (it reads format 1)',
    );
  });
});

describe('database directory', () => {
  it('defaults to the platform cache directory, PYAUDIT_DB_DIR first', () => {
    expect(defaultDatabaseDir({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.cache/pyaudit/db');
    expect(defaultDatabaseDir({ HOME: '/home/u', XDG_CACHE_HOME: '/xdg' }, 'linux')).toBe(
      '/xdg/pyaudit/db',
    );
    expect(defaultDatabaseDir({ HOME: '/Users/u' }, 'darwin')).toBe(
      '/Users/u/Library/Caches/pyaudit/db',
    );
    expect(
      defaultDatabaseDir(
        { HOME: 'C:\\Users\\u', LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
        'win32',
      ),
    ).toBe(path.join('C:\\Users\\u\\AppData\\Local', 'pyaudit', 'Cache', 'db'));
    expect(defaultDatabaseDir({ PYAUDIT_DB_DIR: '/srv/db', HOME: '/home/u' }, 'linux')).toBe(
      '/srv/db',
    );
  });

  it('says how to create a database when there is none', async () => {
    const dir = tempDir();
    expect(() => openDatabase(dir)).toThrow(
      `${path.join(dir, DATABASE_FILE)}: no offline vulnerability database here; create one with \`pyaudit db update\``,
    );
    expect(await readDatabaseHeader(dir)).toBeNull();
  });

  it('adds records, keeps the newer of two with one id, and records each source once', async () => {
    const dir = tempDir();
    const [a, b] = demoRecords();
    const first = await writeRecords(dir, [a!, b!], source('one', 2), {
      now: new Date('2099-01-10T00:00:00Z'),
    });
    expect([first.changed, first.header.records]).toEqual([2, 2]);
    const older: OsvRecord = { ...a!, modified: '1999-01-01T00:00:00Z', details: 'stale' };
    const newer: OsvRecord = { ...b!, modified: '2100-01-01T00:00:00Z', details: 'fresh' };
    const second = await writeRecords(dir, [older, newer], source('one', 2), {
      now: new Date('2099-01-11T00:00:00Z'),
    });
    expect(second.changed).toBe(1);
    const { store, header } = openDatabase(dir);
    expect(store.record(a!.id)?.details).toBe(a!.details);
    expect(store.record(b!.id)?.details).toBe('fresh');
    expect(header.sources.map((s) => s.location)).toEqual(['one']);
    expect(ageInDays(header, new Date('2099-01-13T00:00:00Z'))).toBe(2);
    const replaced = await writeRecords(dir, [a!], source('two', 1), { replace: true });
    expect([replaced.header.records, replaced.header.sources.map((s) => s.location)]).toEqual([
      1,
      ['two'],
    ]);
  });

  it('refuses to write while another live process holds the lock, and takes over a dead one', async () => {
    const dir = tempDir();
    await writeRecords(dir, demoRecords().slice(0, 1), source('one', 1));
    await writeFile(path.join(dir, '.lock'), String(process.ppid));
    await expect(writeRecords(dir, [], source('one', 1))).rejects.toThrow(
      `another pyaudit (pid ${process.ppid}) is updating this database`,
    );
    await writeFile(path.join(dir, '.lock'), '999999999');
    await expect(writeRecords(dir, [], source('one', 1))).resolves.toMatchObject({ changed: 0 });
  });

  it('a corrupt database is an error naming the file, never an empty audit', async () => {
    const dir = tempDir();
    await writeRecords(dir, demoRecords().slice(0, 2), source('one', 2));
    const file = path.join(dir, DATABASE_FILE);
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 3));
    expect(() => openDatabase(dir)).toThrow(
      `${file}: the database is truncated (body); rebuild it with pyaudit db import or pyaudit db update`,
    );
  });
});

describe('record files', () => {
  it('reads a record, a list of records, and YAML with versions kept as text', () => {
    expect(parseRecordText('{"id": "X-1"}', 'x.json').map((r) => r.id)).toEqual(['X-1']);
    expect(parseRecordText('[{"id": "X-1"}, {"id": "X-2"}]', 'x.json').map((r) => r.id)).toEqual([
      'X-1',
      'X-2',
    ]);
    const [yaml] = parseRecordText('id: PYSEC-1\naffected:\n- versions:\n  - 1.10\n', 'a.yaml');
    expect(yaml!.affected![0]!.versions).toEqual(['1.10']);
  });

  it('names the file that is not a record', () => {
    expect(() => parseRecordText('{"id": 3}', 'bad.json')).toThrow(
      'bad.json: not an OSV record: no "id"',
    );
    expect(() => parseRecordText('{oops', 'broken.json')).toThrow(
      /^broken\.json: not an OSV record: /,
    );
    expect(() => parseRecordText('[{"id": "A"}, 5]', 'list.json')).toThrow(
      'list.json[1]: not an OSV record: expected an object',
    );
    // Found by the fuzz campaign: a references list cut short ends in a null item.
    expect(() =>
      parseRecordText(
        'id: PYSEC-1\nreferences:\n- type: WEB\n  url: https://example.org/\n-',
        'cut.yaml',
      ),
    ).toThrow('cut.yaml: not an OSV record: "references" is not a list of objects');
    expect(() => parseRecordText('{"id": "A", "severity": [null]}', 's.json')).toThrow(
      's.json: not an OSV record: "severity" is not a list of objects',
    );
    expect(() => parseRecordText('{"id": "A", "severity": "HIGH"}', 's.json')).toThrow(
      's.json: not an OSV record: "severity" is not a list of objects',
    );
  });

  it('reads a record whose severity or references have fields of the wrong type, skipping them', () => {
    const [record] = parseRecordText(
      '{"id": "A", "severity": [{"type": "CVSS_V3", "score": 9}], "references": [{"type": "WEB", "url": 3}, {"type": "WEB", "url": "https://example.org/a"}]}',
      'odd.json',
    );
    const vuln = toVulnerability(record!, 'demo-pkg', 'local');
    expect(vuln.ratings).toBeUndefined();
    expect(vuln.references).toEqual([{ type: 'WEB', url: 'https://example.org/a' }]);
  });
});
