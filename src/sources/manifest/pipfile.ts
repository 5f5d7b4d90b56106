/**
 * `Pipfile` (TOML): `[packages]` and `[dev-packages]` (plus any custom category), each
 * `name = "*" | "==1.0" | { version, extras, markers, git, path, file, editable }`.
 * `pipenv install` installs `packages`; `--group dev-packages` (or `dev`, `develop`) adds
 * the development packages.
 */
import { inputError } from '../../core/errors.js';
import { InvalidRequirementError, parseRequirement } from '../../standards/pep508.js';
import { isTable, parseTomlFile, strings } from '../lock/toml.js';
import type { DeclaredRequirement } from './declared.js';

const NOT_CATEGORIES = new Set(['source', 'requires', 'scripts', 'pipenv']);

/** What users call the development section (pipenv's `--dev`, Pipfile.lock's `develop`). */
export const PIPFILE_GROUP_ALIASES: Readonly<Record<string, string>> = {
  dev: 'dev-packages',
  develop: 'dev-packages',
};

export function parsePipfile(text: string, file: string): DeclaredRequirement[] {
  const doc = parseTomlFile(text, file, 'Pipfile');
  const out: DeclaredRequirement[] = [];
  for (const [category, entries] of Object.entries(doc)) {
    if (NOT_CATEGORIES.has(category) || !isTable(entries)) continue;
    for (const [name, spec] of Object.entries(entries)) {
      const at = text.indexOf(`${name} =`);
      const line = at < 0 ? undefined : text.slice(0, at).split('\n').length;
      if (typeof spec !== 'string' && !isTable(spec))
        throw inputError(`[${category}] ${name}: must be a version string or a table`, file, line);
      const table = isTable(spec) ? spec : { version: spec };
      for (const key of ['version', 'markers', 'git', 'path', 'file', 'ref'])
        if (table[key] !== undefined && typeof table[key] !== 'string')
          throw inputError(`[${category}] ${name}.${key} must be a string`, file, line);
      const version =
        typeof table.version === 'string' && table.version !== '*' ? table.version : '';
      const extras = strings(table.extras, { file, line, what: `[${category}] ${name}.extras` });
      const marker = typeof table.markers === 'string' ? `; ${table.markers}` : '';
      const textReq = `${name}${extras.length > 0 ? `[${extras.join(',')}]` : ''}${version}${marker}`;
      let requirement;
      try {
        requirement = parseRequirement(textReq);
      } catch (e) {
        if (e instanceof InvalidRequirementError)
          throw inputError(`invalid requirement '${textReq}': ${e.reason}`, file, line);
        throw e;
      }
      const directKey = ['git', 'path', 'file'].find((k) => typeof table[k] === 'string');
      out.push({
        requirement,
        text: `${name}${version}`,
        group: category === 'packages' ? null : category,
        kind: category === 'packages' ? 'main' : 'group',
        ...(line !== undefined && { line }),
        ...(directKey && { directSource: `${directKey} ${String(table[directKey])}` }),
        ...(table.editable === true && { editable: true }),
      });
    }
  }
  return out;
}
