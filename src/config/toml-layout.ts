/**
 * Where keys sit in a TOML document: smol-toml returns values without positions, and a
 * configuration error must name its line. This scanner follows TOML 1.0's lexical rules
 * (strings of the four kinds, comments, nested arrays and inline tables) only as far as
 * needed to find each key's line, the lines of `[[array.of.tables]]` headers and the lines of
 * the inline tables inside an array value.
 */

export interface TomlLayout {
  /** The 1-based line of `key` directly in `table` (`''` for the root; dotted, unquoted). */
  keyLine(table: string, key: string): number | undefined;
  /**
   * The lines where the items of `table.key` start: `[[table.key]]` headers, or `{` of the
   * inline tables of `key = [{…}, {…}]`.
   */
  itemLines(table: string, key: string): readonly number[];
}

const BARE_KEY = /^[A-Za-z0-9_-]+/;

/** `a . "b.c" . 'd'` → `a.b.c.d` (quotes dropped; enough to compare with plain keys). */
function dottedName(text: string): string {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    let part: string;
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const end = rest.indexOf(rest[0] as string, 1);
      part = rest.slice(1, end < 0 ? undefined : end);
      rest = end < 0 ? '' : rest.slice(end + 1);
    } else {
      const bare = BARE_KEY.exec(rest)?.[0] ?? rest;
      part = bare;
      rest = rest.slice(bare.length);
    }
    parts.push(part);
    rest = rest.trim();
    if (rest.startsWith('.')) rest = rest.slice(1).trim();
    else break;
  }
  return parts.join('.');
}

const join = (table: string, key: string): string => (table === '' ? key : `${table}.${key}`);

export function scanTomlLayout(text: string): TomlLayout {
  const keys = new Map<string, number>();
  const items = new Map<string, number[]>();
  const addItem = (name: string, line: number): void => {
    items.set(name, [...(items.get(name) ?? []), line]);
  };
  let table = '';
  let line = 1;
  let i = 0;
  /** Open brackets of the value being read: '[' or '{'. */
  const stack: string[] = [];
  let valueKey = '';
  let lineStart = true;
  const n = text.length;
  const skipTo = (end: string, escapes: boolean): void => {
    while (i < n && !text.startsWith(end, i)) {
      if (text[i] === '\n') line++;
      i += escapes && text[i] === '\\' ? 2 : 1;
    }
    i += end.length;
  };
  while (i < n) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      i++;
      if (stack.length === 0) lineStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (lineStart && stack.length === 0) {
      lineStart = false;
      const end = text.indexOf('\n', i);
      const rest = text.slice(i, end < 0 ? n : end);
      const header = /^\[\[\s*([^\]]+?)\s*\]\]|^\[\s*([^\]]+?)\s*\]/.exec(rest);
      if (header) {
        table = dottedName(header[1] ?? header[2] ?? '');
        // A table is also a key of its parent, defined on its header's line.
        if (!keys.has(table)) keys.set(table, line);
        if (header[1] !== undefined) addItem(table, line);
        i += header[0].length;
        continue;
      }
      const assignment =
        /^((?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*'))*)\s*=/.exec(
          rest,
        );
      if (assignment) {
        valueKey = join(table, dottedName(assignment[1] as string));
        if (!keys.has(valueKey)) keys.set(valueKey, line);
        i += assignment[0].length;
        continue;
      }
    }
    if (text.startsWith('"""', i)) {
      i += 3;
      skipTo('"""', true);
    } else if (text.startsWith("'''", i)) {
      i += 3;
      skipTo("'''", false);
    } else if (c === '"') {
      i++;
      skipTo('"', true);
    } else if (c === "'") {
      i++;
      skipTo("'", false);
    } else if (c === '[' || c === '{') {
      if (c === '{' && stack.length === 1 && stack[0] === '[') addItem(valueKey, line);
      stack.push(c);
      i++;
    } else if (c === ']' || c === '}') {
      stack.pop();
      i++;
    } else {
      i++;
    }
  }
  return {
    keyLine: (t, key) => keys.get(join(t, key)),
    itemLines: (t, key) => items.get(join(t, key)) ?? [],
  };
}
