/**
 * Rewrites pins in a requirements file's text. Pure and byte-preserving: only the version of
 * the `==`/`===` clause of the requirement's own line changes (and, in hashed files, its
 * `--hash` values); comments, spacing, extras, markers, options, line continuations and line
 * endings stay as they are. A pin for a package the file does not declare (a vulnerable
 * transitive dependency) is appended as its own line, with a comment saying why.
 *
 * Line numbers are those the requirements parser reports: the first physical line of the
 * logical line (pip's `\` continuations joined).
 */
import { canonicalizeName } from '../standards/pep503.js';

export interface RequirementPinEdit {
  /** 1-based number of the first physical line of the requirement. */
  readonly line: number;
  /** The project, any spelling. */
  readonly name: string;
  readonly version: string;
  /** The new `--hash` values (`sha256:<hex>`): they replace the line's, when it has any. */
  readonly hashes?: readonly string[];
}

export interface AddedPin {
  readonly name: string;
  readonly version: string;
  readonly hashes?: readonly string[];
  /** Why it is pinned (the comment line above it, without `#`). */
  readonly reason: string;
}

export class RewriteError extends Error {}

/** Python's `str.splitlines()` boundaries, as the parser splits. */
// eslint-disable-next-line no-control-regex -- the same separators as the parser
const LINE_BREAK_RE = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;

interface PhysicalLine {
  readonly start: number;
  /** The text without its line break. */
  readonly text: string;
  /** The line break that ends it ("" for the last line without one). */
  readonly eol: string;
}

function physicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  let start = 0;
  for (const m of text.matchAll(LINE_BREAK_RE)) {
    lines.push({ start, text: text.slice(start, m.index), eol: m[0] });
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push({ start, text: text.slice(start), eol: '' });
  return lines;
}

const isCommentLine = (line: string): boolean => /^\s*#/.test(line);

/** The physical lines of the logical line that starts at `line` (1-based). */
function logicalSpan(lines: readonly PhysicalLine[], line: number): PhysicalLine[] {
  const span: PhysicalLine[] = [];
  for (let i = line - 1; i < lines.length; i++) {
    const current = lines[i] as PhysicalLine;
    span.push(current);
    if (!current.text.endsWith('\\') || isCommentLine(current.text)) break;
  }
  return span;
}

/**
 * The span's code with comments blanked out (same length, so offsets stay true): a `#` at the
 * start or after whitespace hides the rest of its physical line, as pip's COMMENT_RE does.
 */
function maskComments(span: readonly PhysicalLine[], base: number, text: string): string {
  const end = span.length > 0 ? spanEnd(span) : base;
  let masked = text.slice(base, end);
  for (const line of span) {
    const m = /(?:^|\s)#/.exec(line.text);
    if (!m) continue;
    const from = line.start - base + m.index;
    const to = line.start - base + line.text.length;
    masked = masked.slice(0, from) + ' '.repeat(to - from) + masked.slice(to);
  }
  return masked;
}

function spanEnd(span: readonly PhysicalLine[]): number {
  const last = span[span.length - 1] as PhysicalLine;
  return last.start + last.text.length;
}

interface Replacement {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The replacements for one edit, in the file's offsets. */
function editReplacements(
  text: string,
  lines: readonly PhysicalLine[],
  edit: RequirementPinEdit,
): Replacement[] {
  const span = logicalSpan(lines, edit.line);
  if (span.length === 0) throw new RewriteError(`line ${edit.line} does not exist`);
  const base = (span[0] as PhysicalLine).start;
  const code = maskComments(span, base, text);
  const name = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(code);
  if (!name || canonicalizeName(name[1] as string) !== canonicalizeName(edit.name)) {
    throw new RewriteError(`line ${edit.line} is not a requirement for ${edit.name}`);
  }
  // The pin is in the specifier part: before the marker and before any option.
  const after = name[0].length;
  const stop = code.slice(after).search(/;|(?:^|\s)-/);
  const specifier = code.slice(after, stop < 0 ? undefined : after + stop);
  const pin = /(===|==)(\s*)([^\s,;\\]+)/.exec(specifier);
  if (!pin || (pin[1] === '==' && (pin[3] as string).endsWith('.*'))) {
    throw new RewriteError(`line ${edit.line} does not pin ${edit.name} with ==`);
  }
  const versionStart =
    base + after + pin.index + (pin[1] as string).length + (pin[2] as string).length;
  const replacements: Replacement[] = [
    { start: versionStart, end: versionStart + (pin[3] as string).length, text: edit.version },
  ];
  const hashes = [...code.matchAll(/--hash(?:=|[ \t]+)([A-Za-z0-9]+:[0-9A-Fa-f]+)/g)].map((m) => ({
    token: base + m.index,
    value: base + m.index + m[0].length - (m[1] as string).length,
    end: base + m.index + m[0].length,
  }));
  if (edit.hashes !== undefined && hashes.length > 0) {
    const next = edit.hashes;
    const keep = Math.min(hashes.length, next.length);
    for (let i = 0; i < keep; i++) {
      const h = hashes[i] as (typeof hashes)[number];
      replacements.push({ start: h.value, end: h.end, text: next[i] as string });
    }
    const last = hashes[hashes.length - 1] as (typeof hashes)[number];
    if (next.length > hashes.length) {
      // More files now: repeat the layout between the last two hashes (or one space).
      const prev = hashes[hashes.length - 2];
      const separator = prev ? text.slice(prev.end, last.token) : ' ';
      const option = text.slice(last.token, last.value);
      const extra = next
        .slice(hashes.length)
        .map((h) => `${separator}${option}${h}`)
        .join('');
      replacements.push({ start: last.end, end: last.end, text: extra });
    } else if (next.length < hashes.length) {
      // Fewer files: drop the surplus hashes with the separator before each.
      const lastKept = hashes[keep - 1];
      const from = lastKept ? lastKept.end : (hashes[0] as (typeof hashes)[number]).token;
      replacements.push({ start: from, end: last.end, text: '' });
    }
  } else if (edit.hashes !== undefined && edit.hashes.length > 0 && hashes.length === 0) {
    throw new RewriteError(`line ${edit.line} has no --hash to replace`);
  }
  return replacements;
}

function appendedLines(text: string, added: readonly AddedPin[]): string {
  if (added.length === 0) return '';
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const lead = text === '' || /[\n\r]$/.test(text) ? '' : eol;
  return (
    lead +
    added
      .map((a) => {
        const hashes = (a.hashes ?? []).map((h) => ` \\${eol}    --hash=${h}`).join('');
        return `# ${a.reason}${eol}${a.name}==${a.version}${hashes}${eol}`;
      })
      .join('')
  );
}

/** The file's text with the edits applied and the added pins appended. */
export function rewriteRequirements(
  text: string,
  edits: readonly RequirementPinEdit[],
  added: readonly AddedPin[] = [],
): string {
  const lines = physicalLines(text);
  const replacements = edits
    .flatMap((e) => editReplacements(text, lines, e))
    .sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Infinity;
  for (const r of replacements) {
    if (r.end > limit) throw new RewriteError('two edits touch the same requirement');
    out = out.slice(0, r.start) + r.text + out.slice(r.end);
    limit = r.start;
  }
  return out + appendedLines(text, added);
}
