/**
 * pip's requirements-file preprocessing, as `pip/_internal/req/req_file.py` does it:
 * decode, split into lines, join `\` continuations, strip comments, expand `${VAR}`.
 * Pure: the text and the environment come in as arguments.
 *
 * https://pip.pypa.io/en/stable/reference/requirements-file-format/
 */
import { TextDecoder } from 'node:util';

/** One logical line: the text after joining and comment removal, and where it started. */
export interface LogicalLine {
  /** 1-based line number of the first physical line. */
  readonly line: number;
  readonly text: string;
}

export class DecodeError extends Error {}

/** pip's COMMENT_RE: a `#` at the start of the line or after whitespace, to the end. */
const COMMENT_RE = /(?:^|\s+)#.*$/;
const STARTS_WITH_COMMENT_RE = /^(?:|\s+)#/;
/** Only `${NAME}` with upper-case letters, digits and `_` is expanded (POSIX style). */
const ENV_VAR_RE = /\$\{([A-Z0-9_]+)\}/g;
const CODING_RE = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/**
 * Decodes a requirements file as pip's `auto_decode` does: a byte-order mark wins (UTF-8,
 * UTF-16 LE/BE), then a PEP 263 `coding:` comment on the first two lines, else UTF-8.
 * Throws {@link DecodeError} when the bytes are not valid in that encoding.
 */
export function decodeRequirementsBytes(bytes: Uint8Array): string {
  const boms: Array<[number[], string]> = [
    [[0xef, 0xbb, 0xbf], 'utf-8'],
    [[0xff, 0xfe, 0x00, 0x00], 'utf-32le'],
    [[0x00, 0x00, 0xfe, 0xff], 'utf-32be'],
    [[0xff, 0xfe], 'utf-16le'],
    [[0xfe, 0xff], 'utf-16be'],
  ];
  for (const [bom, encoding] of boms) {
    if (bom.every((b, i) => bytes[i] === b)) {
      if (encoding.startsWith('utf-32')) {
        throw new DecodeError('UTF-32 encoded files are not supported; save it as UTF-8');
      }
      return strictDecode(bytes.subarray(bom.length), encoding);
    }
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 400)).split(/\r\n|\r|\n/, 2);
  for (const line of head) {
    const m = CODING_RE.exec(line);
    if (m) return strictDecode(bytes, (m[1] as string).toLowerCase());
  }
  return strictDecode(bytes, 'utf-8');
}

/** Python codec names that the WHATWG encoding labels spell differently. */
const PYTHON_CODECS: Record<string, string> = {
  'latin-1': 'latin1',
  latin_1: 'latin1',
  'iso-latin-1': 'latin1',
  utf8: 'utf-8',
  'utf-8-sig': 'utf-8',
  utf_8: 'utf-8',
};

function strictDecode(bytes: Uint8Array, encoding: string): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(PYTHON_CODECS[encoding] ?? encoding.replace(/_/g, '-'), {
      fatal: true,
    });
  } catch {
    throw new DecodeError(`unknown encoding '${encoding}'`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new DecodeError(`the file is not valid ${encoding.toUpperCase()}`);
  }
}

/** Python's `str.splitlines()` boundaries. */
// eslint-disable-next-line no-control-regex -- Python splits lines on these separators too
const LINE_BREAK_RE = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/**
 * Turns file text into logical lines: continuation lines joined (a line ending in `\` that
 * is not a comment), comments removed, blank lines dropped, `${VAR}` expanded from `env`
 * (unset variables are left as written, as pip does).
 */
export function logicalLines(
  text: string,
  env: Readonly<Record<string, string | undefined>> = {},
): LogicalLine[] {
  const physical = text.split(LINE_BREAK_RE);
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  const joined: LogicalLine[] = [];
  let pending: string[] = [];
  let pendingLine = 0;
  physical.forEach((raw, index) => {
    const lineNumber = index + 1;
    const isComment = STARTS_WITH_COMMENT_RE.test(raw);
    if (!raw.endsWith('\\') || isComment) {
      // A comment line ends a continuation; the leading space keeps it recognisable.
      const line = isComment ? ` ${raw}` : raw;
      if (pending.length > 0) {
        pending.push(line);
        joined.push({ line: pendingLine, text: pending.join('') });
        pending = [];
      } else {
        joined.push({ line: lineNumber, text: line });
      }
    } else {
      if (pending.length === 0) pendingLine = lineNumber;
      pending.push(raw.replace(/^\\+|\\+$/g, ''));
    }
  });
  if (pending.length > 0) joined.push({ line: pendingLine, text: pending.join('') });

  const result: LogicalLine[] = [];
  for (const { line, text: lineText } of joined) {
    const stripped = lineText.replace(COMMENT_RE, '').trim();
    if (!stripped) continue;
    const expanded = stripped.replace(ENV_VAR_RE, (whole, name: string) => env[name] ?? whole);
    result.push({ line, text: expanded });
  }
  return result;
}

/**
 * pip's `break_args_options`: the words before the first one starting with `-` are the
 * requirement, the rest are options.
 */
export function splitArgsAndOptions(line: string): { args: string; options: string } {
  const tokens = line.split(' ');
  const firstOption = tokens.findIndex((t) => t.startsWith('-'));
  if (firstOption < 0) return { args: line, options: '' };
  return {
    args: tokens.slice(0, firstOption).join(' '),
    options: tokens.slice(firstOption).join(' '),
  };
}

/** POSIX shell word splitting (Python's `shlex.split`), used for the option part of a line. */
export function shellSplit(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '\\"$`\n'.includes(text[i + 1] as string)) {
        current += text[++i];
      } else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new Error('No closing quotation');
  if (inWord) words.push(current);
  return words;
}
