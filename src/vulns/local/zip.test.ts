/**
 * `db import` of hostile archives: path traversal, absolute paths, symbolic links,
 * decompression bombs and YAML alias bombs are refused with one line, and the database is
 * byte for byte what it was.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/run-cli.js';
import { DATABASE_FILE } from './database.js';
import { checkZip, listZipEntries, UnsafeZipError } from './zip.js';

const record = (id: string, name = 'demo-pkg'): Uint8Array =>
  new TextEncoder().encode(
    JSON.stringify({
      id,
      modified: '2099-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'PyPI', name }, versions: ['1.0'] }],
    }),
  );

let dir: string;
let before: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pyaudit-zip-'));
  await writeFile(
    path.join(dir, 'good.zip'),
    zipSync({ 'PYSEC-2099-1.json': record('PYSEC-2099-1') }),
  );
  const imported = await runCli(['db', 'import', 'good.zip', '--db-dir', 'db'], { cwd: dir });
  expect(imported.code).toBe(0);
  before = await readFile(path.join(dir, 'db', DATABASE_FILE));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const UNIX_SYMLINK = { os: 3, attrs: (0o120777 << 16) >>> 0 };
const bomb = new Uint8Array(24 * 1024 * 1024).fill(0x20);

const HOSTILE: Array<[string, Zippable, string]> = [
  [
    'zip-slip',
    { '../../evil/PYSEC-2099-2.json': record('PYSEC-2099-2') },
    "the entry '../../evil/PYSEC-2099-2.json' leaves the archive's folder (..)",
  ],
  [
    'absolute',
    { '/etc/PYSEC-2099-2.json': record('PYSEC-2099-2') },
    "the entry '/etc/PYSEC-2099-2.json' has an absolute path",
  ],
  [
    'symlink',
    { 'PYSEC-2099-2.json': [new TextEncoder().encode('/etc/passwd'), UNIX_SYMLINK] },
    "the entry 'PYSEC-2099-2.json' is a symbolic link",
  ],
  [
    'bomb',
    { 'PYSEC-2099-2.json': [bomb, { level: 9 }] },
    "the entry 'PYSEC-2099-2.json' inflates RATIO times (a decompression bomb?)",
  ],
];

describe('db import refuses hostile zips and leaves the database as it was', () => {
  it.each(HOSTILE)('%s', async (name, files, why) => {
    const zip = zipSync(files);
    await writeFile(path.join(dir, `${name}.zip`), zip);
    const [entry] = listZipEntries(zip);
    why = why.replace('RATIO', String(Math.round(entry!.uncompressedSize / entry!.compressedSize)));
    expect(await runCli(['db', 'import', `${name}.zip`, '--db-dir', 'db'], { cwd: dir })).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${path.join(dir, `${name}.zip`)}: refused: ${why}; nothing was imported\n`,
      code: 2,
    });
    expect((await readFile(path.join(dir, 'db', DATABASE_FILE))).equals(before)).toBe(true);
  });

  it('a YAML record built from aliases (billion laughs) is refused', async () => {
    const laughs =
      'id: PYSEC-2099-3\n' +
      'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' +
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n' +
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n' +
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n' +
      'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n' +
      'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n' +
      'g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n' +
      'affected: [{package: {ecosystem: PyPI, name: demo-pkg}, extra: *g}]\n';
    await writeFile(path.join(dir, 'laughs.yaml'), laughs);
    expect(await runCli(['db', 'import', 'laughs.yaml', '--db-dir', 'db'], { cwd: dir })).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${path.join(dir, 'laughs.yaml')}: not an OSV record: YAML anchors and aliases are not allowed\n`,
      code: 2,
    });
    expect((await readFile(path.join(dir, 'db', DATABASE_FILE))).equals(before)).toBe(true);
  });
});

describe('zip central directory', () => {
  it('lists names, sizes and symlinks as written', () => {
    const bytes = zipSync({
      'a/PYSEC-1.json': [record('PYSEC-1'), { level: 0 }],
      'link.json': [new TextEncoder().encode('target'), UNIX_SYMLINK],
    });
    expect(listZipEntries(bytes)).toEqual([
      {
        name: 'a/PYSEC-1.json',
        compressedSize: record('PYSEC-1').length,
        uncompressedSize: record('PYSEC-1').length,
        symlink: false,
        method: 0,
        localHeaderOffset: 0,
      },
      {
        name: 'link.json',
        compressedSize: expect.any(Number),
        uncompressedSize: 6,
        symlink: true,
        method: 8,
        // After the first entry's 30-byte local header, its name and its stored bytes.
        localHeaderOffset: 30 + 'a/PYSEC-1.json'.length + record('PYSEC-1').length,
      },
    ]);
  });

  it('refuses what is not a zip', () => {
    expect(() => checkZip(new TextEncoder().encode('PK not really'))).toThrow(UnsafeZipError);
  });

  it('limits the size of one entry and of the whole archive', () => {
    const bytes = zipSync({ 'a.json': record('A'), 'b.json': record('B') });
    const size = record('A').length;
    const limits = { maxEntryBytes: size, maxTotalBytes: size, maxRatio: 100, maxEntries: 10 };
    expect(() => checkZip(bytes, limits)).toThrow(
      `the archive inflates to more than ${size} bytes`,
    );
    expect(() => checkZip(bytes, { ...limits, maxEntryBytes: size - 1 })).toThrow(
      `the entry 'a.json' inflates to ${size} bytes (at most ${size - 1})`,
    );
  });
});
