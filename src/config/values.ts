/**
 * A configuration file's table → option values, checked against the options' kinds, and its
 * `ignore` rules. Unknown keys and values of the wrong type are errors naming the file and line.
 */
import path from 'node:path';
import { TomlDate } from 'smol-toml';
import { inputError, type PyauditError } from '../core/errors.js';
import type { IgnoreRule } from '../audit/ignore.js';
import type { ConfigFile } from './file.js';
import { parseOptionValue, type OptionSpec } from './schema.js';

export interface FileValue {
  /** The value as the option parser would hold it (`deps: false` for `no-deps = true`). */
  readonly value: unknown;
  readonly line?: number;
}

export interface ConfigValues {
  readonly file: ConfigFile;
  /** By option key. */
  readonly values: ReadonlyMap<string, FileValue>;
  readonly ignore: readonly IgnoreRule[];
}

/** The key for ignore rules with a reason, an expiry date and a package (not a flag). */
export const IGNORE_KEY = 'ignore';
const IGNORE_FIELDS = new Set(['id', 'reason', 'expires', 'package']);

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof TomlDate) return 'a date';
  if (typeof value === 'object' && value !== null) return 'a table';
  if (typeof value === 'bigint' || typeof value === 'number') return 'a number';
  return `a ${typeof value}`;
}

