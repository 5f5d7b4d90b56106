/**
 * Every string value of a TOML document with its key path and its exact place in the text,
 * so a rewriter can change one string and keep every other byte (comments, key order,
 * spacing, quoting). A scanner, not a parser: the document is expected to be valid TOML (the
 * audit has parsed it already); what it cannot follow ends the scan early.
 *
 * https://toml.io/en/v1.0.0
 */

export interface TomlString {
  /** Table and key path; array items by their index (`['project', 'dependencies', '0']`). */
  readonly path: readonly string[];
  /** The whole literal, quotes included. */
  readonly start: number;
  readonly end: number;
  /** The text between the quotes, as written. */
  readonly raw: string;
  /** Where `raw` starts. */
  readonly rawStart: number;
  /** Whether `raw` is the value itself (no escapes, not multi-line). */
  readonly plain: boolean;
}

const BARE_KEY = /[A-Za-z0-9_-]/;

export function tomlStrings(text: string): TomlString[] {
  const found: TomlString[] = [];
  let i = 0;

  const skipSpace = (newlines: boolean): void => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || (newlines && (c === '\n' || c === '\r'))) i++;
      else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
      else return;
    }
  };

  /** A string literal at `i`; returns its text and moves past it. */
  const readString = (): {
    start: number;
    end: number;
    raw: string;
    rawStart: number;
    plain: boolean;
  } => {
    const start = i;
    const quote = text[i] as string;
    const triple = text.startsWith(quote.repeat(3), i);
    const delimiter = triple ? quote.repeat(3) : quote;
    i += delimiter.length;
    const rawStart = i;
    for (;;) {
      if (i >= text.length) throw new Error('unterminated string');
      if (quote === '"' && text[i] === '\\') {
        i += 2;
        continue;
      }
      if (text.startsWith(delimiter, i)) {
        // A multi-line string may end with up to two extra quotes before the delimiter.
        if (triple) while (text[i + 3] === quote) i++;
        break;
      }
      if (!triple && text[i] === '\n') throw new Error('newline in a string');
      i++;
    }
    const raw = text.slice(rawStart, i);
    i += delimiter.length;
    return {
      start,
      end: i,
      raw,
      rawStart,
      plain: !triple && (quote === "'" || !raw.includes('\\')),
    };
  };

  const readKey = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipSpace(false);
      const c = text[i];
      if (c === '"' || c === "'") {
        const s = readString();
        parts.push(s.plain ? s.raw : JSON.parse(`"${s.raw}"`));
      } else {
        const from = i;
        while (i < text.length && BARE_KEY.test(text[i] as string)) i++;
        if (i === from) throw new Error('expected a key');
        parts.push(text.slice(from, i));
      }
      skipSpace(false);
      if (text[i] !== '.') return parts;
      i++;
    }
  };

  const readValue = (path: string[]): void => {
    skipSpace(false);
    const c = text[i];
    if (c === '"' || c === "'") {
      found.push({ path, ...readString() });
    } else if (c === '[') {
      i++;
      let index = 0;
      for (;;) {
        skipSpace(true);
        if (text[i] === ']') {
          i++;
          return;
        }
        readValue([...path, String(index++)]);
        skipSpace(true);
        if (text[i] === ',') i++;
        else if (text[i] !== ']') throw new Error('expected , or ]');
      }
    } else if (c === '{') {
      i++;
      for (;;) {
        skipSpace(false);
        if (text[i] === '}') {
          i++;
          return;
        }
        const key = readKey();
        if (text[i] !== '=') throw new Error('expected =');
        i++;
        readValue([...path, ...key]);
        skipSpace(false);
        if (text[i] === ',') i++;
        else if (text[i] !== '}') throw new Error('expected , or }');
      }
    } else {
      // A number, boolean or date: up to the end of the value.
      while (i < text.length && !/[,\]}\n\r#]/.test(text[i] as string)) i++;
    }
  };

  let table: string[] = [];
  const arrays = new Map<string, number>();
  try {
    for (;;) {
      skipSpace(true);
      if (i >= text.length) break;
      if (text[i] === '[') {
        const isArray = text[i + 1] === '[';
        i += isArray ? 2 : 1;
        const key = readKey();
        i += isArray ? 2 : 1;
        if (isArray) {
          const id = key.join('\u0000');
          const n = arrays.get(id) ?? 0;
          arrays.set(id, n + 1);
          table = [...key, String(n)];
        } else table = key;
        continue;
      }
      const key = readKey();
      if (text[i] !== '=') throw new Error('expected =');
      i++;
      readValue([...table, ...key]);
    }
  } catch {
    // Not TOML this scanner can follow: what was found so far is returned.
  }
  return found;
}

/** 1-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text[k] === '\n') line++;
  return line;
}
