/**
 * Finding and reading the configuration file: `.pyaudit.toml` (its keys at the top level) or
 * the `[tool.pyaudit]` table of `pyproject.toml`, the nearest one walking up from the current
 * directory to the repository root (the folder holding `.git`) or the filesystem root. In one
 * folder `.pyaudit.toml` wins over `pyproject.toml`; a `pyproject.toml` without the table does
 * not count.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { inputError } from '../core/errors.js';
import { scanTomlLayout, type TomlLayout } from './toml-layout.js';

export interface ConfigFile {
  /** Absolute path. */
  readonly path: string;
  /** As messages name it: relative to the current directory when below it. */
  readonly display: string;
  /** `tool.pyaudit` in a pyproject.toml, `''` in a .pyaudit.toml. */
  readonly tableName: string;
  readonly table: Readonly<Record<string, unknown>>;
  readonly layout: TomlLayout;
}

const TOOL_TABLE = /^\s*\[\s*tool\s*\.\s*pyaudit\s*[\].]|^\s*tool\s*\.\s*pyaudit\s*[.=]/m;

const isPyproject = (file: string): boolean => path.basename(file) === 'pyproject.toml';

/** The configuration file that applies in `cwd`, if any. */
export function findConfigFile(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    const dotfile = path.join(dir, '.pyaudit.toml');
    if (existsSync(dotfile)) return dotfile;
    const pyproject = path.join(dir, 'pyproject.toml');
    if (existsSync(pyproject) && TOOL_TABLE.test(readText(pyproject, pyproject))) return pyproject;
    if (existsSync(path.join(dir, '.git'))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readText(file: string, display: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw inputError(
      `cannot read the configuration file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      display,
    );
  }
}

/** Reads and parses a configuration file; a pyproject.toml must have `[tool.pyaudit]`. */
export function readConfigFile(file: string, cwd: string): ConfigFile {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  const display = relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
  const text = readText(absolute, display);
  let doc: Record<string, unknown>;
  try {
    doc = parse(text, { integersAsBigInt: 'asNeeded' }) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      throw inputError(`invalid TOML (${e.message.split('\n')[0]})`, display, e.line);
    }
    throw e;
  }
  const layout = scanTomlLayout(text);
  if (!isPyproject(absolute)) {
    return { path: absolute, display, tableName: '', table: doc, layout };
  }
  const tool = doc.tool as Record<string, unknown> | undefined;
  const table = tool?.pyaudit;
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw inputError('no [tool.pyaudit] table', display);
  }
  return {
    path: absolute,
    display,
    tableName: 'tool.pyaudit',
    table: table as Record<string, unknown>,
    layout,
  };
}
