/**
 * What a positional PATH means: a file, recognised by its name (or `--input-type`), or a
 * project directory, in which lock files win over manifests, in this order: `uv.lock`,
 * `poetry.lock`, `pdm.lock`, `Pipfile.lock`, `pylock.toml` / `pylock.*.toml`, then
 * `pyproject.toml`, `Pipfile`, `requirements*.txt`. `--locked` keeps pip-audit's meaning:
 * only PEP 751 lock files.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PyauditError } from '../../core/errors.js';
import { isPylockName } from '../pylock/index.js';

export const INPUT_TYPES = [
  'requirements',
  'pylock',
  'uv-lock',
  'poetry-lock',
  'pdm-lock',
  'pipfile-lock',
  'pyproject',
  'pipfile',
  'script',
  'conda',
  'cyclonedx-json',
  'cyclonedx-xml',
  'spdx-json',
] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/** Exact file names, in directory-detection order. */
const BY_NAME: ReadonlyArray<[string, InputType]> = [
  ['uv.lock', 'uv-lock'],
  ['poetry.lock', 'poetry-lock'],
  ['pdm.lock', 'pdm-lock'],
  ['Pipfile.lock', 'pipfile-lock'],
  ['pyproject.toml', 'pyproject'],
  ['Pipfile', 'pipfile'],
];

export interface ProjectInput {
  readonly type: InputType;
  readonly files: readonly string[];
  /** For the message on stderr: what was chosen and why. */
  readonly note: string;
}

/** The kind of a file named on the command line. */
export function typeOfFile(file: string, forced?: InputType): InputType {
  if (forced) return forced;
  const name = path.basename(file);
  const exact = BY_NAME.find(([n]) => n === name);
  if (exact) return exact[1];
  if (isPylockName(name)) return 'pylock';
  if (/^environment.*\.ya?ml$/i.test(name)) return 'conda';
  if (/\.spdx\.json$/i.test(name)) return 'spdx-json';
  if (/(\.cdx|\.cyclonedx|^bom)\.json$/i.test(name) || /^bom\.json$/i.test(name))
    return 'cyclonedx-json';
  if (/(\.cdx|\.cyclonedx|^bom)\.xml$/i.test(name) || /^bom\.xml$/i.test(name))
    return 'cyclonedx-xml';
  if (/\.pyw?$/i.test(name)) return 'script';
  if (/\.txt$/i.test(name) || /^requirements/i.test(name)) return 'requirements';
  throw new PyauditError(
    'usage',
    `cannot tell what kind of file this is from its name; pass --input-type (${INPUT_TYPES.join(', ')})`,
    { file },
  );
}

/** Resolves a positional PATH (relative to `cwd`) to the files to audit. */
export function resolveProjectPath(
  target: string,
  cwd: string,
  options: { locked: boolean; inputType?: InputType },
): ProjectInput {
  const full = path.resolve(cwd, target);
  let isDir: boolean;
  try {
    isDir = statSync(full).isDirectory();
  } catch {
    throw new PyauditError('input', 'no such file or directory', { file: target });
  }
  if (!isDir) {
    if (options.locked && !isPylockName(path.basename(full))) {
      throw new PyauditError('usage', '--locked takes a project directory or a pylock.toml file', {
        file: target,
      });
    }
    const type = typeOfFile(full, options.inputType);
    return { type, files: [target], note: `${target} (${type})` };
  }
  const names = readdirSync(full).sort();
  const inDir = (name: string): string => path.join(target, name);
  const pylocks = names.filter(isPylockName);
  if (options.locked) {
    if (pylocks.length === 0) throw new PyauditError('input', `no lockfiles found in ${target}`);
    return {
      type: 'pylock',
      files: pylocks.map(inDir),
      note: `${pylocks.join(', ')} (found in ${target}, --locked)`,
    };
  }
  // Several lock files: the first in order is audited, and the note names the others.
  const locks = [...BY_NAME.slice(0, 4).map(([n]) => n), ...pylocks].filter((n) =>
    names.includes(n),
  );
  const others = (chosen: readonly string[]): string => {
    const rest = locks.filter((n) => !chosen.includes(n));
    return rest.length > 0
      ? `; not audited: ${rest.join(', ')} (name one to audit it instead)`
      : '';
  };
  for (const [name, type] of BY_NAME.slice(0, 4)) {
    if (names.includes(name))
      return { type, files: [inDir(name)], note: `${name} (found in ${target}${others([name])})` };
  }
  if (pylocks.length > 0) {
    return {
      type: 'pylock',
      files: pylocks.map(inDir),
      note: `${pylocks.join(', ')} (found in ${target})`,
    };
  }
  for (const [name, type] of BY_NAME.slice(4)) {
    if (names.includes(name))
      return { type, files: [inDir(name)], note: `${name} (found in ${target})` };
  }
  const requirements = names.filter((n) => /^requirements.*\.txt$/i.test(n));
  if (requirements.length > 0) {
    return {
      type: 'requirements',
      files: requirements.map(inDir),
      note: `${requirements.join(', ')} (found in ${target})`,
    };
  }
  throw new PyauditError('input', `couldn't find a supported project file in ${target}`);
}
