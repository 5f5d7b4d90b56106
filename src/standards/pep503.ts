/**
 * PEP 503 name normalization: runs of `-`, `_` and `.` become one `-`, lower-cased.
 * https://peps.python.org/pep-0503/#normalized-names
 */
export function canonicalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** Core metadata's valid project name (PEP 508 §Names), ASCII letters, digits, `._-`. */
const VALID_NAME_RE = /^(?:[a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$/i;

export function isValidProjectName(name: string): boolean {
  return VALID_NAME_RE.test(name);
}
