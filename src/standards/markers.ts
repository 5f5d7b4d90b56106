/**
 * PEP 508 environment markers: parsing, formatting and evaluation, with the semantics of
 * `packaging.markers` 26 (PEP 685 extra normalization, PEP 751 `extras`/`dependency_groups`
 * sets, version comparison through PEP 440 specifiers for the version-valued variables).
 *
 * https://peps.python.org/pep-0508/#environment-markers
 */
import { canonicalizeName } from './pep503.js';
import { parseSpecifier, specifierContains } from './pep440.js';
import { MarkerTokenizer, PepSyntaxError } from './tokenizer.js';

export type MarkerVariableName =
  | 'python_version'
  | 'python_full_version'
  | 'os_name'
  | 'sys_platform'
  | 'platform_release'
  | 'platform_system'
  | 'platform_version'
  | 'platform_machine'
  | 'platform_python_implementation'
  | 'implementation_name'
  | 'implementation_version'
  | 'extra'
  | 'extras'
  | 'dependency_groups';

export type MarkerOperand =
  | { readonly kind: 'variable'; readonly name: MarkerVariableName }
  | { readonly kind: 'value'; readonly value: string };

export type MarkerOperator = '===' | '==' | '~=' | '!=' | '<=' | '>=' | '<' | '>' | 'in' | 'not in';

export interface MarkerComparison {
  readonly kind: 'compare';
  readonly left: MarkerOperand;
  readonly op: MarkerOperator;
  readonly right: MarkerOperand;
}

/**
 * A marker expression as written: atoms (comparisons or parenthesized sub-lists) separated
 * by `and` / `or`, where `and` binds tighter. Keeping the written shape lets
 * {@link formatMarker} reproduce `str(packaging.markers.Marker(...))`.
 */
export type MarkerList = ReadonlyArray<MarkerComparison | MarkerList | 'and' | 'or'>;

/** Values of the marker variables; `extras` and `dependency_groups` are sets (PEP 751). */
export type MarkerEnvironment = Partial<
  Record<Exclude<MarkerVariableName, 'extras' | 'dependency_groups'>, string>
> & {
  readonly extras?: ReadonlySet<string> | readonly string[];
  readonly dependency_groups?: ReadonlySet<string> | readonly string[];
};

export class InvalidMarkerError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly span: readonly [number, number],
  ) {
    super(message);
    this.name = 'InvalidMarkerError';
  }
}

/** The marker referenced a variable that the environment does not define. */
export class UndefinedEnvironmentNameError extends Error {
  constructor(readonly variable: string) {
    super(`'${variable}' does not exist in evaluation environment.`);
    this.name = 'UndefinedEnvironmentNameError';
  }
}

/** A comparison that PEP 508 leaves undefined (`~=` on a non-version, for example). */
export class UndefinedComparisonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndefinedComparisonError';
  }
}

const SET_VARIABLES = new Set<string>(['extras', 'dependency_groups']);
const VERSION_VARIABLES = new Set<string>([
  'implementation_version',
  'platform_release',
  'python_full_version',
  'python_version',
]);

/** Deeper nesting is refused: no real marker comes near it, and parsing recurses per level. */
export const MAX_MARKER_DEPTH = 100;

/** Parses a whole marker expression such as `python_version < "3.8" and os_name == "nt"`. */
export function parseMarker(text: string): MarkerList {
  const tokenizer = new MarkerTokenizer(text);
  try {
    const marker = parseMarkerExpression(tokenizer);
    tokenizer.expect('END', 'end of marker expression');
    return marker;
  } catch (e) {
    if (e instanceof PepSyntaxError) throw new InvalidMarkerError(e.message, text, e.span);
    throw e;
  }
}

/** marker = marker_atom (BOOLOP marker_atom)* ; used by the requirement parser too. */
export function parseMarkerExpression(tokenizer: MarkerTokenizer): MarkerList {
  const expression: Array<MarkerComparison | MarkerList | 'and' | 'or'> = [
    parseMarkerAtom(tokenizer),
  ];
  for (;;) {
    const op = tokenizer.match('BOOLOP');
    if (op === null) break;
    expression.push(op as 'and' | 'or', parseMarkerAtom(tokenizer));
  }
  return normalizeExtraValues(expression);
}

