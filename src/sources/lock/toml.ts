/** TOML for lock files and manifests, with errors that name the file and line. */
import { parse, TomlError } from 'smol-toml';
import { inputError } from '../../core/errors.js';
import { canonicalizeName } from '../../standards/pep503.js';

export type Table = Record<string, unknown>;

export const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

export function parseTomlFile(text: string, file: string, what: string): Table {
  try {
    return parse(text, { integersAsBigInt: 'asNeeded' }) as Table;
  } catch (e) {
    if (e instanceof TomlError)
      throw inputError(`invalid TOML in ${what} (${e.message.split('\n')[0]})`, file, e.line);
    throw e;
  }
}

/** The 1-based line of each `[[package]]` header, in order (for origins). */
export function arrayTableLines(text: string, header: string): number[] {
  const lines: number[] = [];
  const re = new RegExp(`^\\s*\\[\\[${header.replace(/\./g, '\\.')}\\]\\]\\s*(#.*)?$`);
  text.split(/\r?\n/).forEach((line, i) => {
    if (re.test(line)) lines.push(i + 1);
  });
  return lines;
}

export const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];

/** The `[[package]]` tables of a lock file, each with its line; a package without a name is an error. */
export function packageTables(
  doc: Table,
  text: string,
  file: string,
  what: string,
): Array<{ pkg: Table; line?: number }> {
  if (!Array.isArray(doc.package)) throw inputError(`not a ${what}: no [[package]] entries`, file);
  const lines = arrayTableLines(text, 'package');
  return (doc.package as unknown[]).map((raw, i) => {
    if (!isTable(raw) || typeof raw.name !== 'string')
      throw inputError(`package #${i} has no name`, file, lines[i]);
    return { pkg: raw, ...(lines[i] !== undefined && { line: lines[i] }) };
  });
}

/**
 * A TOML value as text for a message or a version: a string as itself, anything else as JSON.
 * (`String()` throws on TOML tables, which have no prototype, and JSON on big integers.)
 */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '?';
  }
}

/** The name, version and line every locked package has. */
export function packageIdentity(
  pkg: Table,
  line: number | undefined,
): {
  name: string;
  displayName: string;
  version?: string;
  line?: number;
} {
  return {
    name: canonicalizeName(pkg.name as string),
    displayName: pkg.name as string,
    ...(pkg.version !== undefined && { version: scalarText(pkg.version) }),
    ...(line !== undefined && { line }),
  };
}
