/**
 * The OSV service (https://osv.dev/docs/): `POST /v1/querybatch` for ids, in chunks of at
 * most 1,000 queries with per-query `next_page_token` pagination, then the full records
 * through concurrent `GET /v1/vulns/{id}` on the shared keep-alive client. Records can be
 * kept in a cache directory keyed by id and `modified`, so a repeat audit fetches only what
 * changed, and their summaries (what each package reports of them) in one more file, which a
 * warm audit reads instead of the records.
 */
import type { QueryCache } from '../../cache/queries.js';
import { recordCache, type RecordCache } from '../../cache/records.js';
import type { SummaryCache } from '../../cache/summaries.js';
import type { ResolvedDependency } from '../../core/dependency.js';
import { PyauditError, serviceError } from '../../core/errors.js';
import type { HttpClient } from '../../http/client.js';
import { osvRecordProblem, PYPI_ECOSYSTEM, type OsvRecord } from '../../standards/osv.js';
import { mapLimit } from '../concurrency.js';
import { fromSummary, summarizeRecord } from '../record.js';
import type { ArraySource, QueryProgress, Vulnerability } from '../types.js';

export const DEFAULT_OSV_URL = 'https://api.osv.dev';
export const QUERYBATCH_LIMIT = 1000;
/** Cached records read between two turns of the event loop while the batch is in flight. */
const READ_AHEAD_SLICE = 16;

export interface OsvServiceOptions {
  readonly http: HttpClient;
  /** A base URL (`https://api.osv.dev`) or pip-audit's full query URL (`…/v1/query`). */
  readonly url?: string;
  /** Most `/v1/vulns/{id}` requests in flight at once (default 64). */
  readonly concurrency?: number;
  /** A directory for cached records (`--cache-dir`); none when absent. */
  readonly cacheDir?: string;
  /** A record cache (the CLI's default one); wins over `cacheDir`. */
  readonly cache?: RecordCache;
  /** Recent query answers (the CLI's default one): a hit sends no querybatch for that package. */
  readonly queryCache?: QueryCache;
  /** Records as each package reports them (the CLI's default one): read before record files. */
  readonly summaries?: SummaryCache;
}

/** Accepts `https://host`, `https://host/`, or pip-audit's `https://host/v1/query`. */
export function osvBaseUrl(url: string): string {
  let base = url.replace(/\/+$/, '');
  if (base.endsWith('/v1/query')) base = base.slice(0, -'/v1/query'.length);
  return base;
}

/** A record the last answers named: its `modified` then, and the packages that named it. */
interface Hint {
  readonly modified: string;
  readonly names: Set<string>;
}

/** A record as what each package that named it reports. */
interface Reported {
  readonly modified: string | undefined;
  readonly withdrawn: boolean;
  readonly byName: ReadonlyMap<string, Vulnerability>;
}

interface BatchQuery {
  package: { name: string; ecosystem: string };
  version: string;
  page_token?: string;
}

interface BatchResponse {
  results?: Array<{ vulns?: Array<{ id: string; modified?: string }>; next_page_token?: string }>;
}

