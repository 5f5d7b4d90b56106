/**
 * Which proxy, if any, a URL goes through, by the conventions curl, pip and requests share:
 * `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http URLs (either case), and `NO_PROXY`
 * (comma-separated hosts, `.domain` or `domain` suffixes, `host:port`, or `*`) to bypass.
 */
import { PyauditError } from '../core/errors.js';

function variable(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Whether `NO_PROXY` exempts this host (and port). */
export function bypassesProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const [entryHost, entryPort] = entry.startsWith('[')
      ? [entry.slice(1, entry.indexOf(']')), entry.slice(entry.indexOf(']') + 2) || undefined]
      : (entry.split(':') as [string, string | undefined]);
    if (entryPort && entryPort !== port) continue;
    const domain = entryHost.replace(/^\*?\./, '');
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** The proxy URL for a request, or `null` to connect directly. */
export function proxyFor(
  target: URL,
  env: Readonly<Record<string, string | undefined>>,
): URL | null {
  const value =
    target.protocol === 'https:' ? variable(env, 'https_proxy') : variable(env, 'http_proxy');
  if (!value || bypassesProxy(target, variable(env, 'no_proxy'))) return null;
  try {
    return new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    const name = target.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
    throw new PyauditError('input', `${name} is not a valid proxy URL: ${value}`);
  }
}
