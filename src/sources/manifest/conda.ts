/**
 * conda `environment.yml`: `dependencies` holds conda packages (not from PyPI: listed as
 * skipped, never audited against PyPI advisories) and a `pip:` list of requirement lines,
 * read with the requirements-file parser.
 *
 * The YAML is read with the core schema, so that an entry that is not a string (`- 1`,
 * `- true`, an empty `-`) is seen as such and refused with its line, rather than read as a
 * package named `1`; specs such as `python=3.10` are strings either way.
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

const isComment = (line: string) => /^\s*(#|$)/.test(line);
const indentOf = (line: string) => /^ */.exec(line)?.[0].length ?? 0;
const isItem = (line: string) => /^\s*-(\s|$)/.test(line);

/**
 * The 1-based lines of the items of a block sequence that starts after line `after` (0-based
 * index of the key's line), at an indentation of at least `minIndent`: lines that start with
 * `- ` at the sequence's indentation, until a line less indented, or as indented but not an
 * item, ends it. Deeper lines belong to an item.
 */
function blockItemLines(lines: readonly string[], after: number, minIndent: number): number[] {
  const items: number[] = [];
  let indent: number | undefined;
  for (let i = after + 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (isComment(line)) continue;
    const at = indentOf(line);
    if (indent === undefined) {
      if (at < minIndent || !isItem(line)) return [];
      indent = at;
    }
    if (at < indent || (at === indent && !isItem(line))) break;
    if (at === indent) items.push(i + 1);
  }
  return items;
}

/** The value written after `key:` on its line, comments dropped (empty when it starts below). */
const valueAfter = (match: RegExpExecArray | null): string =>
  (match?.[match.length - 1] ?? '').replace(/(^|\s)#.*$/, '').trim();

/**
 * The line of each entry of `dependencies` (a top-level key) when the file writes them one per
 * line; otherwise (a flow list `[a, b]`, an unusual layout) the line of the key itself.
 */
function dependencyLines(lines: readonly string[], count: number): number[] {
  const key = /^(["']?)dependencies\1\s*:(.*)$/;
  const at = lines.findIndex((l) => key.test(l));
  if (at < 0) return [];
  const found =
    valueAfter(key.exec(lines[at] as string)) === '' ? blockItemLines(lines, at, 0) : [];
  return found.length === count ? found : Array<number>(count).fill(at + 1);
}

/** The line of each requirement of the `- pip:` entry on line `entryLine` (1-based), likewise. */
function pipLines(lines: readonly string[], entryLine: number, count: number): number[] {
  const key = /^(\s*-\s+)(["']?)pip\2\s*:(.*)$/.exec(lines[entryLine - 1] ?? '');
  const found =
    key && valueAfter(key) === ''
      ? blockItemLines(lines, entryLine - 1, (key[1] as string).length)
      : [];
  return found.length === count ? found : Array<number>(count).fill(entryLine);
}

/** A value as a message names it. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return 'an empty entry';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0
      ? 'an empty table'
      : `a table with ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
  }
  return `the ${typeof value} ${String(value)}`;
}

function loadYaml(text: string, file: string): unknown {
  try {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (e) {
    const mark = (e as { mark?: { line?: number } }).mark;
    throw inputError(
      `invalid YAML (${(e as Error).message.split('\n')[0]})`,
      file,
      mark?.line !== undefined ? mark.line + 1 : undefined,
    );
  }
}

export function parseCondaEnvironment(text: string, file: string): CondaEnvironment {
  const doc = loadYaml(text, file);
  const deps = (doc as { dependencies?: unknown } | null)?.dependencies;
  if (!Array.isArray(deps))
    throw inputError('not a conda environment file: no "dependencies" list', file);
  const lines = text.split(/\r?\n/);
  const entryLines = dependencyLines(lines, deps.length);
  const conda: Dependency[] = [];
  const pip: string[] = [];
  deps.forEach((entry: unknown, i) => {
    const line = entryLines[i];
    if (typeof entry === 'string') {
      const spec = entry.trim();
      const name = spec.replace(/^[^:]*::/, '').split(/[\s=<>!~]/)[0] ?? spec;
      conda.push({
        kind: 'skipped',
        skipKind: 'other-ecosystem',
        name: name.toLowerCase(),
        displayName: name,
        origin: { file, ...(line !== undefined && { line }) },
        skipReason: `conda package, not from PyPI (${spec})`,
      });
      return;
    }
    const isPipTable =
      entry !== null &&
      typeof entry === 'object' &&
      !Array.isArray(entry) &&
      Object.keys(entry).length === 1 &&
      'pip' in entry;
    if (!isPipTable)
      throw inputError(
        `"dependencies" holds ${describe(entry)}: expected a conda package (a string) or a "pip:" list`,
        file,
        line,
      );
    const requirements = (entry as { pip: unknown }).pip;
    if (!Array.isArray(requirements))
      throw inputError(
        `"pip:" must be a list of requirements, not ${describe(requirements)}`,
        file,
        line,
      );
    const lineOfPip = line !== undefined ? pipLines(lines, line, requirements.length) : [];
    requirements.forEach((r: unknown, j) => {
      if (typeof r !== 'string')
        throw inputError(
          `the "pip:" list holds ${describe(r)}: expected a requirement (a string)`,
          file,
          lineOfPip[j],
        );
      pip.push(r);
    });
  });
  return { conda, pipRequirements: pip.length > 0 ? `${pip.join('\n')}\n` : '' };
}
