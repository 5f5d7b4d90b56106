import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeverityAudit, type SeverityAudit } from '../../../test/helpers/severity-audit.js';
import { escapeHtml, severityChart } from './index.js';

const CHROMIUM = '/usr/bin/chromium';

let audit: SeverityAudit;
let temp: string;
let html: string;

beforeAll(async () => {
  audit = await startSeverityAudit();
  temp = await mkdtemp(path.join(tmpdir(), 'pyaudit-html-'));
  // low-pkg's finding has no fix: --ignore-unfixed keeps it as an ignored row.
  const result = await audit.run(['.', '-f', 'html', '--ignore-unfixed']);
  expect(result.code).toBe(1);
  html = result.stdout;
});
afterAll(async () => {
  await audit.close();
  // PYAUDIT_KEEP_TEST_OUTPUT=1 keeps the page and its screenshot for review.
  if (process.env.PYAUDIT_KEEP_TEST_OUTPUT === '1') console.warn(`[pyaudit tests] kept ${temp}`);
  else await rm(temp, { recursive: true, force: true });
});

describe('html report: the page', () => {
  it('is one self-contained document: no external script, style, image or font, and a CSP that forbids fetching', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/]+=*'; img-src data:; form-action 'none'; base-uri 'none'">/,
    );
    expect(html).not.toMatch(/<(script|img|iframe|link|object|embed)\b[^>]*\b(src|href)=/i);
    expect(html).not.toMatch(/url\(/);
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('escapes hostile advisory text', () => {
    expect(html).toContain(
      '<td class="desc">&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;quoted&quot; &lt;/td&gt;</td>',
    );
    expect(html).not.toContain('<img src=x');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });

  it('has the summary, one row per finding (ignored ones marked), links and the skipped list', () => {
    expect(html).toContain(
      '<p class="headline" id="headline">Found 6 known vulnerabilities in 6 packages</p>',
    );
    expect(html).toContain(
      '<p class="facts">8 dependencies audited · <a href="#skipped">1 not audited</a> · 1 left out on purpose · 1 ignored · sources: osv</p>',
    );
    const rows = [...html.matchAll(/<tr data-severity="([a-z]+)"( data-ignored="true")?/g)].map(
      (m) => `${m[1]}${m[2] ? ' (ignored)' : ''}`,
    );
    expect(rows).toEqual([
      'malicious',
      'malicious',
      'critical',
      'high',
      'medium',
      'low (ignored)',
      'unknown',
    ]);
    expect(html).toContain(
      '<a href="https://osv.dev/vulnerability/PYSEC-2099-101" rel="noopener noreferrer">PYSEC-2099-101</a>',
    );
    expect(html).toContain(
      '<a href="https://example.org/advisories/crit-pkg-rce" rel="noopener noreferrer">[1]</a>',
    );
    expect(html).toContain('<td>high-pkg → med-pkg</td>');
    expect(html).toContain(
      '<tr><td>local-thing</td><td>installed from directory vendor/local-thing and the lock gives no version</td><td><code>uv.lock:43</code></td></tr>',
    );
    expect(html).toContain('<div class="muted">ignored: no fix version (--ignore-unfixed)</div>');
  });

  it('draws the counts by severity as bars scaled to the largest', () => {
    const chart = severityChart(
      new Map([
        ['critical', 4],
        ['low', 1],
      ]),
    );
    expect(
      [
        ...chart.matchAll(/<g data-level="(\w+)">.*?width="(\d+)".*?class="count"[^>]*>(\d+)</g),
      ].map((m) => [m[1], Number(m[2]), Number(m[3])]),
    ).toEqual([
      ['malicious', 0, 0],
      ['critical', 300, 4],
      ['high', 0, 0],
      ['medium', 0, 0],
      ['low', 75, 1],
      ['unknown', 0, 0],
    ]);
  });
});

