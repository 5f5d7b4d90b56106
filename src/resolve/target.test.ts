import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compatibleTags } from './tags.js';
import { buildTarget, DEFAULT_PYTHON_VERSION } from './target.js';

const golden = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../../test/fixtures/index/tags.json'), 'utf8'),
) as {
  python_version: string;
  sys_platform: string;
  machine: string;
  glibc: string;
  tags: string[];
};

const HOST = {
  os_name: 'posix',
  sys_platform: 'linux',
  platform_system: 'Linux',
  platform_machine: 'x86_64',
};

describe('wheel tags', () => {
  it("are pip's for the interpreter that generated the golden list, in pip's order", () => {
    const ours = compatibleTags({
      pythonVersion: golden.python_version,
      sysPlatform: golden.sys_platform,
      machine: golden.machine,
      glibc: golden.glibc,
    });
    // Newer `packaging` also accepts `cpXY-none-any`; pip 23's vendored copy does not list it.
    expect(ours.filter((t) => !/^cp\d+-none-any$/.test(t))).toEqual(golden.tags);
  });

  it('cover Windows and macOS targets', () => {
    expect(
      compatibleTags({ pythonVersion: '3.12', sysPlatform: 'win32', machine: 'AMD64' }).slice(0, 3),
    ).toEqual(['cp312-cp312-win_amd64', 'cp312-abi3-win_amd64', 'cp312-none-win_amd64']);
    const mac = compatibleTags({
      pythonVersion: '3.12',
      sysPlatform: 'darwin',
      machine: 'arm64',
      macos: '14.0',
    });
    expect(mac).toContain('cp312-abi3-macosx_11_0_arm64');
    expect(mac).toContain('py3-none-macosx_14_0_universal2');
    expect(mac).not.toContain('cp312-cp312-macosx_10_9_x86_64');
  });
});

describe('target environment', () => {
  const probe = {
    tags: ['cp311-cp311-manylinux_2_36_x86_64', 'py3-none-any'],
    glibc: '2.36',
    macos: null,
    markers: {
      ...HOST,
      python_version: '3.11',
      python_full_version: '3.11.7',
      implementation_name: 'cpython',
    },
  };

  it('is the interpreter on PATH by default, with its own tags', () => {
    const t = buildTarget({ host: HOST, probe });
    expect([t.pythonFullVersion, t.tags, t.description]).toEqual([
      '3.11.7',
      probe.tags,
      'Python 3.11.7 on linux x86_64 (the python3 on PATH)',
    ]);
  });

  it('--python-version and --platform override it; generated tags then', () => {
    const t = buildTarget({ host: HOST, probe, pythonVersion: '3.13', platform: 'windows' });
    expect([
      t.markers.python_version,
      t.markers.python_full_version,
      t.markers.sys_platform,
      t.markers.platform_machine,
    ]).toEqual(['3.13', '3.13.0', 'win32', 'AMD64']);
    expect(t.tags[0]).toBe('cp313-cp313-win_amd64');
    expect(t.description).toBe(
      'Python 3.13.0 on win32 AMD64 (--python-version, --platform, the python3 on PATH)',
    );
  });

  it('without an interpreter: the documented default on this OS', () => {
    const t = buildTarget({ host: HOST, probe: null, hostGlibc: '2.31' });
    expect([t.pythonVersion, t.markers.implementation_name, t.tags[0]]).toEqual([
      DEFAULT_PYTHON_VERSION,
      'cpython',
      `cp${DEFAULT_PYTHON_VERSION.replace('.', '')}-cp${DEFAULT_PYTHON_VERSION.replace('.', '')}-manylinux_2_31_x86_64`,
    ]);
    expect(t.description).toBe(
      `Python ${DEFAULT_PYTHON_VERSION}.0 on linux x86_64 (no python3 on PATH: default Python ${DEFAULT_PYTHON_VERSION})`,
    );
  });
});