export function createOsvService(options: OsvServiceOptions): ArraySource {
  const base = osvBaseUrl(options.url ?? DEFAULT_OSV_URL);
  const { http } = options;
  const concurrency = options.concurrency ?? 64;
  const cache =
    options.cache ?? (options.cacheDir !== undefined ? recordCache(options.cacheDir) : undefined);
  const { summaries } = options;

  async function querybatch(
    queries: BatchQuery[],
    onSent?: () => void,
  ): Promise<NonNullable<BatchResponse['results']>> {
    const url = `${base}/v1/querybatch`;
    const response = await http.postJson(
      url,
      { queries },
      { idempotent: true, ...(onSent && { onSent }) },
    );
    if (response.status !== 200) {
      throw serviceError(`HTTP ${response.status} from the OSV querybatch API`, url);
    }
    const body = http.json<BatchResponse | null>(response, url) ?? {};
    if (!Array.isArray(body.results) || body.results.length !== queries.length) {
      throw serviceError(
        `the OSV querybatch API answered ${Array.isArray(body.results) ? body.results.length : 'no'} results for ${queries.length} queries`,
        url,
      );
    }
    return body.results;
  }

  /**
   * Every vulnerability id (with `modified`) for each query, following pagination; `onSent`
   * when the first batch has been handed to the connection.
   */
  async function collectIds(
    queries: BatchQuery[],
    onSent?: () => void,
  ): Promise<Array<Map<string, string | undefined>>> {
    const ids = queries.map(() => new Map<string, string | undefined>());
    let pending = queries.map((query, index) => ({ query, index }));
    while (pending.length > 0) {
      const chunks: Array<typeof pending> = [];
      for (let i = 0; i < pending.length; i += QUERYBATCH_LIMIT)
        chunks.push(pending.slice(i, i + QUERYBATCH_LIMIT));
      const answers = await Promise.all(
        chunks.map((chunk) =>
          querybatch(
            chunk.map((c) => c.query),
            onSent,
          ),
        ),
      );
      const next: typeof pending = [];
      answers.forEach((results, c) => {
        results.forEach((result, i) => {
          const item = (chunks[c] as typeof pending)[i] as (typeof pending)[number];
          const vulns: unknown = result?.vulns ?? [];
          if (!Array.isArray(vulns) || vulns.some((v) => typeof v?.id !== 'string'))
            throw serviceError(
              'the OSV querybatch API answered a result without vulnerability ids',
              `${base}/v1/querybatch`,
            );
          for (const v of vulns as Array<{ id: string; modified?: string }>)
            ids[item.index]?.set(v.id, typeof v.modified === 'string' ? v.modified : undefined);
          if (result?.next_page_token) {
            next.push({
              index: item.index,
              query: { ...queries[item.index]!, page_token: result.next_page_token },
            });
          }
        });
      });
      pending = next;
    }
    return ids;
  }

  async function fetchRecord(id: string, modified: string | undefined): Promise<OsvRecord> {
    const cached = (await cache?.get(id, modified)) ?? null;
    if (cached) return cached;
    const url = `${base}/v1/vulns/${encodeURIComponent(id)}`;
    const response = await http.get(url);
    if (response.status !== 200)
      throw serviceError(`HTTP ${response.status} for the OSV record ${id}`, url);
    const record = http.json<OsvRecord | null>(response, url);
    if (record === null || typeof record !== 'object' || record.id !== id)
      throw serviceError(
        `asked for ${id}, the OSV API answered ${typeof record?.id === 'string' ? record.id : 'something else'}`,
        url,
      );
    const problem = osvRecordProblem(record);
    if (problem !== null) throw serviceError(`not a valid OSV record: ${problem}`, url);
    await cache?.put(record);
    return record;
  }

  /** The record as these packages report it, from the summaries when all of them are there. */
  function fromSummaries(
    id: string,
    modified: string | undefined,
    names: ReadonlySet<string>,
  ): Reported | undefined {
    if (!summaries || modified === undefined) return undefined;
    const byName = new Map<string, Vulnerability>();
    let withdrawn = false;
    for (const name of names) {
      const cached = summaries.get(id, modified, name);
      if (!cached) return undefined;
      withdrawn = cached.withdrawn;
      byName.set(name, fromSummary(cached.summary, 'osv'));
    }
    return { modified, withdrawn, byName };
  }

  /** The record as these packages report it, each summary kept for the next run. */
  function report(record: OsvRecord, names: ReadonlySet<string>): Reported {
    const withdrawn = Boolean(record.withdrawn);
    const byName = new Map<string, Vulnerability>();
    for (const name of names) {
      const summary = summarizeRecord(record, name);
      summaries?.put(name, withdrawn, summary);
      byName.set(name, fromSummary(summary, 'osv'));
    }
    return { modified: record.modified, withdrawn, byName };
  }

  /**
   * Reads these records from the caches a few at a time, once the batch is on its way (`start`),
   * letting the event loop take its answer in between: the wait for the network is spent
   * reading the summaries (or the records, converted) of what the packages that named them
   * report. Started earlier, reading the summaries file would hold the connection's set-up.
   */
  async function readAhead(
    wanted: Map<string, Hint>,
    start: Promise<unknown>,
  ): Promise<Map<string, Reported>> {
    const found = new Map<string, Reported>();
    if (!cache && !summaries) return found;
    await start;
    // Without hints, the summaries are still read now rather than after the answer.
    summaries?.load();
    let n = 0;
    for (const [id, { modified, names }] of wanted) {
      if (n++ % READ_AHEAD_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      const summarized = fromSummaries(id, modified, names);
      if (summarized) {
        found.set(id, summarized);
        continue;
      }
      const record = await cache?.get(id, modified);
      if (record) found.set(id, report(record, names));
    }
    return found;
  }

  return {
    name: 'osv',
    async query(
      dependencies: readonly ResolvedDependency[],
      progress?: QueryProgress,
    ): Promise<Vulnerability[][]> {
      if (dependencies.length === 0) return [];
      // One query per distinct (name, version).
      const keyOf = (d: ResolvedDependency): string => `${d.name}\u0000${d.version}`;
      const distinct = new Map<string, ResolvedDependency>();
      for (const d of dependencies) if (!distinct.has(keyOf(d))) distinct.set(keyOf(d), d);
      const unique = [...distinct.values()];
      const known = options.queryCache;
      const hits = unique.map((d) => known?.get(d.name, d.version) ?? null);
      const ids = hits.map((hit) => hit ?? new Map<string, string | undefined>());
      const asked = unique.flatMap((d, i) => (hits[i] ? [] : [{ d, i }]));
      // While the batch is in flight, the records its last answers named are read from the cache.
      const hinted = new Map<string, Hint>();
      for (const { d } of asked)
        for (const [id, modified] of known?.hint(d.name, d.version) ?? []) {
          if (modified === undefined) continue;
          const hint = hinted.get(id);
          if (hint?.modified === modified) hint.names.add(d.name);
          else if (!hint) hinted.set(id, { modified, names: new Set([d.name]) });
        }
      let sent!: () => void;
      const onSent = new Promise<void>((resolve) => (sent = resolve));
      const batch = collectIds(
        asked.map(({ d }) => ({
          package: { name: d.name, ecosystem: PYPI_ECOSYSTEM },
          version: d.version,
        })),
        sent,
      );
      const [answers, prefetched] = await Promise.all([
        batch,
        readAhead(hinted, Promise.race([onSent, batch.catch(() => undefined)])),
      ]);
      asked.forEach(({ d, i }, k) => {
        const answer = answers[k] as Map<string, string | undefined>;
        ids[i] = answer;
        known?.put(d.name, d.version, answer);
      });
      // What was read ahead counts only if the answer names the same `modified`.
      const early = (id: string, modified: string | undefined): Reported | undefined => {
        const entry = prefetched.get(id);
        return entry && entry.modified === modified ? entry : undefined;
      };
      const wanted = new Map<string, { modified: string | undefined; names: Set<string> }>();
      unique.forEach((d, i) => {
        for (const [id, modified] of ids[i]!) {
          const entry = early(id, modified);
          if (entry && (entry.withdrawn || entry.byName.has(d.name))) continue;
          const want = wanted.get(id);
          if (want) want.names.add(d.name);
          else wanted.set(id, { modified, names: new Set([d.name]) });
        }
      });
      const reported = new Map<string, Reported>();
      const fetches: Array<[string, string | undefined, Set<string>]> = [];
      for (const [id, { modified, names }] of wanted) {
        const summarized = fromSummaries(id, modified, names);
        if (summarized) reported.set(id, summarized);
        else fetches.push([id, modified, names]);
      }
      let done = 0;
      progress?.(0, fetches.length);
      await mapLimit(fetches, concurrency, async ([id, modified, names]) => {
        reported.set(id, report(await fetchRecord(id, modified), names));
        progress?.(++done, fetches.length);
      });
      const byKey = new Map<string, Vulnerability[]>();
      unique.forEach((d, i) => {
        const vulns: Vulnerability[] = [];
        for (const [id, modified] of ids[i]!) {
          const entry = [reported.get(id), early(id, modified)].find(
            (e) => e !== undefined && (e.withdrawn || e.byName.has(d.name)),
          );
          if (!entry) throw new PyauditError('service', `record ${id} was not fetched`);
          if (!entry.withdrawn) vulns.push(entry.byName.get(d.name)!);
        }
        byKey.set(keyOf(d), vulns);
      });
      return dependencies.map((d) => byKey.get(keyOf(d)) ?? []);
    },
  };
}