function parseMarkerAtom(tokenizer: MarkerTokenizer): MarkerComparison | MarkerList {
  tokenizer.skip('WS');
  let atom: MarkerComparison | MarkerList;
  if (tokenizer.peek('LEFT_PARENTHESIS')) {
    if (tokenizer.depth >= MAX_MARKER_DEPTH)
      tokenizer.fail(`Parentheses nested more than ${MAX_MARKER_DEPTH} deep`);
    tokenizer.depth++;
    atom = tokenizer.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'marker expression', () => {
      tokenizer.skip('WS');
      const inner = parseMarkerExpression(tokenizer);
      tokenizer.skip('WS');
      return inner;
    });
    tokenizer.depth--;
  } else {
    tokenizer.skip('WS');
    const left = parseMarkerOperand(tokenizer);
    tokenizer.skip('WS');
    const op = parseMarkerOperator(tokenizer);
    tokenizer.skip('WS');
    const right = parseMarkerOperand(tokenizer);
    tokenizer.skip('WS');
    atom = { kind: 'compare', left, op, right };
  }
  tokenizer.skip('WS');
  return atom;
}

function parseMarkerOperand(tokenizer: MarkerTokenizer): MarkerOperand {
  const variable = tokenizer.match('VARIABLE');
  if (variable !== null) {
    const name = variable.replace('.', '_');
    return {
      kind: 'variable',
      name: (name === 'python_implementation'
        ? 'platform_python_implementation'
        : name) as MarkerVariableName,
    };
  }
  const quoted = tokenizer.match('QUOTED_STRING');
  if (quoted !== null) return { kind: 'value', value: unquote(quoted) };
  return tokenizer.fail('Expected a marker variable or quoted string');
}

function parseMarkerOperator(tokenizer: MarkerTokenizer): MarkerOperator {
  if (tokenizer.match('IN') !== null) return 'in';
  if (tokenizer.match('NOT') !== null) {
    tokenizer.expect('WS', "whitespace after 'not'");
    tokenizer.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  const op = tokenizer.match('OP');
  if (op !== null) return op as MarkerOperator;
  return tokenizer.fail(
    'Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in',
  );
}

/** A Python string literal's value: the quotes removed and backslash escapes applied. */
function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  if (!body.includes('\\')) return body;
  const escapes: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    "'": "'",
    '"': '"',
  };
  return body.replace(/\\(.)/g, (whole, c: string) => escapes[c] ?? whole);
}

/** PEP 685: the value compared with `extra` is normalized when the marker is parsed. */
function normalizeExtraValues(list: MarkerList): MarkerList {
  return list.map((item) => {
    if (typeof item === 'string' || Array.isArray(item)) return item;
    const cmp = item as MarkerComparison;
    if (cmp.left.kind === 'variable' && cmp.left.name === 'extra' && cmp.right.kind === 'value') {
      return { ...cmp, right: { kind: 'value', value: canonicalizeName(cmp.right.value) } };
    }
    if (cmp.right.kind === 'variable' && cmp.right.name === 'extra' && cmp.left.kind === 'value') {
      return { ...cmp, left: { kind: 'value', value: canonicalizeName(cmp.left.value) } };
    }
    return cmp;
  });
}

function formatOperand(operand: MarkerOperand): string {
  return operand.kind === 'variable' ? operand.name : `"${operand.value}"`;
}

/** The canonical text of a marker, equal to `str(packaging.markers.Marker(text))`. */
export function formatMarker(marker: MarkerList): string {
  const single = marker.length === 1 ? marker[0] : undefined;
  if (single !== undefined && typeof single !== 'string') {
    return Array.isArray(single) ? formatMarker(single as MarkerList) : formatItem(single, true);
  }
  return marker.map((m) => formatItem(m, false)).join(' ');
}

function formatItem(item: MarkerComparison | MarkerList | 'and' | 'or', _top: boolean): string {
  if (typeof item === 'string') return item;
  if (Array.isArray(item)) {
    const list = item as MarkerList;
    const only = list.length === 1 ? list[0] : undefined;
    if (only !== undefined && typeof only !== 'string') return formatItem(only, false);
    return `(${list.map((m) => formatItem(m, false)).join(' ')})`;
  }
  const cmp = item as MarkerComparison;
  return `${formatOperand(cmp.left)} ${cmp.op} ${formatOperand(cmp.right)}`;
}

function lookup(
  environment: MarkerEnvironment,
  name: MarkerVariableName,
): string | ReadonlySet<string> {
  const value = (environment as Record<string, unknown>)[name];
  if (value === undefined) throw new UndefinedEnvironmentNameError(name);
  if (SET_VARIABLES.has(name)) {
    return new Set([...(value as Iterable<string>)].map(canonicalizeName));
  }
  if (name === 'extra') return value ? canonicalizeName(value as string) : '';
  if (name === 'python_full_version' && (value as string).endsWith('+')) {
    // A Python built from an untagged checkout reports "3.13.0+"; `packaging` repairs it.
    return `${value as string}local`;
  }
  return value as string;
}

