/**
 * PEP 508 dependency specifiers: `name[extras] (specifiers | @ url) ; marker`, parsed with
 * the grammar and error messages of `packaging.requirements` 26.
 *
 * https://peps.python.org/pep-0508/
 */
import { formatMarker, parseMarkerExpression, type MarkerList } from './markers.js';
import { parseSpecifierSet, specifierSetToString, type SpecifierSet } from './pep440.js';
import { MarkerTokenizer, PepSyntaxError } from './tokenizer.js';

export interface Requirement {
  /** The name as written. */
  readonly name: string;
  /** Extras as written, in order, without duplicates. */
  readonly extras: readonly string[];
  /** The specifier text as written (`""` when there is none). */
  readonly specifier: string;
  readonly specifierSet: SpecifierSet;
  /** The direct reference after `@`, or `null`. */
  readonly url: string | null;
  readonly marker: MarkerList | null;
}

export class InvalidRequirementError extends Error {
  constructor(
    /** What was expected, as `packaging` words it. */
    readonly reason: string,
    readonly source: string,
    readonly span: readonly [number, number],
  ) {
    super(reason);
    this.name = 'InvalidRequirementError';
  }

  /** `packaging`'s three-line rendering: message, source, and a caret under the span. */
  get detail(): string {
    const [start, end] = this.span;
    return `${this.reason}\n    ${this.source}\n    ${' '.repeat(start)}${'~'.repeat(end - start)}^`;
  }
}

/** Parses a PEP 508 requirement. Throws {@link InvalidRequirementError} on bad syntax. */
/**
 * The commonest line of a pinned file, `name==1.2.3` (a canonical public version: release,
 * then optionally `a|b|rcN`, `.postN`, `.devN`), exactly: parsed without the tokenizer, whose
 * large expressions cost more to compile than a pinned file's parsing (a warm audit of 250 pins
 * spent ~8 ms here); the result is the same.
 */
const PLAIN_PIN =
  /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)==([0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?)$/;

export function parseRequirement(text: string): Requirement {
  const pin = PLAIN_PIN.exec(text);
  if (pin) {
    const version = pin[2]!;
    return {
      name: pin[1]!,
      extras: [],
      specifier: `==${version}`,
      specifierSet: { specifiers: [{ operator: '==', version }] },
      url: null,
      marker: null,
    };
  }
  const t = new MarkerTokenizer(text);
  try {
    t.skip('WS');
    const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier');
    t.skip('WS');
    const extras = parseExtras(t);
    t.skip('WS');
    const { url, specifier, marker } = parseDetails(t);
    t.expect('END', 'end of dependency specifier');
    const specifierSet = parseSpecifierSet(specifier);
    if (!specifierSet) return t.fail(`Invalid specifier: '${specifier}'`, 0, text.length);
    return { name, extras: [...new Set(extras)], specifier, specifierSet, url, marker };
  } catch (e) {
    if (e instanceof PepSyntaxError) throw new InvalidRequirementError(e.message, text, e.span);
    throw e;
  }
}

function parseDetails(t: MarkerTokenizer): {
  url: string | null;
  specifier: string;
  marker: MarkerList | null;
} {
  if (t.match('AT') !== null) {
    t.skip('WS');
    const urlStart = t.position;
    const url = t.expect('URL', 'URL after @');
    if (t.peek('END')) return { url, specifier: '', marker: null };
    t.expect('WS', 'whitespace after URL');
    if (t.peek('END')) return { url, specifier: '', marker: null };
    const marker = parseRequirementMarker(t, urlStart, 'semicolon (after URL and whitespace)');
    return { url, specifier: '', marker };
  }
  const specifierStart = t.position;
  const specifier = parseSpecifierText(t);
  t.skip('WS');
  if (t.peek('END')) return { url: null, specifier, marker: null };
  const marker = parseRequirementMarker(
    t,
    specifierStart,
    specifier
      ? 'comma (within version specifier), semicolon (after version specifier)'
      : 'semicolon (after name with no version specifier)',
  );
  return { url: null, specifier, marker };
}

function parseRequirementMarker(
  t: MarkerTokenizer,
  spanStart: number,
  expected: string,
): MarkerList {
  if (t.match('SEMICOLON') === null) t.fail(`Expected ${expected} or end`, spanStart);
  const marker = parseMarkerExpression(t);
  t.skip('WS');
  return marker;
}

function parseExtras(t: MarkerTokenizer): string[] {
  if (!t.peek('LEFT_BRACKET')) return [];
  return t.enclosed('LEFT_BRACKET', 'RIGHT_BRACKET', 'extras', () => {
    t.skip('WS');
    const extras: string[] = [];
    const first = t.match('IDENTIFIER');
    if (first !== null) {
      extras.push(first);
      for (;;) {
        t.skip('WS');
        if (t.peek('IDENTIFIER')) t.fail('Expected comma between extra names');
        if (t.match('COMMA') === null) break;
        t.skip('WS');
        extras.push(t.expect('IDENTIFIER', 'extra name after comma'));
      }
    }
    t.skip('WS');
    return extras;
  });
}

function parseSpecifierText(t: MarkerTokenizer): string {
  return t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'version specifier', () => {
    t.skip('WS');
    let text = '';
    for (;;) {
      const spanStart = t.position;
      const spec = t.match('SPECIFIER');
      if (spec === null) break;
      text += spec;
      if (t.peek('VERSION_PREFIX_TRAIL')) {
        t.fail('.* suffix can only be used with `==` or `!=` operators', spanStart, t.position + 1);
      }
      if (t.peek('VERSION_LOCAL_LABEL_TRAIL')) {
        t.fail('Local version label can only be used with `==` or `!=` operators', spanStart);
      }
      t.skip('WS');
      const comma = t.match('COMMA');
      if (comma === null) break;
      text += comma;
      t.skip('WS');
    }
    t.skip('WS');
    return text;
  });
}

/** The canonical text of a requirement, equal to `str(packaging.requirements.Requirement(...))`. */
export function formatRequirement(req: Requirement): string {
  let s = req.name;
  if (req.extras.length > 0) s += `[${[...req.extras].sort().join(',')}]`;
  if (req.specifierSet.specifiers.length > 0) s += specifierSetToString(req.specifierSet);
  if (req.url) {
    s += ` @ ${req.url}`;
    if (req.marker) s += ' ';
  }
  if (req.marker) s += `; ${formatMarker(req.marker)}`;
  return s;
}
