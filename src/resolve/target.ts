/**
 * The target environment: the Python version, platform, marker variables and wheel tags
 * that resolution (and requirements markers) are decided for. From `--python-version` /
 * `--platform` / `--marker-env` when given; otherwise the `python3` on `PATH` is asked (its
 * version, marker variables, glibc and accepted tags; it runs no package code), and when
 * there is none, the documented default: CPython 3.12 on this machine's OS and processor.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic-write.js';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MarkerEnvironment } from '../standards/markers.js';
import { compatibleTags } from './tags.js';
import { PYTHON_MARKERS, PYTHON_PROBE_PRELUDE } from '../core/python-probe.js';

export const DEFAULT_PYTHON_VERSION = '3.12';

export interface TargetEnvironment {
  /** `3.11`. */
  readonly pythonVersion: string;
  /** `3.11.7`. */
  readonly pythonFullVersion: string;
  /** Every marker variable (PEP 508), `extra` excluded. */
  readonly markers: MarkerEnvironment;
  /** Accepted wheel tags, best first. */
  readonly tags: readonly string[];
  /** What it is, for messages: `Python 3.11.7 on linux x86_64 (the python3 on PATH)`. */
  readonly description: string;
}

/** Asks an interpreter for its markers and tags; prints JSON, imports no third-party code. */
const PROBE = `${PYTHON_PROBE_PRELUDE}
tags = None
try:
    from pip._vendor.packaging import tags as _t
    tags = [str(t) for t in _t.sys_tags()]
except Exception:
    pass
libc = platform.libc_ver() if sys.platform.startswith("linux") else ("", "")
print(json.dumps({
    "tags": tags, "glibc": libc[1] if libc[0] == "glibc" else None,
    "macos": platform.mac_ver()[0] or None,
    "markers": ${PYTHON_MARKERS},
}))
`;

interface ProbeAnswer {
  tags: string[] | null;
  glibc: string | null;
  macos: string | null;
  markers: Record<string, string>;
}

/** The glibc this process runs on (Node reports it), or undefined off glibc Linux. */
export function hostGlibc(): string | undefined {
  const header = (
    process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
  )?.header;
  return header?.glibcVersionRuntime;
}

/** The interpreter's answer, or null when it cannot run. */
export async function probeInterpreter(python: string, cwd = '/'): Promise<ProbeAnswer | null> {
  try {
    const { stdout } = await promisify(execFile)(python, ['-I', '-c', PROBE], {
      cwd,
      timeout: 30_000,
      maxBuffer: 8 << 20,
    });
    return JSON.parse(stdout) as ProbeAnswer;
  } catch {
    return null;
  }
}