function evaluateComparison(cmp: MarkerComparison, environment: MarkerEnvironment): boolean {
  let key: string;
  let lhs: string | ReadonlySet<string>;
  let rhs: string | ReadonlySet<string>;
  if (cmp.left.kind === 'variable') {
    key = cmp.left.name;
    lhs = lookup(environment, cmp.left.name);
    rhs = cmp.right.kind === 'value' ? cmp.right.value : lookup(environment, cmp.right.name);
  } else {
    lhs = cmp.left.value;
    if (cmp.right.kind !== 'variable') {
      throw new UndefinedComparisonError(`Undefined ${cmp.op} on two literals.`);
    }
    key = cmp.right.name;
    rhs = lookup(environment, cmp.right.name);
  }
  if (typeof lhs !== 'string') {
    throw new UndefinedComparisonError(`'${key}' must be on the right of 'in' or 'not in'.`);
  }
  if (SET_VARIABLES.has(key)) {
    lhs = canonicalizeName(lhs);
    if (typeof rhs === 'string') rhs = canonicalizeName(rhs);
  }
  if (
    VERSION_VARIABLES.has(key) &&
    typeof rhs === 'string' &&
    cmp.op !== 'in' &&
    cmp.op !== 'not in'
  ) {
    const spec = parseSpecifier(`${cmp.op}${rhs}`);
    if (spec) return specifierContains({ specifiers: [spec] }, lhs, { prereleases: true });
  }
  const contains = (container: string | ReadonlySet<string>, item: string): boolean =>
    typeof container === 'string' ? container.includes(item) : container.has(item);
  switch (cmp.op) {
    case 'in':
      return contains(rhs, lhs);
    case 'not in':
      return !contains(rhs, lhs);
    case '==':
    case '<=':
    case '>=':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case '<':
    case '>':
      return false;
    default:
      throw new UndefinedComparisonError(
        `Undefined ${cmp.op} on '${lhs}' and '${typeof rhs === 'string' ? rhs : [...rhs].join(',')}'.`,
      );
  }
}

/**
 * Evaluates a marker against an environment. `and` binds tighter than `or`. Throws
 * {@link UndefinedEnvironmentNameError} when a variable the marker uses is not in the
 * environment, and {@link UndefinedComparisonError} for comparisons PEP 508 leaves undefined.
 */
export function evaluateMarker(
  marker: MarkerList | string,
  environment: MarkerEnvironment,
): boolean {
  const list = typeof marker === 'string' ? parseMarker(marker) : marker;
  let anyGroup = false;
  let group = true;
  for (const item of list) {
    if (item === 'or') {
      anyGroup ||= group;
      group = true;
    } else if (item === 'and') {
      continue;
    } else {
      // Every comparison is evaluated (no short-circuit), as `packaging` does, so that an
      // undefined variable is reported whatever the other operands are.
      const value = Array.isArray(item)
        ? evaluateMarker(item as MarkerList, environment)
        : evaluateComparison(item as MarkerComparison, environment);
      group &&= value;
    }
  }
  return anyGroup || group;
}

/** The variables a marker refers to. */
export function markerVariables(marker: MarkerList): Set<MarkerVariableName> {
  const names = new Set<MarkerVariableName>();
  for (const item of marker) {
    if (item === 'and' || item === 'or') continue;
    if (Array.isArray(item)) {
      for (const n of markerVariables(item as MarkerList)) names.add(n);
      continue;
    }
    const cmp = item as MarkerComparison;
    if (cmp.left.kind === 'variable') names.add(cmp.left.name);
    if (cmp.right.kind === 'variable') names.add(cmp.right.name);
  }
  return names;
}

/**
 * Evaluates a marker when only part of the environment is known: a comparison on an unknown
 * variable is unknown, and `and`/`or` follow three-valued (Kleene) logic. Returns `null` when
 * the answer depends on what is unknown, so a caller can fail closed (audit it anyway).
 */
export function evaluateMarkerPartial(
  marker: MarkerList | string,
  environment: MarkerEnvironment,
): boolean | null {
  const list = typeof marker === 'string' ? parseMarker(marker) : marker;
  const groups: Array<boolean | null> = [];
  let group: boolean | null = true;
  const and = (a: boolean | null, b: boolean | null): boolean | null =>
    a === false || b === false ? false : a === null || b === null ? null : true;
  for (const item of list) {
    if (item === 'or') {
      groups.push(group);
      group = true;
    } else if (item !== 'and') {
      let value: boolean | null;
      if (Array.isArray(item)) {
        value = evaluateMarkerPartial(item as MarkerList, environment);
      } else {
        try {
          value = evaluateComparison(item as MarkerComparison, environment);
        } catch (e) {
          if (!(e instanceof UndefinedEnvironmentNameError)) throw e;
          value = null;
        }
      }
      group = and(group, value);
    }
  }
  groups.push(group);
  if (groups.includes(true)) return true;
  return groups.includes(null) ? null : false;
}
