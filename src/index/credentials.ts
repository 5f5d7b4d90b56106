/**
 * Index credentials: from the URL's user info, else from `~/.netrc` (as pip and requests do),
 * sent as HTTP Basic auth. URLs shown anywhere go through {@link redactUrl} first.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Netrc {
  /** Host (or `default`) → login and password. */
  readonly machines: ReadonlyMap<string, { login: string; password: string }>;
}

/** Parses `.netrc` text: `machine H login L password P` tokens, plus `default`, `macdef` skipped. */
export function parseNetrc(text: string): Netrc {
  const machines = new Map<string, { login: string; password: string }>();
  const lines = text.split(/\r?\n/);
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^\s*macdef\b/.test(line)) {
      // A macro runs until an empty line.
      while (i + 1 < lines.length && (lines[i + 1] as string).trim() !== '') i++;
      continue;
    }
    if (/^\s*#/.test(line)) continue;
    tokens.push(...line.split(/\s+/).filter(Boolean));
  }
  let current: { host: string; login: string; password: string } | null = null;
  const flush = (): void => {
    if (current) machines.set(current.host, { login: current.login, password: current.password });
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'machine') {
      flush();
      current = { host: tokens[++i] ?? '', login: '', password: '' };
    } else if (t === 'default') {
      flush();
      current = { host: 'default', login: '', password: '' };
    } else if (current && t === 'login') current.login = tokens[++i] ?? '';
    else if (current && t === 'password') current.password = tokens[++i] ?? '';
    else if (current && t === 'account') i++;
  }
  flush();
  return { machines };
}

/** The netrc file pip would read: `NETRC`, else `~/.netrc` (`~/_netrc` on Windows). */
export function loadNetrc(env: Readonly<Record<string, string | undefined>>): Netrc | null {
  const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
  const candidates = env.NETRC
    ? [env.NETRC]
    : [path.join(home, '.netrc'), path.join(home, '_netrc')];
  for (const file of candidates) {
    try {
      return parseNetrc(readFileSync(file, 'utf8'));
    } catch {
      // no such file
    }
  }
  return null;
}

/** `https://user:secret@host/x` → `https://user:****@host/x` (pip's wording); `****@` without a password. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//****@');
  }
  if (!parsed.username && !parsed.password) return url;
  const user = parsed.password ? `${parsed.username}:****` : '****';
  parsed.username = '';
  parsed.password = '';
  return parsed.href.replace('//', `//${user}@`);
}

/** A URL without its user info, and the Authorization header to send instead. */
export function splitCredentials(
  url: string,
  netrc: Netrc | null,
): { url: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  let login = decodeURIComponent(parsed.username);
  let password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  if (!login && netrc && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) {
    const entry = netrc.machines.get(parsed.hostname) ?? netrc.machines.get('default');
    if (entry) ({ login, password } = entry);
  }
  if (!login && !password) return { url: parsed.href, headers: {} };
  return {
    url: parsed.href,
    headers: { authorization: `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}` },
  };
}
