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
  return new PyauditError('service', reason, { url: redactUrl(url) }, { cause });
}

/** A URL without its user name and password (`https://***@host/…`), for logs and errors. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@');
}

/** What a user or the environment can cause, said as a sentence with what to do. */
const SYSTEM_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied; check the permissions or choose another path',
  EPERM: 'operation not permitted; check the permissions or choose another path',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of this path is not a folder',
  EISDIR: 'this is a folder, not a file',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files; raise the limit (ulimit -n)',
  ENFILE: 'too many open files on the system',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'an input/output error from the device',
  EPIPE: 'the reader closed the pipe',
  EBUSY: 'the file is busy',
  EXDEV: 'cannot move across devices',
  EADDRINUSE: 'the address is already in use; choose another --port or stop what holds it',
  EADDRNOTAVAIL: 'this address does not belong to this machine; check --host',
  ENOTFOUND: 'cannot resolve the host name',
  EAI_AGAIN: 'cannot resolve the host name (temporary DNS failure)',
  ECONNREFUSED: 'cannot connect (connection refused)',
};

/** A file-system error in words with its code (`permission denied … (EACCES)`), else its message. */
export function describeSystemError(error: unknown): string {
  const code = systemErrorCode(error);
  return code !== undefined ? `${SYSTEM_REASONS[code]} (${code})` : (error as Error).message;
}

/** The Node.js error code of a system error (`EACCES` …), if it is one. */
export function systemErrorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code in SYSTEM_REASONS ? code : undefined;
}

/**
 * A system error as a one-line `PyauditError`: the reason in words with its code, located at
 * `file` (else the error's own path). Anything else is returned unchanged.
 */
export function fromSystemError(error: unknown, file?: string, doing?: string): unknown {
  if (error instanceof PyauditError) return error;
  const code = systemErrorCode(error);
  if (code === undefined) return error;
  const where = file ?? (error as NodeJS.ErrnoException).path;
  const reason = `${doing ? `${doing}: ` : ''}${SYSTEM_REASONS[code]} (${code})`;
  return new PyauditError('input', reason, where !== undefined ? { file: where } : undefined, {
    cause: error,
  });
}
