/**
 * A unified diff of two texts (`--fix --dry-run`), in the layout `diff -u` and `git apply`
 * read: `---`/`+++` headers, `@@ -a,b +c,d @@` hunks with three lines of context. Pure.
 */

const CONTEXT = 3;

/** Lines with their terminators, so a change of line ending shows as a change. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Line operations turning `a` into `b`: common ends trimmed, the middle by longest common subsequence. */
function operations(a: readonly string[], b: readonly string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  // lcs[i][j]: the longest common subsequence of midA[i..] and midB[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (lcs[i] as number[])[j] =
        midA[i] === midB[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, (lcs[i] as number[])[j + 1] as number);
  const ops: Op[] = a.slice(0, start).map((line) => ({ kind: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      ops.push({ kind: ' ', line: midA[i++] as string });
      j++;
    } else if (
      j < m &&
      (i === n ||
        ((lcs[i] as number[])[j + 1] as number) >= ((lcs[i + 1] as number[])[j] as number))
    ) {
      ops.push({ kind: '+', line: midB[j++] as string });
    } else {
      ops.push({ kind: '-', line: midA[i++] as string });
    }
  }
  for (const line of a.slice(endA)) ops.push({ kind: ' ', line });
  // Deletions before insertions within a change, as diff prints them.
  for (let k = 1; k < ops.length; k++) {
    let p = k;
    while (p > 0 && (ops[p] as Op).kind === '-' && (ops[p - 1] as Op).kind === '+') {
      [ops[p - 1], ops[p]] = [ops[p] as Op, ops[p - 1] as Op];
      p--;
    }
  }
  return ops;
}

const range = (start: number, count: number): string =>
  count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;

/** The unified diff, or "" when the texts are equal. */
export function unifiedDiff(
  before: string,
  after: string,
  fromName: string,
  toName: string,
): string {
  if (before === after) return '';
  const ops = operations(splitLines(before), splitLines(after));
  const changed = ops.flatMap((op, k) => (op.kind === ' ' ? [] : [k]));
  // Group changes whose context overlaps into hunks.
  const hunks: Array<[number, number]> = [];
  for (const k of changed) {
    const last = hunks[hunks.length - 1];
    if (last && k - last[1] <= 2 * CONTEXT) last[1] = k;
    else hunks.push([k, k]);
  }
  let out = `--- ${fromName}\n+++ ${toName}\n`;
  for (const [first, lastChange] of hunks) {
    const from = Math.max(0, first - CONTEXT);
    const to = Math.min(ops.length - 1, lastChange + CONTEXT);
    let oldStart = 1;
    let newStart = 1;
    for (let k = 0; k < from; k++) {
      if ((ops[k] as Op).kind !== '+') oldStart++;
      if ((ops[k] as Op).kind !== '-') newStart++;
    }
    const body = ops.slice(from, to + 1);
    const oldCount = body.filter((op) => op.kind !== '+').length;
    const newCount = body.filter((op) => op.kind !== '-').length;
    out += `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`;
    for (const op of body) {
      out += `${op.kind}${op.line}`;
      if (!op.line.endsWith('\n')) out += '\n\\ No newline at end of file\n';
    }
  }
  return out;
}
