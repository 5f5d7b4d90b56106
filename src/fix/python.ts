/**
 * The Python a fix must still run on when only the project's `requires-python` is known: the
 * lowest `X.Y` it admits (a fix that drops that Python would break the project there). Pure.
 */
import { specifierContains } from '../standards/pep440.js';
import { tomlStrings } from './toml-strings.js';

const CANDIDATES = ['2.7', ...Array.from({ length: 30 }, (_, minor) => `3.${minor}`)];

/** The lowest Python `X.Y` the specifier admits, or null (none, or not a specifier). */
export function lowestPython(requiresPython: string): string | null {
  try {
    return CANDIDATES.find((v) => specifierContains(requiresPython, v)) ?? null;
  } catch {
    return null;
  }
}

/**
 * The Pythons a project declares: `requires-python` of a pyproject.toml (`[project]`) or a
 * uv.lock (top level), or a Pipfile's `[requires] python_version` (as `==X.Y.*`).
 */
export function declaredRequiresPython(toml: string): string | null {
  for (const s of tomlStrings(toml)) {
    if (!s.plain) continue;
    const key = s.path.join('.');
    if (key === 'project.requires-python' || key === 'requires-python') return s.raw;
    if (key === 'requires.python_version') return `==${s.raw}.*`;
  }
  return null;
}
