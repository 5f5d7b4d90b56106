/**
 * pyaudit's library API: the Python packaging standards and the audit pipeline the CLI uses.
 */
export {
  compareVersions,
  InvalidSpecifierError,
  normalizeVersion,
  parseSpecifier,
  parseSpecifierSet,
  parseVersion,
  specifierContains,
  versionToString,
  type ContainsOptions,
  type Specifier,
  type SpecifierSet,
  type Version,
} from './standards/pep440.js';
export { canonicalizeName, isValidProjectName } from './standards/pep503.js';
export {
  formatRequirement,
  InvalidRequirementError,
  parseRequirement,
  type Requirement,
} from './standards/pep508.js';
export {
  evaluateMarker,
  evaluateMarkerPartial,
  formatMarker,
  InvalidMarkerError,
  parseMarker,
  UndefinedComparisonError,
  UndefinedEnvironmentNameError,
  type MarkerEnvironment,
  type MarkerList,
} from './standards/markers.js';
export { fixVersions, isAffected, rangeContains, type OsvRecord } from './standards/osv.js';
export type {
  CollectResult,
  Dependency,
  DependencySource,
  Origin,
  ResolvedDependency,
  SkippedDependency,
  SkipKind,
} from './core/dependency.js';
export { PyauditError, type ErrorKind, type ErrorLocation } from './core/errors.js';
export {
  collectRequirements,
  parseRequirementsText,
  requirementsSource,
} from './sources/requirements/index.js';
export type { ReadFile, RequirementsCollectOptions } from './sources/requirements/index.js';
export { createHttpClient, type HttpClient, type HttpClientOptions } from './http/client.js';
export { createOsvService, DEFAULT_OSV_URL, type OsvServiceOptions } from './vulns/osv/service.js';
export type { Vulnerability, VulnerabilityService } from './vulns/types.js';
export { audit, collectDependencies, exitCodeFor, summarize, summaryLine } from './audit/audit.js';
export type {
  AuditOptions,
  AuditPhase,
  AuditReport,
  AuditSummary,
  DependencyResult,
  FixResult,
} from './audit/audit.js';
export type { Finding } from './audit/merge.js';
export type { IgnoredFinding, IgnoreRule } from './audit/ignore.js';
export {
  cvssScore,
  recordRatings,
  severityOf,
  validateCvssVector,
  SEVERITY_LEVELS,
  type Severity,
  type SeverityLevel,
  type SeverityRating,
} from './audit/severity.js';
export {
  applyReportPolicy,
  decideFailure,
  type FailPolicy,
  type ReportPolicy,
} from './audit/policy.js';
export { REPORT_FORMATS, type ReportFormat, type ReportOptions } from './report/index.js';
export {
  createPypiService,
  DEFAULT_PYPI_URL,
  type PypiServiceOptions,
} from './vulns/pypi/service.js';
export {
  createEsmsService,
  DEFAULT_ESMS_URL,
  type EsmsServiceOptions,
} from './vulns/esms/service.js';
export { createLocalService } from './vulns/local/service.js';
export {
  defaultDatabaseDir,
  openDatabase,
  writeRecords,
  type OpenDatabase,
} from './vulns/local/database.js';
export type { DatabaseHeader, DatabaseSource } from './vulns/local/format.js';
export { readSource } from './vulns/local/sources.js';
export { affecting, memoryStore, type RecordStore } from './vulns/store.js';
export { osvApiHandler, type OsvApiOptions, type RequestLogEntry } from './serve/osv-api.js';
export { serveOsvApi, type RunningServer, type ServeOptions } from './serve/server.js';
export type { ServiceAnswer } from './vulns/types.js';
export {
  chooseFixVersion,
  type FixChoice,
  type FixChoiceInput,
  type FixConstraint,
  type Release,
} from './fix/choose.js';
export { planFixes, type PlannedFix, type PlanOptions } from './fix/plan.js';
export {
  rewriteRequirements,
  RewriteError,
  type AddedPin,
  type RequirementPinEdit,
} from './fix/requirements.js';
export {
  manifestDeclarations,
  rewriteManifest,
  type ManifestKind,
  type ManifestPinEdit,
} from './fix/manifest.js';
export { applyChanges, TransactionError, type FileChange } from './fix/transaction.js';
export { unifiedDiff } from './fix/diff.js';
export {
  createPackageIndex,
  type DistributionFile,
  type PackageIndex,
  type PackageIndexOptions,
} from './index/client.js';
export { indexSettings, type IndexSettings } from './index/config.js';
export {
  resolve,
  ResolutionError,
  type Candidate,
  type Provider,
  type Resolution,
  type ResolverRequirement,
} from './resolve/resolver.js';
export { createIndexProvider } from './resolve/provider.js';
export { buildTarget, type TargetEnvironment } from './resolve/target.js';
export { resolvingSource, type ResolvingSourceOptions } from './resolve/source.js';
