import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveProjectPath, typeOfFile } from './detect.js';

function project(files: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pyaudit-project-'));
  for (const f of files) writeFileSync(path.join(dir, f), '');
  return dir;
}

describe('project paths', () => {
  it('recognises files by name, or by --input-type', () => {
    expect(typeOfFile('x/pylock.toml')).toBe('pylock');
    expect(typeOfFile('pylock.prod.toml')).toBe('pylock');
    expect(typeOfFile('requirements-dev.txt')).toBe('requirements');
    expect(typeOfFile('deps.lock', 'requirements')).toBe('requirements');
    expect(() => typeOfFile('deps.lock')).toThrow(
      'deps.lock: cannot tell what kind of file this is from its name; pass --input-type (requirements, pylock)',
    );
    expect(() => typeOfFile('poetry.lock')).toThrow(
      'poetry.lock: poetry.lock files are not supported yet',
    );
  });

  it('picks lock files over manifests in a directory, and says what it chose', () => {
    const dir = project(['pylock.toml', 'pylock.dev.toml', 'requirements.txt']);
    expect(resolveProjectPath(dir, '/', { locked: false })).toEqual({
      type: 'pylock',
      files: [path.join(dir, 'pylock.dev.toml'), path.join(dir, 'pylock.toml')],
      note: `pylock.dev.toml, pylock.toml (found in ${dir})`,
    });
    const reqs = project(['requirements.txt', 'requirements-dev.txt', 'setup.cfg']);
    expect(resolveProjectPath(reqs, '/', { locked: false })).toMatchObject({
      type: 'requirements',
      files: [path.join(reqs, 'requirements-dev.txt'), path.join(reqs, 'requirements.txt')],
    });
  });

  it('never half-reads a project whose lock file it cannot read yet', () => {
    const dir = project(['uv.lock', 'pylock.toml']);
    expect(() => resolveProjectPath(dir, '/', { locked: false })).toThrow(
      `${path.join(dir, 'uv.lock')}: uv.lock files are not supported yet`,
    );
    expect(resolveProjectPath(dir, '/', { locked: true }).files).toEqual([
      path.join(dir, 'pylock.toml'),
    ]);
  });

  it('--locked and empty directories', () => {
    const empty = project(['README.md']);
    expect(() => resolveProjectPath(empty, '/', { locked: true })).toThrow(
      `no lockfiles found in ${empty}`,
    );
    expect(() => resolveProjectPath(empty, '/', { locked: false })).toThrow(
      `couldn't find a supported project file in ${empty}`,
    );
    mkdirSync(path.join(empty, 'sub'));
    expect(() => resolveProjectPath(path.join(empty, 'missing'), '/', { locked: false })).toThrow(
      'no such file or directory',
    );
  });
});
