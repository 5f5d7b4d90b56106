import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'pyaudit-atomic-'));
  dirs.push(d);
  return d;
};

describe('writeFileAtomic', () => {
  it('creates the folder, replaces the file whole, and leaves no temporary file', async () => {
    const dir = temp();
    const file = path.join(dir, 'a', 'b.json');
    await writeFileAtomic(file, '{"v": 1}');
    await Promise.all([writeFileAtomic(file, '{"v": 2}'), writeFileAtomic(file, '{"v": 3}')]);
    expect(['{"v": 2}', '{"v": 3}']).toContain(readFileSync(file, 'utf8'));
    expect(readdirSync(path.join(dir, 'a'))).toEqual(['b.json']);
  });

  it('throws when it cannot write, and leaves nothing behind', async () => {
    const dir = temp();
    writeFileSync(path.join(dir, 'file'), 'x');
    // A path whose folder is a file: mkdir fails.
    await expect(writeFileAtomic(path.join(dir, 'file', 'inner.json'), 'y')).rejects.toThrow(
      /EEXIST|ENOTDIR/,
    );
    // The target is a folder: the rename fails after the temporary file was written.
    const folder = path.join(dir, 'folder');
    await writeFileAtomic(path.join(folder, 'keep'), 'k');
    await expect(writeFileAtomic(folder, 'z')).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['file', 'folder']);
  });
});
