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

/** Where a value was read, for type errors: the file, a description and the line if known. */
export interface Place {
  readonly file: string;
  readonly what: string;
  readonly line?: number | undefined;
}

const typeName = (value: unknown): string =>
  Array.isArray(value)
    ? 'an array'
    : isTable(value)
      ? 'a table'
      : typeof value === 'bigint' || typeof value === 'number'
        ? `the number ${String(value)}`
        : typeof value === 'boolean'
          ? `the boolean ${String(value)}`
          : typeof value === 'string'
            ? 'a string'
            : typeof value;

/** A list of strings; absent is empty; anything else is an error naming the place. */
export function strings(value: unknown, place: Place): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw inputError(
      `${place.what} must be an array of strings, not ${typeName(value)}`,
      place.file,
      place.line,
    );
  return value.map((v, i) => {
    if (typeof v !== 'string')
      throw inputError(
        `${place.what}[${i}] must be a string, not ${typeName(v)}`,
        place.file,
        place.line,
      );
    return v;
  });
}

/** An optional string; anything else is an error naming the place. */
export function optionalString(value: unknown, place: Place): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw inputError(
      `${place.what} must be a string, not ${typeName(value)}`,
      place.file,
      place.line,
    );
  return value;
}

/** An optional table; anything else is an error naming the place. */
export function optionalTable(value: unknown, place: Place): Table | undefined {
  if (value === undefined) return undefined;
  if (!isTable(value))
    throw inputError(
      `${place.what} must be a table, not ${typeName(value)}`,
      place.file,
      place.line,
    );
  return value;
}

/**
 * The `[[package]]` tables of a lock file, each with its line. None at all is a lock of a
 * project without dependencies; a package without a name is an error.
 */
export function packageTables(
  doc: Table,
  text: string,
  file: string,
): Array<{ pkg: Table; line?: number }> {
  if (doc.package === undefined) return [];
  if (!Array.isArray(doc.package))
    throw inputError(`"package" must be an array of tables, not ${typeName(doc.package)}`, file);
  const lines = arrayTableLines(text, 'package');
  return (doc.package as unknown[]).map((raw, i) => {
    if (!isTable(raw)) throw inputError(`package #${i + 1} is not a table`, file, lines[i]);
    if (typeof raw.name !== 'string' || raw.name === '')
      throw inputError(`package #${i + 1} has no name`, file, lines[i]);
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
  file: string,
): {
  name: string;
  displayName: string;
  version?: string;
  line?: number;
} {
  const version = optionalString(pkg.version, {
    file,
    what: `the version of ${String(pkg.name)}`,
    line,
  });
  return {
    name: canonicalizeName(pkg.name as string),
    displayName: pkg.name as string,
    ...(version !== undefined && { version }),
    ...(line !== undefined && { line }),
  };
}
