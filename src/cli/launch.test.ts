import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRecords } from '../../test/helpers/fixtures.js';
import { REPO_ROOT } from '../../test/helpers/shared.js';
import { startOsvServer, type OsvTestServer } from '../../test/osv-server.js';
import { codeCacheFolder, loadWithCodeCache } from './launch.js';

let temp: string;
beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'pyaudit-launch-'));
});
afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

interface Sample {
  double(n: number): number;
  file: string;
}

/** A CommonJS module with enough code for V8 to cache. */
async function sampleModule(name: string, factor = 2): Promise<string> {
  const file = path.join(temp, name);
  await writeFile(
    file,
    `"use strict";\nconst path = require('node:path');\n` +
      `exports.double = (n) => n * ${factor};\nexports.file = path.basename(__filename);\n`,
  );
  return file;
}

const entries = (folder: string): string[] => (existsSync(folder) ? readdirSync(folder) : []);

describe('loadWithCodeCache', () => {
  it('compiles the first time, keeps the code, and starts from it the next time', async () => {
    const file = await sampleModule('first.cjs');
    const folder = path.join(temp, 'cache-first');
    const first = loadWithCodeCache<Sample>(file, folder);
    expect(first.fromCache).toBe(false);
    expect(first.exports.double(21)).toBe(42);
    expect(first.exports.file).toBe('first.cjs');
    await first.saveCodeCache();
    const [entry] = entries(folder);
    expect(entry).toMatch(/^first\.cjs-[0-9a-f]{24}\.v8$/);
    expect(readFileSync(path.join(folder, entry!)).subarray(0, 22).toString()).toBe(
      'pyaudit-v8-code-cache\n',
    );

    const second = loadWithCodeCache<Sample>(file, folder);
    expect(second.fromCache).toBe(true);
    expect(second.exports.double(5)).toBe(10);
    // An accepted cache is not written again.
    const before = readFileSync(path.join(folder, entry!));
    await second.saveCodeCache();
    expect(readFileSync(path.join(folder, entry!)).equals(before)).toBe(true);
  });

  it('discards a damaged or truncated cache file and writes a good one', async () => {
    const file = await sampleModule('damaged.cjs');
    const folder = path.join(temp, 'cache-damaged');
    await loadWithCodeCache<Sample>(file, folder).saveCodeCache();
    const entry = path.join(folder, entries(folder)[0]!);
    const good = readFileSync(entry);

    const flipped = Buffer.from(good);
    flipped[flipped.length - 10]! ^= 0xff;
    writeFileSync(entry, flipped);
    const afterFlip = loadWithCodeCache<Sample>(file, folder);
    expect(afterFlip.fromCache).toBe(false);
    expect(afterFlip.exports.double(1)).toBe(2);
    await afterFlip.saveCodeCache();
    expect(loadWithCodeCache<Sample>(file, folder).fromCache).toBe(true);

    writeFileSync(entry, good.subarray(0, good.length - 100));
    expect(loadWithCodeCache<Sample>(file, folder).fromCache).toBe(false);
    writeFileSync(entry, 'not a cache');
    expect(loadWithCodeCache<Sample>(file, folder).fromCache).toBe(false);
  });

  it.skipIf(process.platform === 'win32')(
    'keeps the code readable by the user alone, and never runs code that others can write',
    async () => {
      const file = await sampleModule('shared.cjs');
      const folder = path.join(temp, 'cache-shared');
      await loadWithCodeCache<Sample>(file, folder).saveCodeCache();
      const entry = path.join(folder, entries(folder)[0]!);
      expect(statSync(entry).mode & 0o777).toBe(0o600);
      expect(loadWithCodeCache<Sample>(file, folder).fromCache).toBe(true);
      chmodSync(entry, 0o666);
      const refused = loadWithCodeCache<Sample>(file, folder);
      expect(refused.fromCache).toBe(false);
      expect(refused.exports.double(3)).toBe(6);
    },
  );

  it('a changed file gets a new entry; the newest four are kept', async () => {
    const folder = path.join(temp, 'cache-changed');
    const file = path.join(temp, 'changed.cjs');
    const written: string[] = [];
    for (let factor = 2; factor <= 7; factor++) {
      await sampleModule('changed.cjs', factor);
      const loaded = loadWithCodeCache<Sample>(file, folder);
      expect(loaded.fromCache).toBe(false);
      expect(loaded.exports.double(2)).toBe(2 * factor);
      await loaded.saveCodeCache();
      const added = entries(folder).filter((e) => !written.includes(e));
      expect(added).toHaveLength(1);
      written.push(added[0]!);
      // Written a little apart, so that their times order them.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(entries(folder).sort()).toEqual(written.slice(-4).sort());
    // An older build whose entry is still kept starts from it.
    await sampleModule('changed.cjs', 5);
    expect(loadWithCodeCache<Sample>(file, folder).fromCache).toBe(true);
  });

  it('a folder that cannot be written costs nothing but the cache; null means no cache', async () => {
    const file = await sampleModule('unwritable.cjs');
    const blocker = path.join(temp, 'a-file');
    await writeFile(blocker, 'x');
    const loaded = loadWithCodeCache<Sample>(file, path.join(blocker, 'code'));
    await expect(loaded.saveCodeCache()).resolves.toBeUndefined();
    expect(loaded.exports.double(4)).toBe(8);
    const none = loadWithCodeCache<Sample>(file, null);
    await none.saveCodeCache();
    expect(none.fromCache).toBe(false);
  });
});

describe('codeCacheFolder', () => {
  it('is code/ in the cache folder the environment names, else in the user cache folder', () => {
    expect(codeCacheFolder({ PYAUDIT_CACHE_DIR: 'c' }, '/work')).toBe('/work/c/code');
    expect(codeCacheFolder({ PIP_AUDIT_CACHE_DIR: '/x' }, '/work')).toBe('/x/code');
    if (process.platform === 'linux')
      expect(codeCacheFolder({ XDG_CACHE_HOME: '/xdg', HOME: '/h' }, '/work')).toBe(
        '/xdg/pyaudit/code',
      );
  });
});

describe('the CLI keeps its compiled code in the user cache', () => {
  let server: OsvTestServer;
  beforeAll(async () => {
    server = await startOsvServer(demoRecords());
  });
  afterAll(() => server.close());

  /** Runs the bin in a project folder of its own, with HOME and the caches in `home`. */
  const run = async (home: string, args: string[]): Promise<{ code: number; stdout: string }> => {
    const project = path.join(home, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(path.join(project, 'requirements.txt'), 'demo-pkg==1.0.5\n');
    return promisify(execFile)(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'pyaudit.js'), ...args],
      {
        cwd: project,
        env: { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: path.join(home, 'cache') },
      },
    ).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
  };
  const codeFolder = (home: string): string => path.join(home, 'cache', 'pyaudit', 'code');

  it('writes it after an audit and uses it the next time, with the same output', async () => {
    const home = await mkdtemp(path.join(temp, 'home-'));
    const args = ['--osv-url', server.url, '-r', 'requirements.txt', '-f', 'json'];
    const first = await run(home, args);
    expect(first.code).toBe(1);
    const folder = codeFolder(home);
    expect(entries(folder)).toEqual([expect.stringMatching(/^main\.cjs-[0-9a-f]{24}\.v8$/)]);
    const written = readFileSync(path.join(folder, entries(folder)[0]!));
    expect(await run(home, args)).toEqual(first);
    // Accepted, so not written again.
    expect(readFileSync(path.join(folder, entries(folder)[0]!)).equals(written)).toBe(true);
    await run(home, ['cache', 'clean']);
    expect(existsSync(folder)).toBe(false);
  });

  it('writes nothing with --no-cache, after a dry run, or after an error', async () => {
    const home = await mkdtemp(path.join(temp, 'home-'));
    const audit = ['--osv-url', server.url, '-r'];
    expect((await run(home, [...audit, 'requirements.txt', '--no-cache'])).code).toBe(1);
    expect((await run(home, [...audit, 'requirements.txt', '--dry-run'])).code).toBe(0);
    expect((await run(home, [...audit, 'missing.txt'])).code).toBe(2);
    expect(existsSync(codeFolder(home))).toBe(false);
  });
});