const isNumber = (v: unknown): v is number | bigint =>
  (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'bigint';

/** Converts one key's TOML value; `undefined` means the type is wrong. */
function convert(spec: OptionSpec, raw: unknown, resolvePath: (p: string) => string): unknown {
  const text = (v: unknown): string | undefined =>
    typeof v === 'string' ? v : isNumber(v) ? String(v) : undefined;
  const asPath = (v: string): string => (spec.isPath ? resolvePath(v) : v);
  switch (spec.kind) {
    case 'flag':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'negated':
      return typeof raw === 'boolean' ? !raw : undefined;
    case 'count':
      if (typeof raw === 'boolean') return raw ? 1 : 0;
      return isNumber(raw) && Number(raw) >= 0 && Number.isInteger(Number(raw))
        ? Number(raw)
        : undefined;
    case 'optional-value':
      if (typeof raw === 'boolean') return raw ? true : 'off';
      return typeof raw === 'string' ? raw : undefined;
    case 'value': {
      const t = text(raw);
      return t === undefined ? undefined : parseOptionValue(spec, asPath(t));
    }
    case 'list': {
      const items = Array.isArray(raw) ? raw.map(text) : [text(raw)];
      return items.every((t) => t !== undefined)
        ? parseOptionValue(spec, (items as string[]).map(asPath))
        : undefined;
    }
  }
}

const EXPECTED: Record<OptionSpec['kind'], string> = {
  flag: 'true or false',
  negated: 'true or false',
  count: 'a non-negative integer',
  'optional-value': 'a string, true or false',
  value: 'a string or a number',
  list: 'an array of strings',
};

function ignoreRules(file: ConfigFile, raw: unknown): IgnoreRule[] {
  const keyLine = file.layout.keyLine(file.tableName, IGNORE_KEY);
  const where = file.tableName === '' ? 'ignore' : `${file.tableName}.ignore`;
  if (!Array.isArray(raw)) {
    throw inputError(
      `'${where}' must be an array of tables ({ id, reason, expires, package }), not ${typeName(raw)}`,
      file.display,
      keyLine,
    );
  }
  const itemLines = file.layout.itemLines(file.tableName, IGNORE_KEY);
  return raw.map((item: unknown, i): IgnoreRule => {
    const line = itemLines[i] ?? keyLine;
    const fail = (reason: string): PyauditError => inputError(reason, file.display, line);
    if (typeof item !== 'object' || item === null || Array.isArray(item) || item instanceof Date) {
      throw fail(
        `ignore rule #${i + 1} must be a table ({ id = "…", reason = "…" }), not ${typeName(item)}`,
      );
    }
    const rule = item as Record<string, unknown>;
    for (const field of Object.keys(rule)) {
      if (!IGNORE_FIELDS.has(field)) {
        throw fail(
          `unknown field '${field}' in ignore rule #${i + 1} (expected id, reason, expires, package)`,
        );
      }
    }
    if (typeof rule.id !== 'string' || rule.id === '')
      throw fail(`ignore rule #${i + 1} needs an 'id' string`);
    for (const field of ['reason', 'package'] as const) {
      if (rule[field] !== undefined && typeof rule[field] !== 'string') {
        throw fail(
          `'${field}' of ignore rule #${i + 1} must be a string, not ${typeName(rule[field])}`,
        );
      }
    }
    let expires: string | undefined;
    if (rule.expires instanceof TomlDate) {
      expires = rule.expires.isDate() ? rule.expires.toISOString() : undefined;
    } else if (typeof rule.expires === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(rule.expires)) {
      expires = Number.isNaN(Date.parse(rule.expires)) ? undefined : rule.expires;
    }
    if (rule.expires !== undefined && expires === undefined) {
      throw fail(`'expires' of ignore rule #${i + 1} must be a date such as 2026-12-31`);
    }
    return {
      id: rule.id,
      ...(rule.reason !== undefined && { reason: rule.reason as string }),
      ...(expires !== undefined && { expires }),
      ...(rule.package !== undefined && { package: rule.package as string }),
      origin: line !== undefined ? `${file.display}:${line}` : file.display,
    };
  });
}

/** Edit distance (Levenshtein), for suggestions. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The key a misspelt one most likely meant: at most two edits away, and unambiguous. */
function closestKey(key: string, keys: readonly string[]): string | undefined {
  const scored = keys.map((k) => [k, distance(key, k)] as const).filter(([, d]) => d <= 2);
  const best = Math.min(...scored.map(([, d]) => d));
  const candidates = scored.filter(([, d]) => d === best);
  return candidates.length === 1 ? candidates[0]?.[0] : undefined;
}

export function readConfigValues(
  file: ConfigFile,
  specs: readonly OptionSpec[],
  cwd: string,
): ConfigValues {
  const byKey = new Map(specs.map((s) => [s.key, s]));
  const values = new Map<string, FileValue>();
  let ignore: IgnoreRule[] = [];
  const base = path.dirname(file.path);
  const resolvePath = (p: string): string => {
    if (p === '-' || p === 'stdout' || path.isAbsolute(p)) return p;
    return path.relative(cwd, path.resolve(base, p)) || '.';
  };
  const section = file.tableName === '' ? file.display : `[${file.tableName}]`;
  for (const [key, raw] of Object.entries(file.table)) {
    const line = file.layout.keyLine(file.tableName, key);
    if (key === IGNORE_KEY) {
      ignore = ignoreRules(file, raw);
      continue;
    }
    const spec = byKey.get(key);
    if (!spec) {
      const near = closestKey(key, [...byKey.keys(), IGNORE_KEY]);
      throw inputError(
        `unknown key '${key}' in ${section} (${near !== undefined ? `did you mean '${near}'?` : "keys are pyaudit's long flags without the dashes, and 'ignore'"})`,
        file.display,
        line,
      );
    }
    let value: unknown;
    try {
      value = convert(spec, raw, resolvePath);
    } catch (e) {
      // The option's own parser refused the value (commander's InvalidArgumentError).
      throw inputError(
        `'${key}': ${(e as Error).message.replace(/^error: /, '')}`,
        file.display,
        line,
      );
    }
    if (value === undefined) {
      throw inputError(
        `'${key}' must be ${EXPECTED[spec.kind]}, not ${typeName(raw)}`,
        file.display,
        line,
      );
    }
    values.set(key, { value, ...(line !== undefined && { line }) });
  }
  return { file, values, ignore };
}