/** Headless Chromium (Debian's `chromium`), or a visible skip outside CI. */
const describeBrowser = (name: string, body: () => void): void => {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs chromium', () => {
        throw new Error(
          `${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium)`,
        );
      });
    });
    return;
  }
  console.warn(
    `[pyaudit tests] skipping "${name}": ${CHROMIUM} not found (apt-get install chromium)`,
  );
  describe.skip(name, body);
};

describeBrowser('html report in headless Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    const file = path.join(temp, 'report.html');
    await writeFile(file, html);
    context = await chromium.launchPersistentContext(path.join(temp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      // Chromium's own files (dconf, caches) go into the test's folder, never the user's.
      env: {
        ...process.env,
        HOME: temp,
        XDG_CACHE_HOME: path.join(temp, 'cache'),
        XDG_CONFIG_HOME: path.join(temp, 'config'),
        XDG_DATA_HOME: path.join(temp, 'data'),
      },
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href);
  }, 60_000);
  afterAll(async () => {
    await context?.close();
  });

  const visibleRows = async (): Promise<string[]> =>
    page
      .locator('#findings tbody tr:visible')
      .evaluateAll((rows) => rows.map((r) => r.children[1]!.textContent!));

  it('renders the rows, the counts and the chart, loading nothing and running no injected script', async () => {
    expect(await visibleRows()).toEqual([
      'evil-pkg',
      'typo-pkg',
      'crit-pkg',
      'high-pkg',
      'med-pkg',
      'unknown-pkg',
    ]);
    expect(await page.locator('#showing').textContent()).toBe('Showing 6 of 6 findings');
    expect(
      await page
        .locator('svg.chart g')
        .evaluateAll((groups) =>
          groups.map(
            (g) => `${g.getAttribute('data-level')} ${g.querySelector('.count')!.textContent}`,
          ),
        ),
    ).toEqual(['malicious 2', 'critical 1', 'high 1', 'medium 1', 'low 0', 'unknown 1']);
    expect(await page.locator('#headline').textContent()).toBe(
      'Found 6 known vulnerabilities in 6 packages',
    );
    expect(requests).toEqual([pathToFileURL(path.join(temp, 'report.html')).href]);
    expect(problems).toEqual([]);
  });

  it('filters by severity, by text, and shows ignored findings on demand', async () => {
    await page.locator('input[name="severity"][value="malicious"]').click();
    expect(await visibleRows()).toEqual(['crit-pkg', 'high-pkg', 'med-pkg', 'unknown-pkg']);
    expect(await page.locator('#showing').textContent()).toBe('Showing 4 of 6 findings');
    await page.locator('#search').fill('CVE-2099-1003');
    expect(await visibleRows()).toEqual(['med-pkg']);
    await page.locator('#search').fill('');
    await page.locator('#show-ignored').click();
    expect(await visibleRows()).toEqual([
      'crit-pkg',
      'high-pkg',
      'med-pkg',
      'low-pkg',
      'unknown-pkg',
    ]);
    expect(await page.locator('#showing').textContent()).toBe('Showing 5 of 7 findings');
    await page.locator('input[name="severity"][value="malicious"]').click();
    await page.locator('#show-ignored').click();
  });

  it('sorts by a column, both ways', async () => {
    await page.locator('th[data-column="1"] button').click();
    expect(await visibleRows()).toEqual([
      'crit-pkg',
      'evil-pkg',
      'high-pkg',
      'med-pkg',
      'typo-pkg',
      'unknown-pkg',
    ]);
    await page.locator('th[data-column="0"] button').click();
    expect((await visibleRows()).slice(0, 3)).toEqual(['unknown-pkg', 'med-pkg', 'high-pkg']);
    await page.locator('th[data-column="0"] button').click();
    expect((await visibleRows()).slice(0, 3)).toEqual(['evil-pkg', 'typo-pkg', 'crit-pkg']);
    expect(await page.locator('th[data-column="0"]').getAttribute('aria-sort')).toBe('descending');
  });

  it('saves a screenshot for review', async () => {
    const shot = path.join(temp, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
  });
});
