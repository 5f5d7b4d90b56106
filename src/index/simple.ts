/**
 * The simple repository API, both serializations: PEP 691 JSON and PEP 503 HTML (with the
 * PEP 592 `data-yanked`, PEP 503 `data-requires-python`, PEP 658/714 `data-core-metadata`
 * attributes), read into one project-page shape. Pure: URLs are resolved against the page's.
 */

/** One file on a project page. */
export interface IndexFile {
  readonly filename: string;
  /** Absolute URL, fragment removed. */
  readonly url: string;
  /** Hash name → lower-case hex digest (from `hashes` or the URL fragment). */
  readonly hashes: Readonly<Record<string, string>>;
  readonly requiresPython: string | null;
  /** PEP 592: `false`, or the reason (possibly empty). */
  readonly yanked: false | string;
  /** PEP 658/714: whether `{url}.metadata` exists, and its hashes when given. */
  readonly coreMetadata: false | Readonly<Record<string, string>>;
}

export interface ProjectPage {
  readonly files: readonly IndexFile[];
  /** PEP 700 `versions`, when the index lists them. */
  readonly versions?: readonly string[];
  /** PEP 792 project status (`active`, `archived`, `quarantined`, `deprecated`). */
  readonly status?: string;
}

export const PEP691_JSON = 'application/vnd.pypi.simple.v1+json';
export const PEP691_HTML = 'application/vnd.pypi.simple.v1+html';
/** Content negotiation as pip asks: JSON preferred, HTML accepted. */
export const SIMPLE_ACCEPT = `${PEP691_JSON}, ${PEP691_HTML};q=0.2, text/html;q=0.01`;

export class IndexPageError extends Error {}

function stripFragment(url: string): { url: string; fragment: string } {
  const hash = url.indexOf('#');
  return hash < 0
    ? { url, fragment: '' }
    : { url: url.slice(0, hash), fragment: url.slice(hash + 1) };
}

function fragmentHashes(fragment: string): Record<string, string> {
  const m = /^(sha1|sha224|sha384|sha256|sha512|md5)=([0-9a-fA-F]+)$/.exec(fragment);
  return m ? { [m[1] as string]: (m[2] as string).toLowerCase() } : {};
}

function resolveUrl(href: string, base: string): string {
  try {
    return new URL(href, base).href;
  } catch {
    throw new IndexPageError(`invalid file URL ${href}`);
  }
}

function filenameOf(url: string): string {
  const pathname = new URL(url).pathname;
  return decodeURIComponent(pathname.slice(pathname.lastIndexOf('/') + 1));
}

/** PEP 691 JSON. */
export function parseJsonPage(text: string, pageUrl: string): ProjectPage {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new IndexPageError('the project page is not valid JSON');
  }
  if (
    typeof data !== 'object' ||
    data === null ||
    !Array.isArray((data as { files?: unknown }).files)
  )
    throw new IndexPageError('the project page has no "files" list (PEP 691)');
  const page = data as {
    files: Array<Record<string, unknown>>;
    versions?: unknown;
    'project-status'?: { status?: unknown };
  };
  const files: IndexFile[] = [];
  for (const f of page.files) {
    if (typeof f.filename !== 'string' || typeof f.url !== 'string') continue;
    const { url, fragment } = stripFragment(resolveUrl(f.url, pageUrl));
    const hashes: Record<string, string> = {};
    if (typeof f.hashes === 'object' && f.hashes !== null) {
      for (const [k, v] of Object.entries(f.hashes))
        if (typeof v === 'string') hashes[k] = v.toLowerCase();
    }
    Object.assign(hashes, Object.keys(hashes).length === 0 ? fragmentHashes(fragment) : {});
    const yanked = f.yanked === true ? '' : typeof f.yanked === 'string' ? f.yanked : false;
    // PEP 714 renamed `dist-info-metadata` to `core-metadata`; read both.
    const meta = f['core-metadata'] ?? f['dist-info-metadata'];
    const coreMetadata =
      meta === true
        ? {}
        : typeof meta === 'object' && meta !== null
          ? Object.fromEntries(
              Object.entries(meta).filter((e): e is [string, string] => typeof e[1] === 'string'),
            )
          : false;
    files.push({
      filename: f.filename,
      url,
      hashes,
      requiresPython: typeof f['requires-python'] === 'string' ? f['requires-python'] : null,
      yanked,
      coreMetadata,
    });
  }
  const versions = Array.isArray(page.versions)
    ? page.versions.filter((v): v is string => typeof v === 'string')
    : undefined;
  const status = page['project-status']?.status;
  return {
    files,
    ...(versions && { versions }),
    ...(typeof status === 'string' && { status }),
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X'
          ? parseInt(entity.slice(2), 16)
          : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

function attributes(tag: string): Map<string, string | true> {
  const attrs = new Map<string, string | true>();
  const re = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (const m of tag.matchAll(re)) {
    const value = m[2] ?? m[3] ?? m[4];
    attrs.set((m[1] as string).toLowerCase(), value === undefined ? true : unescapeHtml(value));
  }
  return attrs;
}

/** The anchors of an HTML page: href and attributes (PEP 503; also `--find-links` pages). */
export function htmlAnchors(
  text: string,
  pageUrl: string,
): Array<{ url: string; fragment: string; attrs: Map<string, string | true> }> {
  let base = pageUrl;
  const baseTag = /<base\s([^>]*)>/i.exec(text);
  if (baseTag) {
    const href = attributes(baseTag[1] as string).get('href');
    if (typeof href === 'string') base = resolveUrl(href, pageUrl);
  }
  const anchors = [];
  for (const m of text.matchAll(/<a\s([^>]*)>/gi)) {
    const attrs = attributes(m[1] as string);
    const href = attrs.get('href');
    if (typeof href !== 'string') continue;
    const { url, fragment } = stripFragment(resolveUrl(href, base));
    anchors.push({ url, fragment, attrs });
  }
  return anchors;
}

/** PEP 503 HTML. */
export function parseHtmlPage(text: string, pageUrl: string): ProjectPage {
  const files: IndexFile[] = [];
  for (const { url, fragment, attrs } of htmlAnchors(text, pageUrl)) {
    const rp = attrs.get('data-requires-python');
    const yanked = attrs.get('data-yanked');
    const meta = attrs.get('data-core-metadata') ?? attrs.get('data-dist-info-metadata');
    files.push({
      filename: filenameOf(url),
      url,
      hashes: fragmentHashes(fragment),
      requiresPython: typeof rp === 'string' && rp.trim() !== '' ? rp : null,
      yanked: yanked === undefined ? false : yanked === true ? '' : yanked,
      coreMetadata:
        meta === undefined || meta === 'false'
          ? false
          : meta === true || meta === 'true'
            ? {}
            : fragmentHashes(meta),
    });
  }
  // PEP 792 in HTML: <meta name="pypi:project-status" content="archived">.
  const meta = /<meta\s[^>]*name=["']pypi:project-status["'][^>]*>/i.exec(text);
  const status = meta ? /content=["']([^"']*)["']/i.exec(meta[0])?.[1] : undefined;
  return { files, ...(status !== undefined && { status }) };
}

/** Reads a page by its content type (PEP 691 content negotiation). */
export function parseProjectPage(text: string, contentType: string, pageUrl: string): ProjectPage {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === PEP691_JSON || type === 'application/json') return parseJsonPage(text, pageUrl);
  if (type === PEP691_HTML || type === 'text/html' || type === '')
    return parseHtmlPage(text, pageUrl);
  throw new IndexPageError(`unexpected content type ${type} for a project page`);
}
