// Where an account keeps the channel input it could not read: each one is logged (redacted),
// counted (the account status's `unreadable`) and appended, redacted, to
// <stateDir>/quarantine/<channel>/<account>.jsonl, so it can be looked at after it was skipped.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ChannelId } from '../../src-shared/config/index.ts';
import { createLogger, type Logger, type ModuleLogger } from '../log.ts';
import { redactValue } from '../secrets/redact.ts';

/**
 * One file stays under 1 MiB: when the next entry would pass that, the file becomes
 * `<account>.1.jsonl` (replacing the older one) and a new one starts. So an account's quarantine
 * never holds more than 2 MiB however many bad updates arrive, and the latest are always kept.
 */
export const QUARANTINE_FILE_BYTES = 1024 * 1024;
/** An entry's payload is cut to this much JSON (a flood of huge payloads still rotates slowly). */
export const QUARANTINE_PAYLOAD_CHARS = 64 * 1024;

export interface QuarantineEntry {
  at: string;
  channel: ChannelId;
  accountId: string;
  reason: string;
  /** The raw update/event, redacted; `{ truncated, json }` when its JSON was too long. */
  payload: unknown;
}

/** `<stateDir>/quarantine/<channel>/<account>.jsonl` (the account id is a config key: made filename-safe). */
export function quarantinePath(stateDir: string, channel: ChannelId, accountId: string): string {
  return path.join(stateDir, 'quarantine', channel, `${accountId.replace(/[^\w.-]/g, '_')}.jsonl`);
}

function payloadOf(raw: unknown): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(raw, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  } catch (err) {
    return { unserialisable: (err as Error).message };
  }
  if (json === undefined) return null;
  if (json.length <= QUARANTINE_PAYLOAD_CHARS) return redactValue(JSON.parse(json));
  return { truncated: true, json: redactValue(json.slice(0, QUARANTINE_PAYLOAD_CHARS)) };
}

export interface QuarantineOptions {
  /** Without one (a probe-only adapter), unreadable input is logged and counted, not kept. */
  stateDir: string | undefined;
  channel: ChannelId;
  accountId: string;
  log: Logger;
  /** Per-file cap (default QUARANTINE_FILE_BYTES). */
  fileBytes?: number;
}

export class Quarantine {
  private count = 0;
  private writes: Promise<void> = Promise.resolve();
  readonly file: string | undefined;

  private readonly log: ModuleLogger;

  constructor(private readonly opts: QuarantineOptions) {
    this.log = createLogger('quarantine', opts.log, { channel: opts.channel, accountId: opts.accountId });
    this.file = opts.stateDir ? quarantinePath(opts.stateDir, opts.channel, opts.accountId) : undefined;
  }

  /** How many inputs were unreadable since this account's adapter was created. */
  get unreadable(): number {
    return this.count;
  }

  /**
   * Records one unreadable input. Never throws: a quarantine that cannot be written (disk full) is
   * logged, and the input is still skipped — otherwise it would block everything behind it again.
   */
  keep(raw: unknown, reason: string): Promise<void> {
    this.count++;
    const { channel, accountId } = this.opts;
    this.log.warn(`unreadable ${channel} input skipped`, { reason, ...(this.file ? { quarantine: this.file } : {}) });
    const file = this.file;
    if (!file) return Promise.resolve();
    const entry: QuarantineEntry = { at: new Date().toISOString(), channel, accountId, reason, payload: payloadOf(raw) };
    const line = `${JSON.stringify(entry)}\n`;
    this.writes = this.writes.then(() =>
      this.append(file, line).catch((err: Error) => {
        this.log.error('could not write the quarantine file', { file, error: err.message });
      }),
    );
    return this.writes;
  }

  private async append(file: string, line: string): Promise<void> {
    const cap = this.opts.fileBytes ?? QUARANTINE_FILE_BYTES;
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const size = await fs.stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (size > 0 && size + Buffer.byteLength(line) > cap) await fs.rename(file, file.replace(/\.jsonl$/, '.1.jsonl'));
    await fs.appendFile(file, line, { mode: 0o600 });
  }
}
