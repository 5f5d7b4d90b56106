/**
 * Errors that end a run with exit code 2. Each names where the problem is (a file and line,
 * or a URL) so the CLI can print one line a user can act on.
 */

export type ErrorLocation =
  { readonly file: string; readonly line?: number } | { readonly url: string };

/** input: a file or argument is wrong; service: a vulnerability service failed; usage: flags. */
export type ErrorKind = 'input' | 'service' | 'usage' | 'policy';

function locate(reason: string, location?: ErrorLocation): string {
  if (!location) return reason;
  if ('url' in location) return `${location.url}: ${reason}`;
  return location.line !== undefined
    ? `${location.file}:${location.line}: ${reason}`
    : `${location.file}: ${reason}`;
}

export class PyauditError extends Error {
  /**
   * @param reason what is wrong, without the location
   * The `message` is `file:line: reason`, `url: reason` or the reason alone.
   */
  constructor(
    readonly kind: ErrorKind,
    readonly reason: string,
    readonly location?: ErrorLocation,
    options?: { cause?: unknown },
  ) {
    super(locate(reason, location), options);
    this.name = 'PyauditError';
  }
}

export function inputError(reason: string, file: string, line?: number): PyauditError {
  return new PyauditError('input', reason, line === undefined ? { file } : { file, line });
}

export function serviceError(reason: string, url: string, cause?: unknown): PyauditError {
  return new PyauditError('service', reason, { url }, { cause });
}
