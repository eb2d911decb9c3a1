// The diagnostics bundle (`diagnostics.bundle`, issue 20): what a user pastes into a bug report —
// versions, the config with every secret masked, status and the last log entries. Masking is in
// layers, so one miss does not leak: the channel secret fields (redactSecrets), any value under a
// secret-named key or shaped like an opaque token (maskSecretLooking), then the redaction point.
import os from 'node:os';
import { formatPath, hasEnvReference, redactSecrets, REDACTED_SECRET, type ConfigIssue } from '../../src-shared/config/index.ts';
import { DIAGNOSTICS_LOG_LINES } from '../../src-shared/protocol/log-methods.ts';
import type { ControlMethods } from '../../src-shared/protocol/methods.ts';
import { PROTOCOL_VERSION } from '../../src-shared/protocol/methods.ts';
import type { ResultOf } from '../../src-shared/protocol/contract.ts';
import type { LoadedConfig } from '../config/store.ts';
import type { LogTail } from '../log-tail.ts';
import { redactValue } from '../secrets/redact.ts';

export type DiagnosticsBundle = ResultOf<ControlMethods['diagnostics.bundle']>;
type Status = ResultOf<ControlMethods['status']>;

/** Keys whose string values are secrets whatever they look like (`botToken`, `apiKey`, `password`, `clientSecret`, …). */
const SECRET_KEY = /(token|secret|passw(or)?d|api[-_]?key|private[-_]?key|credential|authorization|cookie|signing[-_]?key)/i;
/**
 * An opaque run of key characters: long, no spaces or slashes (paths, URLs and sentences have
 * them), both letters and digits. Model ids and channel ids are shorter or all digits.
 */
const OPAQUE = /^[A-Za-z0-9_\-+=.:]{32,}$/;

export interface DiagnosticsInput {
  appVersion: string;
  loaded: LoadedConfig;
  status: Status;
  tail: LogTail;
  logFile: string | null;
  clock?: () => Date;
  /** Default process.versions / os: tests may pin them. */
  versions?: { node: string; electron?: string | undefined };
}

export function diagnosticsBundle(input: DiagnosticsInput): DiagnosticsBundle {
  const raw = input.loaded.check.raw;
  const isObj = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  const bundle: DiagnosticsBundle = {
    format: 'switchboard.diagnostics',
    version: 1,
    generatedAt: (input.clock?.() ?? new Date()).toISOString(),
    versions: {
      app: input.appVersion,
      node: input.versions?.node ?? process.versions.node,
      electron: (input.versions ? input.versions.electron : process.versions.electron) ?? null,
      os: `${os.type()} ${os.release()}`,
      arch: process.arch,
      protocol: PROTOCOL_VERSION,
    },
    config: {
      path: input.loaded.configPath,
      exists: input.loaded.exists,
      hash: input.loaded.hash,
      raw: isObj ? (maskSecretLooking(redactSecrets(raw)) as Record<string, unknown>) : null,
      issues: input.loaded.check.issues.map(issueOut),
    },
    status: input.status,
    logs: { level: input.tail.currentLevel, file: input.logFile, entries: input.tail.tail(DIAGNOSTICS_LOG_LINES) },
  };
  // The last layer: known secrets and token shapes anywhere (an error message in status, a log line).
  return redactValue(bundle) as DiagnosticsBundle;
}

/**
 * A copy with REDACTED_SECRET in place of every string under a secret-named key and every
 * opaque token-shaped string. `{ secret: "NAME" }` and `{ env: "VAR" }` references and
 * `${VAR}` substitutions stay: they name where a secret lives, not the secret.
 */
export function maskSecretLooking(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (value === REDACTED_SECRET || hasEnvReference(value)) return value;
    if ((SECRET_KEY.test(key) && value.trim() !== '') || looksOpaque(value)) return REDACTED_SECRET;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => maskSecretLooking(v, key));
  if (typeof value !== 'object' || value === null) return value;
  if (isReference(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskSecretLooking(v, k);
  return out;
}

function isReference(value: object): boolean {
  const keys = Object.keys(value);
  return (
    keys.length === 1 && (keys[0] === 'secret' || keys[0] === 'env') && typeof (value as Record<string, unknown>)[keys[0]] === 'string'
  );
}

function looksOpaque(text: string): boolean {
  return OPAQUE.test(text) && /[A-Za-z]/.test(text) && /\d/.test(text);
}

function issueOut(issue: ConfigIssue) {
  return { severity: issue.severity, message: issue.message, path: issue.path.length > 0 ? formatPath(issue.path) : '' };
}
