/**
 * Which Python environment to audit and where its distributions live:
 *
 * 1. `--path DIR…`: those folders, no interpreter;
 * 2. `--python PATH`: that interpreter, asked once for `sys.path` and its marker environment;
 * 3. otherwise the active virtual environment (`VIRTUAL_ENV`), else `.venv` / `venv` in the
 *    working directory, else the `python3` on `PATH`.
 *
 * A virtual environment is asked through its own interpreter when that runs here; one that
 * cannot run (made for another platform, or copied from a container) is read from its files.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PyauditError } from '../../core/errors.js';
import type { MarkerEnvironment } from '../../standards/markers.js';
import { PYTHON_MARKERS, PYTHON_PROBE_PRELUDE } from '../../core/python-probe.js';

export interface PythonEnvironment {
  /** What was audited, for the message on stderr. */
  readonly description: string;
  /** Path entries to read, in `sys.path` order. */
  readonly paths: readonly string[];
  /** The environment's marker variables (complete when an interpreter answered). */
  readonly markers: MarkerEnvironment;
  /** The interpreter that answered, when one could run here (`--fix` installs with it). */
  readonly python?: string;
}

export interface LocateOptions {
  readonly paths: readonly string[];
  readonly python?: string;
  /** `-l/--local`: only the virtual environment's own packages. */
  readonly local: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Marker variables known without Python (the host's OS and machine). */
  readonly hostMarkers: MarkerEnvironment;
}

/** Asks an interpreter for its path and marker environment; prints JSON, runs no package code. */
const PROBE = `${PYTHON_PROBE_PRELUDE}
print(json.dumps({
    "sys_path": sys.path, "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix), "version": platform.python_version(),
    "markers": ${PYTHON_MARKERS},
}))
`;

interface ProbeResult {
  sys_path: string[];
  prefix: string;
  base_prefix: string;
  version: string;
  markers: Record<string, string>;
}

/** Whether the probe's answer has the shape the probe prints. */
function isProbeResult(value: unknown): value is ProbeResult {
  const v = value as Partial<ProbeResult> | null;
  return (
    v !== null &&
    typeof v === 'object' &&
    Array.isArray(v.sys_path) &&
    v.sys_path.every((p) => typeof p === 'string') &&
    typeof v.prefix === 'string' &&
    typeof v.base_prefix === 'string' &&
    typeof v.version === 'string' &&
    v.markers !== null &&
    typeof v.markers === 'object'
  );
}

async function probe(python: string, cwd: string): Promise<ProbeResult> {
  const fail = (why: string): PyauditError =>
    new PyauditError('input', `cannot ask this Python interpreter where its packages are: ${why}`, {
      file: python,
    });
  let stdout: string;
  try {
    // Run from the filesystem root so that sys.path[0] is not the user's project folder.
    ({ stdout } = await promisify(execFile)(python, ['-c', PROBE], {
      cwd: path.parse(cwd).root,
      timeout: 30_000,
      maxBuffer: 4 << 20,
    }));
  } catch (e) {
    const error = e as NodeJS.ErrnoException & {
      stderr?: string;
      killed?: boolean;
      signal?: string | null;
      code?: string | number | null;
    };
    const lastLine = error.stderr?.trim().split('\n').pop()?.trim();
    const why =
      error.code === 'ENOENT'
        ? 'not found'
        : error.code === 'EACCES'
          ? 'permission denied (is it executable?)'
          : error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER'
            ? 'it printed far more than a Python interpreter would'
            : error.killed || error.signal
              ? `it did not finish (${error.signal ?? 'killed'} after 30 s)`
              : lastLine
                ? lastLine
                : typeof error.code === 'number'
                  ? `it exited with status ${error.code} and printed no reason; is it a Python interpreter?`
                  : 'it could not be run';
    throw fail(why);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    answer = undefined;
  }
  if (!isProbeResult(answer)) {
    const first = stdout.trim().split('\n')[0]?.slice(0, 60) ?? '';
    throw fail(
      `it did not answer as a Python interpreter does${first ? ` (it printed '${first}')` : ' (it printed nothing)'}`,
    );
  }
  return answer;
}

function isUnder(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function fromProbe(
  result: ProbeResult,
  what: string,
  local: boolean,
  python: string,
): PythonEnvironment {
  const inVenv = path.resolve(result.prefix) !== path.resolve(result.base_prefix);
  const paths = result.sys_path.filter(
    (p) => p !== '' && (!local || !inVenv || isUnder(path.resolve(p), path.resolve(result.prefix))),
  );
  return {
    description: `${what} (Python ${result.version}${local && inVenv ? ', its own packages only' : ''})`,
    paths,
    markers: result.markers,
    python,
  };
}

/** A virtual environment's site-packages folders, read from its files. */
function venvSitePackages(venv: string): string[] {
  const found: string[] = [];
  for (const lib of ['lib', 'lib64', 'Lib']) {
    const dir = path.join(venv, lib);
    if (!existsSync(dir)) continue;
    if (existsSync(path.join(dir, 'site-packages'))) found.push(path.join(dir, 'site-packages'));
    for (const child of readdirSync(dir).sort()) {
      const sp = path.join(dir, child, 'site-packages');
      if (/^(python|pypy)\d/.test(child) && existsSync(sp)) found.push(sp);
    }
  }
  return [...new Set(found.map((p) => path.resolve(p)))];
}

function venvInterpreter(venv: string): string | null {
  for (const candidate of ['bin/python', 'bin/python3', 'Scripts/python.exe']) {
    const p = path.join(venv, candidate);
    if (existsSync(p)) return p;
  }
  return null;
}

function isVenv(dir: string): boolean {
  try {
    return statSync(path.join(dir, 'pyvenv.cfg')).isFile();
  } catch {
    return false;
  }
}

async function fromVenv(
  venv: string,
  options: LocateOptions,
  how: string,
): Promise<PythonEnvironment> {
  const python = venvInterpreter(venv);
  if (python) {
    try {
      return fromProbe(
        await probe(python, options.cwd),
        `the virtual environment ${venv} (${how})`,
        options.local,
        python,
      );
    } catch {
      // An interpreter that cannot run here (another platform): read the files instead.
    }
  }
  const paths = venvSitePackages(venv);
  if (paths.length === 0)
    throw new PyauditError('input', 'no site-packages folder in this virtual environment', {
      file: venv,
    });
  const cfg = readFileSync(path.join(venv, 'pyvenv.cfg'), 'utf8');
  const system = /^\s*include-system-site-packages\s*=\s*true\s*$/im.test(cfg) && !options.local;
  return {
    description: `the virtual environment ${venv} (${how}; read from its files${system ? ', without the system packages it can also see' : ''})`,
    paths,
    markers: options.hostMarkers,
  };
}

export async function locateEnvironment(options: LocateOptions): Promise<PythonEnvironment> {
  if (options.paths.length > 0) {
    const paths = options.paths.map((p) => path.resolve(options.cwd, p));
    for (const p of paths) {
      if (!existsSync(p)) throw new PyauditError('input', 'no such folder', { file: p });
    }
    return {
      description: `the packages in ${paths.join(', ')}`,
      paths,
      markers: options.hostMarkers,
    };
  }
  if (options.python) {
    const python =
      path.isAbsolute(options.python) || options.python.includes('/')
        ? path.resolve(options.cwd, options.python)
        : options.python;
    return fromProbe(
      await probe(python, options.cwd),
      `the environment of ${python}`,
      options.local,
      python,
    );
  }
  const active = options.env.VIRTUAL_ENV;
  if (active) {
    if (!isVenv(active))
      throw new PyauditError(
        'input',
        'VIRTUAL_ENV names a folder that is not a virtual environment (no pyvenv.cfg)',
        { file: active },
      );
    return fromVenv(active, options, 'VIRTUAL_ENV');
  }
  for (const name of ['.venv', 'venv']) {
    const dir = path.join(options.cwd, name);
    if (isVenv(dir)) return fromVenv(dir, options, `found in ${options.cwd}`);
  }
  return fromProbe(
    await probe('python3', options.cwd),
    'the python3 on PATH',
    options.local,
    'python3',
  );
}
