/**
 * The audit as a CycloneDX BOM, built and serialized with `@cyclonedx/cyclonedx-library`
 * (OWASP's own models, normalizers and serializers), for the spec version asked (1.6 by
 * default; pip-audit writes 1.4):
 *
 * - a `library` component per dependency, `pkg:pypi` purl as purl and bom-ref; a dependency
 *   that could not be audited is a component too, with a `pyaudit:skip-reason` property;
 * - `dependencies`: each component's requirements as far as the input's graph tells them (the
 *   last link of each dependency's chain; none for requirements files, as in pip-audit);
 * - a vulnerability per finding and dependency, as pip-audit writes them: the id, the other ids
 *   as references, ratings (each CVSS vector or GitHub level, malicious as critical), the
 *   description, the record links as advisories, `affects` the dependency at its version, and a
 *   recommendation naming the fix versions.
 *
 * The output is deterministic: no timestamp, and a serial number derived from the content.
 */
import { createHash } from 'node:crypto';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import type { AuditReport } from '../../audit/audit.js';
import type { Finding } from '../../audit/merge.js';
import type { SeverityLevel, SeverityRating } from '../../audit/severity.js';
import type { ResolvedDependency } from '../../core/dependency.js';
import { VERSION } from '../../version.js';
import { printable, safeUrl, vulnerabilityUrl } from '../links.js';
import type { CycloneDxSpec } from '../types.js';

const SPECS = { '1.4': Spec.Spec1dot4, '1.5': Spec.Spec1dot5, '1.6': Spec.Spec1dot6 } as const;

const { Severity, RatingMethod } = Enums.Vulnerability;

const SEVERITY: Readonly<Record<SeverityLevel, Enums.Vulnerability.Severity>> = {
  malicious: Severity.Critical,
  critical: Severity.Critical,
  high: Severity.High,
  medium: Severity.Medium,
  low: Severity.Low,
  unknown: Severity.Unknown,
};

const METHOD: Readonly<Record<string, Enums.Vulnerability.RatingMethod>> = {
  CVSSv2: RatingMethod.CVSSv2,
  CVSSv3: RatingMethod.CVSSv3,
  CVSSv31: RatingMethod.CVSSv31,
  CVSSv4: RatingMethod.CVSSv4,
};

export function purlOf(name: string, version?: string): string {
  return new PackageURL('pypi', undefined, name, version, undefined, undefined).toString();
}

function rating(r: SeverityRating): Models.Vulnerability.Rating {
  const method = METHOD[r.method];
  const source =
    r.method === 'GitHub'
      ? new Models.Vulnerability.Source({
          name: 'GitHub',
          url: `https://github.com/advisories/${r.source}`,
        })
      : new Models.Vulnerability.Source({ name: 'OSV', url: vulnerabilityUrl(r.source) });
  return new Models.Vulnerability.Rating({
    source,
    severity: SEVERITY[r.level],
    ...(r.score !== undefined && { score: r.score }),
    ...(method !== undefined
      ? { method, ...(r.vector !== undefined && { vector: r.vector }) }
      : { method: RatingMethod.Other }),
    ...(r.level === 'malicious' && {
      justification: 'malicious package (OpenSSF malicious-packages)',
    }),
  });
}

function recommendation(dependency: ResolvedDependency, finding: Finding): string {
  if (finding.severity.level === 'malicious')
    return `Remove ${dependency.name}: it is a malicious package`;
  if (finding.fixVersions.length === 0) return 'No fix version is known';
  return `Upgrade ${dependency.name} to ${finding.fixVersions.join(' or ')}`;
}

function vulnerability(
  dependency: ResolvedDependency,
  component: Models.Component,
  finding: Finding,
): Models.Vulnerability.Vulnerability {
  const source = new Models.Vulnerability.Source({
    name: 'OSV',
    url: vulnerabilityUrl(finding.id),
  });
  const vuln = new Models.Vulnerability.Vulnerability({
    bomRef: `${finding.id}:${component.bomRef.value}`,
    id: finding.id,
    source,
    description: printable(finding.description),
    recommendation: recommendation(dependency, finding),
  });
  for (const alias of finding.aliases) {
    vuln.references.add(
      new Models.Vulnerability.Reference(
        alias,
        new Models.Vulnerability.Source({ name: 'OSV', url: vulnerabilityUrl(alias) }),
      ),
    );
  }
  const ratings = finding.severity.ratings;
  if (ratings.length === 0)
    vuln.ratings.add(new Models.Vulnerability.Rating({ severity: Severity.Unknown }));
  for (const r of ratings) vuln.ratings.add(rating(r));
  for (const ref of finding.references) {
    const url = safeUrl(ref.url);
    if (url !== null) vuln.advisories.add(new Models.Vulnerability.Advisory(url));
  }
  vuln.affects.add(
    new Models.Vulnerability.Affect(component.bomRef, {
      versions: new Models.Vulnerability.AffectedVersionRepository([
        new Models.Vulnerability.AffectedSingleVersion(dependency.version, {
          status: Enums.Vulnerability.AffectStatus.Affected,
        }),
      ]),
    }),
  );
  return vuln;
}

export function buildBom(report: AuditReport): Models.Bom {
  const bom = new Models.Bom();
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, 'pyaudit', { version: VERSION }),
  );
  const components = new Map<string, Models.Component>();
  for (const { dependency } of report.results) {
    const version = dependency.kind === 'resolved' ? dependency.version : undefined;
    const purl = purlOf(dependency.name, version);
    if (components.has(purl)) continue;
    const component = new Models.Component(Enums.ComponentType.Library, dependency.name, {
      bomRef: purl,
      purl,
      ...(version !== undefined && { version }),
    });
    if (dependency.kind === 'skipped')
      component.properties.add(
        new Models.Property('pyaudit:skip-reason', printable(dependency.skipReason)),
      );
    components.set(purl, component);
    bom.components.add(component);
  }
  // Edges from each dependency's chain: its last link requires it.
  const byName = new Map<string, Models.Component>();
  for (const { dependency } of report.results) {
    if (dependency.kind !== 'resolved') continue;
    byName.set(dependency.name, components.get(purlOf(dependency.name, dependency.version))!);
  }
  for (const { dependency } of report.results) {
    const parentName = dependency.graph?.via.at(-1);
    if (parentName === undefined || dependency.kind !== 'resolved') continue;
    const parent = byName.get(parentName);
    const child = components.get(purlOf(dependency.name, dependency.version));
    if (parent && child) parent.dependencies.add(child.bomRef);
  }
  for (const { dependency, findings } of report.results) {
    if (dependency.kind !== 'resolved') continue;
    const component = components.get(purlOf(dependency.name, dependency.version))!;
    for (const f of findings) bom.vulnerabilities.add(vulnerability(dependency, component, f));
  }
  return bom;
}

/** A version-5-style UUID from the BOM's content, so that the same audit gives the same BOM. */
function contentSerial(text: string): string {
  const hex = createHash('sha1').update(text).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function renderCycloneDx(
  report: AuditReport,
  kind: 'json' | 'xml',
  specVersion: CycloneDxSpec,
): string {
  const spec = SPECS[specVersion];
  const bom = buildBom(report);
  const serializer =
    kind === 'json'
      ? new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(spec))
      : new Serialize.XmlSerializer(new Serialize.XML.Normalize.Factory(spec));
  const options = { sortLists: false, space: 2 };
  bom.serialNumber = contentSerial(serializer.serialize(bom, options));
  return serializer.serialize(bom, options);
}
