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

/** Kinds pyaudit reads today. */
export const INPUT_TYPES = ['requirements', 'pylock'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/** Files recognised but not read yet, by name, in detection order. */
const NOT_YET = ['uv.lock', 'poetry.lock', 'pdm.lock', 'Pipfile.lock'];
const MANIFESTS_NOT_YET = ['pyproject.toml', 'Pipfile'];

export interface ProjectInput {
  readonly type: InputType;
  readonly files: readonly string[];
  /** For the message on stderr: what was chosen and why. */
  readonly note: string;
}

function notYet(file: string): PyauditError {
  return new PyauditError(
    'input',
    `${path.basename(file)} files are not supported yet; audit its exported requirements instead (for example \`uv export\`, \`poetry export\` or \`pipenv requirements\` piped to \`pyaudit -r -\`)`,
    { file },
  );
}

/** The kind of a file named on the command line. */
export function typeOfFile(file: string, forced?: InputType): InputType {
  if (forced) return forced;
  const name = path.basename(file);
  if (isPylockName(name)) return 'pylock';
  if (/\.txt$/i.test(name) || /^requirements/i.test(name)) return 'requirements';
  if ([...NOT_YET, ...MANIFESTS_NOT_YET].includes(name)) throw notYet(file);
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
  for (const name of NOT_YET) if (names.includes(name)) throw notYet(inDir(name));
  if (pylocks.length > 0) {
    return {
      type: 'pylock',
      files: pylocks.map(inDir),
      note: `${pylocks.join(', ')} (found in ${target})`,
    };
  }
  for (const name of MANIFESTS_NOT_YET) if (names.includes(name)) throw notYet(inDir(name));
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
