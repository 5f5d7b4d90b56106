/**
 * The configuration file's keys come from the command's own option definitions: every long
 * flag is a key of the same name (`--ignore-vuln` → `ignore-vuln`), so an option added to the
 * CLI is a configuration key with no further code. Its kind (switch, value, repeatable …),
 * read from the definition, decides which TOML types the key takes.
 */
import type { Command, Option } from 'commander';

/**
 * - `flag`: a switch (`--strict`) — a boolean;
 * - `negated`: a `--no-x` switch (`--no-deps`) — a boolean, `true` meaning the flag was given;
 * - `count`: a repeatable switch (`-v`) — a non-negative integer;
 * - `value`: one value (`--timeout 30`) — a string or a number;
 * - `optional-value`: a value that may be left out (`--desc [on]`) — a string or a boolean;
 * - `list`: a repeatable value (`-r a -r b`) — an array of strings, or one string.
 */
export type OptionKind = 'flag' | 'negated' | 'count' | 'value' | 'optional-value' | 'list';

export interface OptionSpec {
  /** The long flag without its dashes: the configuration key. */
  readonly key: string;
  /** Where commander keeps the value (`ignoreVuln`; `deps` for `--no-deps`). */
  readonly attribute: string;
  readonly kind: OptionKind;
  /** `-f/--format`, as usage errors spell it. */
  readonly display: string;
  /** The value names a file or folder: relative values in a file are relative to that file. */
  readonly isPath: boolean;
  readonly option: Option;
}

/** Options that choose the configuration or only print something: never keys. */
export const META_KEYS: ReadonlySet<string> = new Set(['help', 'version', 'config', 'no-config']);

/** Value names (`<FILE>`) whose values are paths. */
const PATH_VALUES = /<(FILE|DIR|PATH|REQUIREMENT|CACHE_DIR)>/;

function kindOf(option: Option): OptionKind {
  if (option.negate) return 'negated';
  if (Array.isArray(option.defaultValue)) return 'list';
  if (typeof option.defaultValue === 'number') return 'count';
  if (option.required) return 'value';
  if (option.optional) return 'optional-value';
  return 'flag';
}

export function optionSpecs(command: Command): OptionSpec[] {
  return command.options
    .filter((o) => o.long !== undefined && !META_KEYS.has(o.long.slice(2)))
    .map((option) => ({
      key: (option.long as string).slice(2),
      attribute: option.attributeName(),
      kind: kindOf(option),
      display: option.short ? `${option.short}/${option.long}` : (option.long as string),
      isPath: PATH_VALUES.test(option.flags),
      option,
    }));
}

/**
 * A value from outside the command line, through the option's own parser as the command line
 * would pass it (a repeatable option's items one by one), so that a file or a variable gets
 * the same conversion and checks as the flag. Throws the parser's error.
 */
export function parseOptionValue(spec: OptionSpec, value: string | readonly string[]): unknown {
  const parse = spec.option.parseArg;
  if (typeof value !== 'string') {
    return parse ? value.reduce<unknown>((acc, item) => parse(item, acc), []) : [...value];
  }
  return parse ? parse(value, spec.option.defaultValue) : value;
}
