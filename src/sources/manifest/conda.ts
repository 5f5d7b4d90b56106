/**
 * conda `environment.yml`: `dependencies` holds conda packages (not from PyPI: listed as
 * skipped, never audited against PyPI advisories) and a `pip:` list of requirement lines,
 * read with the requirements-file parser.
 */
import yaml from 'js-yaml';
import type { Dependency } from '../../core/dependency.js';
import { inputError } from '../../core/errors.js';

export interface CondaEnvironment {
  /** The conda packages, already as skipped dependencies. */
  readonly conda: Dependency[];
  /** The `pip:` section as requirements-file text (empty when there is none). */
  readonly pipRequirements: string;
}

export function parseCondaEnvironment(text: string, file: string): CondaEnvironment {
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.FAILSAFE_SCHEMA });
  } catch (e) {
    const mark = (e as { mark?: { line?: number } }).mark;
    throw inputError(
      `invalid YAML (${(e as Error).message.split('\n')[0]})`,
      file,
      mark?.line !== undefined ? mark.line + 1 : undefined,
    );
  }
  const deps = (doc as { dependencies?: unknown } | null)?.dependencies;
  if (!Array.isArray(deps))
    throw inputError('not a conda environment file: no "dependencies" list', file);
  const lines = text.split(/\r?\n/);
  const lineOf = (needle: string): number | undefined => {
    const i = lines.findIndex((l) => l.includes(needle));
    return i < 0 ? undefined : i + 1;
  };
  const conda: Dependency[] = [];
  let pip: string[] = [];
  for (const entry of deps) {
    if (typeof entry === 'string') {
      const spec = entry.trim();
      const name = spec.replace(/^[^:]*::/, '').split(/[\s=<>!~]/)[0] ?? spec;
      const line = lineOf(spec);
      conda.push({
        kind: 'skipped',
        skipKind: 'excluded',
        name: name.toLowerCase(),
        displayName: name,
        origin: { file, ...(line !== undefined && { line }) },
        skipReason: `conda package, not from PyPI (${spec})`,
      });
    } else if (
      entry !== null &&
      typeof entry === 'object' &&
      Array.isArray((entry as { pip?: unknown }).pip)
    ) {
      pip = [...pip, ...(entry as { pip: unknown[] }).pip.map(String)];
    } else {
      throw inputError(`unexpected entry in "dependencies": ${JSON.stringify(entry)}`, file);
    }
  }
  return { conda, pipRequirements: pip.length > 0 ? `${pip.join('\n')}\n` : '' };
}
