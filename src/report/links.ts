/** Where report formats link names and ids to. */
export function projectUrl(name: string): string {
  return `https://pypi.org/project/${name}/`;
}

export function vulnerabilityUrl(id: string): string {
  return `https://osv.dev/vulnerability/${id}`;
}
