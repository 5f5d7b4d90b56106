/**
 * The context-sensitive tokenizer behind PEP 508 requirements and markers. Each rule is tried
 * only where the grammar expects it, so a URL and an identifier never compete.
 */
import { SPECIFIER_PATTERN } from './pep440.js';

const RULES = {
  LEFT_PARENTHESIS: /\(/y,
  RIGHT_PARENTHESIS: /\)/y,
  LEFT_BRACKET: /\[/y,
  RIGHT_BRACKET: /\]/y,
  SEMICOLON: /;/y,
  COMMA: /,/y,
  QUOTED_STRING: /(?:'[^']*')|(?:"[^"]*")/y,
  OP: /===|==|~=|!=|<=|>=|<|>/y,
  BOOLOP: /\b(?:or|and)\b/y,
  IN: /\bin\b/y,
  NOT: /\bnot\b/y,
  VARIABLE:
    /\b(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extras?|dependency_groups)\b/y,
  SPECIFIER: new RegExp(SPECIFIER_PATTERN, 'iy'),
  AT: /@/y,
  URL: /[^ \t]+/y,
  IDENTIFIER: /\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b/y,
  VERSION_PREFIX_TRAIL: /\.\*/y,
  VERSION_LOCAL_LABEL_TRAIL: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y,
  WS: /[ \t]+/y,
  END: /$/y,
} as const;

export type TokenName = keyof typeof RULES;

/** A syntax error at a character span of the source. */
export class PepSyntaxError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly span: readonly [number, number],
  ) {
    super(message);
    this.name = 'PepSyntaxError';
  }
}

export class MarkerTokenizer {
  position = 0;
  /** Parentheses open at this point (bounded, so hostile input cannot exhaust the stack). */
  depth = 0;

  constructor(readonly source: string) {}

  private exec(name: TokenName): string | null {
    const re = RULES[name];
    re.lastIndex = this.position;
    const m = re.exec(this.source);
    return m ? m[0] : null;
  }

  /** Whether the next token is `name`, without consuming it. */
  peek(name: TokenName): boolean {
    return this.exec(name) !== null;
  }

  /** Consumes and returns the next token if it is `name`, else `null`. */
  match(name: TokenName): string | null {
    const text = this.exec(name);
    if (text !== null) this.position += text.length;
    return text;
  }

  skip(name: TokenName): void {
    this.match(name);
  }

  expect(name: TokenName, expected: string): string {
    const text = this.match(name);
    if (text === null) this.fail(`Expected ${expected}`);
    return text;
  }

  fail(message: string, spanStart?: number, spanEnd?: number): never {
    throw new PepSyntaxError(message, this.source, [
      spanStart ?? this.position,
      spanEnd ?? this.position,
    ]);
  }

  /** Parses `body`, optionally wrapped in `open` … `close` tokens. */
  enclosed<T>(open: TokenName, close: TokenName, around: string, body: () => T): T {
    const openPosition = this.peek(open) ? this.position : null;
    if (openPosition !== null) this.match(open);
    const result = body();
    if (openPosition !== null && this.match(close) === null) {
      const o = open === 'LEFT_PARENTHESIS' ? 'LEFT_PARENTHESIS' : 'LEFT_BRACKET';
      const c = close === 'RIGHT_PARENTHESIS' ? 'RIGHT_PARENTHESIS' : 'RIGHT_BRACKET';
      this.fail(`Expected matching ${c} for ${o}, after ${around}`, openPosition);
    }
    return result;
  }
}