/** The first executable named `name` on a PATH string. */
export function findOnPath(name: string, searchPath: string | undefined): string | null {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Asks the `python3` on PATH, remembering the answer in the cache folder keyed by the
 * interpreter (its real path, size and modification time, the PATH entry, `PYENV_VERSION`
 * and the working folder, which version managers decide by), so a warm run spawns nothing.
 */
export async function probePathPython(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  cacheDir: string | null,
): Promise<ProbeAnswer | null> {
  const exe = findOnPath('python3', env.PATH);
  if (!exe) return null;
  let file: string | null = null;
  if (cacheDir !== null) {
    try {
      const real = realpathSync(exe);
      const stat = statSync(real);
      const key = createHash('sha256')
        .update([exe, real, stat.size, stat.mtimeMs, env.PYENV_VERSION ?? '', cwd].join('\0'))
        .digest('hex');
      file = path.join(cacheDir, 'interpreters', `${key}.json`);
      return JSON.parse(await readFile(file, 'utf8')) as ProbeAnswer;
    } catch {
      // not cached yet
    }
  }
  const answer = await probeInterpreter(exe, cwd);
  if (answer && file) {
    // A cache that cannot be written only costs speed.
    await writeFileAtomic(file, JSON.stringify(answer)).catch(() => undefined);
  }
  return answer;
}

export interface TargetInput {
  /** `--python-version X.Y`. */
  readonly pythonVersion?: string;
  /** `--platform`. */
  readonly platform?: 'linux' | 'macos' | 'windows';
  /** `--marker-env` variables, which win over everything else. */
  readonly markerOverrides?: MarkerEnvironment;
  /** This machine's OS variables (hostMarkerEnvironment()). */
  readonly host: MarkerEnvironment;
  /** The interpreter's answer (null: none on PATH). */
  readonly probe: ProbeAnswer | null;
  /** This machine's glibc (`2.36`), for manylinux tags when no interpreter answered. */
  readonly hostGlibc?: string;
}

/** The OS marker variables of each `--platform` value. */
export const PLATFORM_MARKERS = {
  linux: { sys_platform: 'linux', platform_system: 'Linux', os_name: 'posix' },
  macos: { sys_platform: 'darwin', platform_system: 'Darwin', os_name: 'posix' },
  windows: { sys_platform: 'win32', platform_system: 'Windows', os_name: 'nt' },
} as const;

/** Builds the target from flags, the interpreter's answer and the host (pure). */
export function buildTarget(input: TargetInput): TargetEnvironment {
  const probe = input.probe;
  const base: Record<string, string> = {
    ...(input.host as Record<string, string>),
    implementation_name: 'cpython',
    platform_python_implementation: 'CPython',
    python_version: DEFAULT_PYTHON_VERSION,
    python_full_version: `${DEFAULT_PYTHON_VERSION}.0`,
    implementation_version: `${DEFAULT_PYTHON_VERSION}.0`,
    ...(probe?.markers ?? {}),
  };
  const from: string[] = [];
  if (input.pythonVersion !== undefined && input.pythonVersion !== base.python_version) {
    base.python_version = input.pythonVersion;
    base.python_full_version = `${input.pythonVersion}.0`;
    base.implementation_version = `${input.pythonVersion}.0`;
  }
  if (input.pythonVersion !== undefined) from.push('--python-version');
  const samePlatform =
    input.platform === undefined ||
    PLATFORM_MARKERS[input.platform].sys_platform === base.sys_platform;
  if (input.platform !== undefined) {
    from.push('--platform');
    if (!samePlatform) {
      Object.assign(base, PLATFORM_MARKERS[input.platform]);
      // Another OS: its usual processor name for this machine's architecture.
      const arm = /arm|aarch/i.test(base.platform_machine ?? '');
      base.platform_machine =
        input.platform === 'windows'
          ? arm
            ? 'ARM64'
            : 'AMD64'
          : input.platform === 'macos'
            ? arm
              ? 'arm64'
              : 'x86_64'
            : arm
              ? 'aarch64'
              : 'x86_64';
      base.platform_release = '';
      base.platform_version = '';
    }
  }
  const markers = { ...base, ...(input.markerOverrides as Record<string, string> | undefined) };
  if (input.markerOverrides && Object.keys(input.markerOverrides).length > 0)
    from.push('--marker-env');
  const useProbeTags =
    probe?.tags &&
    probe.markers.python_version === markers.python_version &&
    samePlatform &&
    probe.markers.sys_platform === markers.sys_platform;
  const tags =
    useProbeTags && probe?.tags
      ? probe.tags
      : compatibleTags({
          pythonVersion: markers.python_version ?? DEFAULT_PYTHON_VERSION,
          sysPlatform: markers.sys_platform ?? 'linux',
          machine: markers.platform_machine ?? 'x86_64',
          ...(samePlatform &&
            (probe?.glibc ?? input.hostGlibc) && {
              glibc: (probe?.glibc ?? input.hostGlibc) as string,
            }),
          ...(samePlatform && probe?.macos && { macos: probe.macos }),
        });
  const source = probe
    ? 'the python3 on PATH'
    : `no python3 on PATH: default Python ${DEFAULT_PYTHON_VERSION}`;
  const description = `Python ${markers.python_full_version} on ${markers.sys_platform} ${markers.platform_machine} (${[...from, ...(from.length === 0 || probe ? [source] : [])].join(', ')})`;
  return {
    pythonVersion: markers.python_version ?? DEFAULT_PYTHON_VERSION,
    pythonFullVersion: markers.python_full_version ?? `${DEFAULT_PYTHON_VERSION}.0`,
    markers,
    tags,
    description,
  };
}
