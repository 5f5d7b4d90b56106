import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyChanges, TransactionError, type FileChange } from './transaction.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** Three files in two folders, each with its own permissions, and a change for each. */
function setup(): { root: string; changes: FileChange[]; originals: Map<string, string> } {
  const root = mkdtempSync(path.join(tmpdir(), 'pyaudit-tx-'));
  dirs.push(root);
  const files: Array<[string, string, number]> = [
    ['requirements.txt', 'jinja2==2.10\n-r sub/base.txt\n', 0o644],
    ['sub/base.txt', 'werkzeug==3.0.0\n', 0o600],
    ['constraints.txt', 'markupsafe==2.0.1\n', 0o640],
  ];
  const originals = new Map<string, string>();
  const changes = files.map(([name, text, mode]): FileChange => {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text, { flag: 'w' });
    chmodSync(file, mode);
    originals.set(file, text);
    return {
      file,
      before: Buffer.from(text),
      after: Buffer.from(text.replace(/==[^\n]+/, '==9.9')),
    };
  });
  return { root, changes, originals };
}

const snapshot = (files: Iterable<string>): Record<string, [string, number]> =>
  Object.fromEntries(
    [...files].map((f) => [f, [readFileSync(f, 'utf8'), statSync(f).mode & 0o777]]),
  );

describe('applyChanges', () => {
  it("replaces every file, keeping each one's permissions, and leaves no temporary file", async () => {
    const { root, changes } = setup();
    const modes = changes.map((c) => statSync(c.file).mode & 0o777);
    await applyChanges(changes);
    expect(changes.map((c) => readFileSync(c.file, 'utf8'))).toEqual([
      'jinja2==9.9\n-r sub/base.txt\n',
      'werkzeug==9.9\n',
      'markupsafe==9.9\n',
    ]);
    expect(changes.map((c) => statSync(c.file).mode & 0o777)).toEqual(modes);
    expect(readdirSync(root).sort()).toEqual(['constraints.txt', 'requirements.txt', 'sub']);
    expect(readdirSync(path.join(root, 'sub'))).toEqual(['base.txt']);
  });

  it('a file changed on disk after the first was replaced: nothing is overwritten, the first is restored', async () => {
    const { changes } = setup();
    const edited = 'werkzeug==3.0.0\nflask==2.3.3\n';
    const before = snapshot(changes.map((c) => c.file));
    await expect(
      applyChanges(changes, {
        beforeStep: (step) => {
          if (step === 1) writeFileSync(changes[1]!.file, edited); // someone else edits it
        },
      }),
    ).rejects.toThrow(
      new TransactionError(
        `${changes[1]!.file} changed on disk since it was read; it was not overwritten`,
        changes[1]!.file,
        [],
      ),
    );
    expect(snapshot(changes.map((c) => c.file))).toEqual({
      ...before,
      [changes[1]!.file]: [edited, 0o600],
    });
  });

  it('a folder that disappears in the middle of the fix: every file already changed is restored', async () => {
    const { root, changes } = setup();
    const before = snapshot([changes[0]!.file, changes[2]!.file]);
    let error: unknown;
    try {
      await applyChanges([changes[0]!, changes[2]!, changes[1]!], {
        beforeStep: (step) => {
          // After two files were replaced, the third one's folder is replaced by a file.
          if (step === 2) {
            rmSync(path.join(root, 'sub'), { recursive: true });
            writeFileSync(path.join(root, 'sub'), 'not a folder');
          }
        },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TransactionError);
    expect((error as TransactionError).message).toBe(`cannot write ${changes[1]!.file}: ENOTDIR`);
    expect((error as TransactionError).unrestored).toEqual([]);
    expect(snapshot([changes[0]!.file, changes[2]!.file])).toEqual(before);
    expect(readdirSync(root).sort()).toEqual(['constraints.txt', 'requirements.txt', 'sub']);
  });
});
