import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../../../test/helpers/temp-dirs.js';
import { resolveProjectPath, typeOfFile } from './detect.js';

const tempDir = tempDirs();

function project(files: string[]): string {
  const dir = tempDir('pyaudit-project-');
  for (const f of files) writeFileSync(path.join(dir, f), '');
  return dir;
}

describe('project paths', () => {
  it('recognises files by name, or by --input-type', () => {
    expect(
      [
        'x/pylock.toml',
        'pylock.prod.toml',
        'requirements-dev.txt',
        'uv.lock',
        'poetry.lock',
        'pdm.lock',
        'Pipfile.lock',
        'pyproject.toml',
        'Pipfile',
        'tool.py',
        'environment.yml',
        'bom.json',
        'app.cdx.json',
        'bom.xml',
        'app.cyclonedx.xml',
        'app.spdx.json',
      ].map((f) => typeOfFile(f)),
    ).toEqual([
      'pylock',
      'pylock',
      'requirements',
      'uv-lock',
      'poetry-lock',
      'pdm-lock',
      'pipfile-lock',
      'pyproject',
      'pipfile',
      'script',
      'conda',
      'cyclonedx-json',
      'cyclonedx-json',
      'cyclonedx-xml',
      'cyclonedx-xml',
      'spdx-json',
    ]);
    expect(typeOfFile('deps.lock', 'requirements')).toBe('requirements');
    expect(() => typeOfFile('deps.lock')).toThrow(
      /^deps\.lock: cannot tell what kind of file this is from its name; pass --input-type \(requirements, pylock, uv-lock, /,
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

  it('follows the detection order: uv.lock, poetry.lock, pdm.lock, Pipfile.lock, pylock, manifests', () => {
    const dir = project(['uv.lock', 'poetry.lock', 'pylock.toml', 'pyproject.toml']);
    expect(resolveProjectPath(dir, '/', { locked: false }).type).toBe('uv-lock');
    expect(
      resolveProjectPath(project(['Pipfile', 'Pipfile.lock']), '/', { locked: false }).type,
    ).toBe('pipfile-lock');
    expect(
      resolveProjectPath(project(['pyproject.toml', 'requirements.txt']), '/', { locked: false })
        .type,
    ).toBe('pyproject');
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
