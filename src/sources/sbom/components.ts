/**
 * The components of an SBOM, whatever its format: CycloneDX JSON and XML (`components`,
 * nested `components`, and `metadata.component`, the thing the document describes) and SPDX
 * JSON (`packages`, with the ones the document `DESCRIBES`).
 */
import { inputError } from '../../core/errors.js';
import { isJsonObject, parseJsonFile } from '../../core/json-file.js';
import { childrenNamed, parseXml, type XmlElement } from './xml.js';

export type SbomFormat = 'cyclonedx-json' | 'cyclonedx-xml' | 'spdx-json';

export interface SbomComponent {
  readonly name?: string;
  readonly version?: string;
  readonly purl?: string;
  /** CycloneDX `type` or SPDX `primaryPackagePurpose`, lowercased (`library`, `operating-system`). */
  readonly kind?: string;
  /** The component is what the document describes (its subject), not one of its parts. */
  readonly subject: boolean;
  readonly line?: number;
}

/** The first line where `needle` is written, when it is. */
function lineOf(text: string, needle: string): number | undefined {
  const at = text.indexOf(needle);
  return at < 0 ? undefined : text.slice(0, at).split('\n').length;
}

/** The first line where a JSON object has `"name": name`, when it is written so. */
function lineOfName(text: string, name: string): number | undefined {
  const quoted = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`"name"\\s*:\\s*${quoted}`).exec(text);
  return m ? text.slice(0, m.index).split('\n').length : undefined;
}

type JsonObject = Record<string, unknown>;

/** A string field of a JSON object: absent, or a string; anything else is an error. */
function stringField(
  obj: JsonObject,
  key: string,
  what: string,
  text: string,
  file: string,
): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  const name = typeof obj.name === 'string' ? obj.name : undefined;
  throw inputError(
    `${what}${name !== undefined ? ` "${name}"` : ''}: "${key}" is ${JSON.stringify(value)}, not a string`,
    file,
    name !== undefined ? lineOfName(text, name) : undefined,
  );
}

function jsonComponent(
  c: JsonObject,
  subject: boolean,
  kindKey: string,
  versionKey: string,
  purl: string | undefined,
  what: string,
  text: string,
  file: string,
): SbomComponent {
  const name = stringField(c, 'name', what, text, file);
  const written = stringField(c, versionKey, what, text, file);
  // SPDX writes NOASSERTION / NONE where it has no value.
  const version = written === 'NOASSERTION' || written === 'NONE' ? undefined : written;
  const kind = stringField(c, kindKey, what, text, file);
  const line =
    purl !== undefined
      ? lineOf(text, purl)
      : name !== undefined
        ? lineOfName(text, name)
        : undefined;
  return {
    ...(name !== undefined && { name }),
    ...(version !== undefined && { version }),
    ...(purl !== undefined && { purl }),
    ...(kind !== undefined && { kind: kind.toLowerCase().replace(/_/g, '-') }),
    subject,
    ...(line !== undefined && { line }),
  };
}

function cyclonedxJson(text: string, file: string): SbomComponent[] {
  const doc = parseJsonFile(text, file, 'CycloneDX document');
  if (!isJsonObject(doc) || doc.bomFormat !== 'CycloneDX')
    throw inputError('not a CycloneDX JSON document: "bomFormat" is not "CycloneDX"', file);
  const found: SbomComponent[] = [];
  const walk = (components: unknown, subject: boolean): void => {
    if (components === undefined) return;
    if (!Array.isArray(components))
      throw inputError('"components" is not a list', file, lineOf(text, '"components"'));
    for (const c of components) {
      if (!isJsonObject(c))
        throw inputError(`a component is ${JSON.stringify(c)}, not an object`, file);
      const purl = stringField(c, 'purl', 'component', text, file);
      found.push(jsonComponent(c, subject, 'type', 'version', purl, 'component', text, file));
      walk(c.components, false);
    }
  };
  const metadata = isJsonObject(doc.metadata) ? doc.metadata : {};
  if (metadata.component !== undefined) walk([metadata.component], true);
  walk(doc.components, false);
  return found;
}

function cyclonedxXml(text: string, file: string): SbomComponent[] {
  const root = parseXml(text, file);
  if (root?.name !== 'bom') throw inputError('not a CycloneDX document: no <bom> element', file);
  const found: SbomComponent[] = [];
  const field = (c: XmlElement, name: string) => {
    const e = childrenNamed(c, name)[0];
    const value = e?.text.trim();
    return e && value !== undefined && value !== '' ? { value, line: e.line } : undefined;
  };
  const walk = (components: XmlElement[], subject: boolean): void => {
    for (const c of components) {
      const name = field(c, 'name');
      const version = field(c, 'version');
      const purl = field(c, 'purl');
      const kind = c.attributes.type;
      found.push({
        ...(name && { name: name.value }),
        ...(version && { version: version.value }),
        ...(purl && { purl: purl.value }),
        ...(kind !== undefined && { kind: kind.toLowerCase() }),
        subject,
        line: purl?.line ?? name?.line ?? c.line,
      });
      for (const list of childrenNamed(c, 'components'))
        walk(childrenNamed(list, 'component'), false);
    }
  };
  for (const metadata of childrenNamed(root, 'metadata'))
    walk(childrenNamed(metadata, 'component'), true);
  for (const list of childrenNamed(root, 'components'))
    walk(childrenNamed(list, 'component'), false);
  return found;
}

function spdxJson(text: string, file: string): SbomComponent[] {
  const doc = parseJsonFile(text, file, 'SPDX document');
  if (!isJsonObject(doc) || !Array.isArray(doc.packages))
    throw inputError('not an SPDX JSON document: no "packages"', file);
  const described = new Set<unknown>(
    Array.isArray(doc.documentDescribes) ? doc.documentDescribes : [],
  );
  for (const r of Array.isArray(doc.relationships) ? doc.relationships : []) {
    if (!isJsonObject(r)) continue;
    if (r.relationshipType === 'DESCRIBES' && r.spdxElementId === doc.SPDXID)
      described.add(r.relatedSpdxElement);
    if (r.relationshipType === 'DESCRIBED_BY' && r.relatedSpdxElement === doc.SPDXID)
      described.add(r.spdxElementId);
  }
  return doc.packages.map((p: unknown) => {
    if (!isJsonObject(p))
      throw inputError(`a package is ${JSON.stringify(p)}, not an object`, file);
    const refs = Array.isArray(p.externalRefs) ? p.externalRefs.filter(isJsonObject) : [];
    const ref = refs.find((r) => r.referenceType === 'purl');
    const purl = ref ? stringField(ref, 'referenceLocator', 'package', text, file) : undefined;
    return jsonComponent(
      p,
      described.has(p.SPDXID),
      'primaryPackagePurpose',
      'versionInfo',
      purl,
      'package',
      text,
      file,
    );
  });
}

export function sbomComponents(text: string, file: string, format: SbomFormat): SbomComponent[] {
  if (format === 'cyclonedx-xml') return cyclonedxXml(text, file);
  if (format === 'spdx-json') return spdxJson(text, file);
  return cyclonedxJson(text, file);
}
