/**
 * The name of a temporary file beside `file`, hidden, for writing it then renaming it over
 * `file`: unique among the processes of a machine (process id) and the calls of one process
 * (a counter), with a random part for machines sharing a folder. No crypto module needed.
 */
import path from 'node:path';

let counter = 0;

export function tempFileBeside(file: string): string {
  const unique = `${process.pid}.${(counter++).toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  return path.join(path.dirname(file), `.${path.basename(file)}.${unique}.tmp`);
}
