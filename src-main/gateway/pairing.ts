// Pairing codes for unknown DM senders and the list of senders the owner approved, one file per
// channel account (<stateDir>/pairing/<channel>-<account>.json). Approval happens only through this
// API (CLI / dashboard via the control plane); nothing here reads chat text.
import { randomInt } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ID_PATTERN, isChannelId, type ChannelId } from '../../src-shared/config/index.ts';
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { atomicWrite } from '../state/atomic-write.ts';

/** No 0/O, 1/I/L: codes are read aloud and typed from a phone screen. */
export const PAIRING_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const PAIRING_CODE_LENGTH = 8;
export const PAIRING_TTL_MS = 60 * 60 * 1000;
export const MAX_PENDING_PER_ACCOUNT = 3;

export interface PendingEntry {
  code: string;
  senderId: string;
  senderName?: string;
  createdAt: number;
  expiresAt: number;
  /** The sender has been told this code (one reply per sender per code). */
  replied: boolean;
}

export interface ApprovedEntry {
  senderId: string;
  approvedAt: number;
  code: string;
}

interface PairingFile {
  version: 1;
  pending: PendingEntry[];
  approved: ApprovedEntry[];
}

export interface CodeRequest {
  /** The sender's pending code; undefined when the account is at its pending limit. */
  code: string | undefined;
  isNew: boolean;
  limited: boolean;
  /**
   * True exactly once per code (and, when limited, once per sender per hour): the caller should
   * answer the sender now. Claimed in the same serialised write, so two racing messages never
   * both reply.
   */
  notify: boolean;
}

export type PendingWithAccount = PendingEntry & { channel: ChannelId; account: string };
export type ApprovedWithAccount = ApprovedEntry & { channel: ChannelId; account: string; senderName?: string };

export interface PairingStoreOptions {
  stateDir: string;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
}

const FILE_NAME = /^([a-z]+)-([a-z0-9][a-z0-9_-]{0,63})\.json$/;

function emptyFile(): PairingFile {
  return { version: 1, pending: [], approved: [] };
}

function isPending(v: unknown): v is PendingEntry {
  const e = v as Partial<PendingEntry> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.code === 'string' &&
    typeof e.senderId === 'string' &&
    typeof e.createdAt === 'number' &&
    typeof e.expiresAt === 'number' &&
    (e.senderName === undefined || typeof e.senderName === 'string')
  );
}

function isApprovedEntry(v: unknown): v is ApprovedEntry {
  const e = v as Partial<ApprovedEntry> | null;
  return (
    typeof e === 'object' && e !== null && typeof e.senderId === 'string' && typeof e.approvedAt === 'number' && typeof e.code === 'string'
  );
}

function generateCode(): string {
  let code = '';
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) code += PAIRING_ALPHABET[randomInt(PAIRING_ALPHABET.length)];
  return code;
}

function checkChannel(channel: string): ChannelId {
  if (!isChannelId(channel)) throw new ControlError('bad_request', `unknown channel "${channel}"`);
  return channel;
}

/** Account ids become part of a file name: only the config's id pattern, never a path. */
function checkAccount(account: string): string {
  const id = account.trim().toLowerCase();
  if (!ID_PATTERN.test(id)) throw new ControlError('bad_request', `invalid account id "${account}"`);
  return id;
}

export class PairingStore {
  readonly dir: string;
  private readonly clock: () => number;
  private readonly cache = new Map<string, PairingFile>();
  /** Per-file promise chains: every read-modify-write of one file runs after the previous one. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Senders already told "too many pending requests", until when (in memory only). */
  private readonly limitNotices = new Map<string, number>();

  constructor(opts: PairingStoreOptions) {
    this.dir = path.join(opts.stateDir, 'pairing');
    this.clock = opts.clock ?? Date.now;
  }

  /** Reuses the sender's pending code or creates one (unless 3 are already pending). */
  async requestCode(channel: ChannelId, account: string, sender: { id: string; name?: string }, now = this.clock()): Promise<CodeRequest> {
    const senderId = sender.id.trim();
    return this.update<CodeRequest>(channel, account, now, (file, key) => {
      const existing = file.pending.find((p) => p.senderId === senderId);
      if (existing) {
        const notify = !existing.replied;
        existing.replied = true;
        return { result: { code: existing.code, isNew: false, limited: false, notify }, dirty: notify };
      }
      if (file.pending.length >= MAX_PENDING_PER_ACCOUNT) {
        const noticeKey = `${key}\u0000${senderId}`;
        const until = this.limitNotices.get(noticeKey);
        const notify = until === undefined || until <= now;
        if (notify) {
          // Bounded: forget notices that ran out before remembering a new one.
          for (const [k, t] of this.limitNotices) if (t <= now) this.limitNotices.delete(k);
          this.limitNotices.set(noticeKey, now + PAIRING_TTL_MS);
        }
        return { result: { code: undefined, isNew: false, limited: true, notify }, dirty: false };
      }
      let code = generateCode();
      while (file.pending.some((p) => p.code === code)) code = generateCode();
      const entry: PendingEntry = {
        code,
        senderId,
        ...(sender.name ? { senderName: sender.name } : {}),
        createdAt: now,
        expiresAt: now + PAIRING_TTL_MS,
        // The caller replies now (notify: true), so the code is recorded as told in the same write.
        replied: true,
      };
      file.pending.push(entry);
      return { result: { code, isNew: true, limited: false, notify: true }, dirty: true };
    });
  }

  async isApproved(channel: ChannelId, account: string, senderId: string, now = this.clock()): Promise<boolean> {
    const id = senderId.trim();
    return this.update(channel, account, now, (file) => ({ result: file.approved.some((a) => a.senderId === id), dirty: false }));
  }

  /** Pending (unexpired) codes, oldest first, optionally for one channel or one account. */
  async list(channel?: ChannelId, account?: string): Promise<PendingWithAccount[]> {
    const now = this.clock();
    const out: PendingWithAccount[] = [];
    for (const target of await this.targets(channel, account)) {
      const pending = await this.update(target.channel, target.account, now, (file) => ({
        result: file.pending.map((p) => ({ ...p })),
        dirty: false,
      }));
      out.push(...pending.map((p) => ({ ...p, channel: target.channel, account: target.account })));
    }
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Approves a pending code (case-insensitive). Without `account`, the code is looked up in every
   * account of the channel and must be found in exactly one.
   */
  async approve(channel: ChannelId, code: string, account?: string): Promise<ApprovedWithAccount> {
    checkChannel(channel);
    const wanted = code.trim().toUpperCase();
    const now = this.clock();
    let target = account === undefined ? undefined : checkAccount(account);
    if (target === undefined) {
      const holders = (await this.list(channel)).filter((p) => p.code === wanted).map((p) => p.account);
      if (holders.length > 1) {
        throw new ControlError(
          'conflict',
          `code ${wanted} is pending on several ${channel} accounts (${holders.join(', ')}); say which with --account`,
        );
      }
      target = holders[0];
    }
    const notFound = new ControlError(
      'not_found',
      `no pending ${channel} pairing code ${wanted}${account === undefined ? '' : ` on account "${target}"`} (codes expire after 1 hour)`,
    );
    if (target === undefined) throw notFound;
    return this.update(channel, target, now, (file) => {
      const entry = file.pending.find((p) => p.code === wanted);
      if (!entry) throw notFound;
      // One sender, one pending code: approving it clears everything pending for that sender.
      file.pending = file.pending.filter((p) => p.senderId !== entry.senderId);
      const approved: ApprovedEntry = { senderId: entry.senderId, approvedAt: now, code: entry.code };
      file.approved = [...file.approved.filter((a) => a.senderId !== entry.senderId), approved];
      const result: ApprovedWithAccount = {
        ...approved,
        channel,
        account: target,
        ...(entry.senderName ? { senderName: entry.senderName } : {}),
      };
      return { result, dirty: true };
    });
  }

  /** Removes an approval (and any pending code) of a sender; true when something was removed. */
  async revoke(channel: ChannelId, account: string, senderId: string): Promise<boolean> {
    const id = senderId.trim();
    return this.update(channel, account, this.clock(), (file) => {
      const before = file.approved.length + file.pending.length;
      file.approved = file.approved.filter((a) => a.senderId !== id);
      file.pending = file.pending.filter((p) => p.senderId !== id);
      const removed = file.approved.length + file.pending.length < before;
      return { result: removed, dirty: removed };
    });
  }

  filePath(channel: ChannelId, account: string): string {
    return path.join(this.dir, `${checkChannel(channel)}-${checkAccount(account)}.json`);
  }

  /** Channel accounts that have a pairing file (or a cached state), filtered. */
  private async targets(channel?: ChannelId, account?: string): Promise<{ channel: ChannelId; account: string }[]> {
    if (channel !== undefined && account !== undefined) return [{ channel: checkChannel(channel), account: checkAccount(account) }];
    const wantChannel = channel === undefined ? undefined : checkChannel(channel);
    const wantAccount = account === undefined ? undefined : checkAccount(account);
    let names: string[] = [];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const keys = new Set([...names.filter((n) => FILE_NAME.test(n)).map((n) => n.slice(0, -'.json'.length)), ...this.cache.keys()]);
    const out: { channel: ChannelId; account: string }[] = [];
    for (const key of [...keys].sort()) {
      const m = FILE_NAME.exec(`${key}.json`);
      const ch = m?.[1];
      const acc = m?.[2];
      if (ch === undefined || acc === undefined || !isChannelId(ch)) continue;
      if ((wantChannel === undefined || ch === wantChannel) && (wantAccount === undefined || acc === wantAccount))
        out.push({ channel: ch, account: acc });
    }
    return out;
  }

  /**
   * Runs `fn` on a private copy of the file's state, under the file's chain, after pruning expired
   * codes. The copy is written (atomically) and only then becomes the cached state, so a failed
   * write never leaves memory ahead of the disk.
   */
  private async update<T>(
    channel: ChannelId,
    account: string,
    now: number,
    fn: (file: PairingFile, key: string) => { result: T; dirty: boolean },
  ): Promise<T> {
    const file = this.filePath(channel, account);
    const key = path.basename(file, '.json');
    return this.serialised(key, async () => {
      const current = this.cache.get(key) ?? (await this.load(file));
      const copy: PairingFile = {
        version: 1,
        pending: current.pending.map((p) => ({ ...p })),
        approved: current.approved.map((a) => ({ ...a })),
      };
      const before = copy.pending.length;
      copy.pending = copy.pending.filter((p) => p.expiresAt > now);
      const { result, dirty } = fn(copy, key);
      if (dirty || copy.pending.length !== before) {
        await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
        await atomicWrite(file, `${JSON.stringify(copy, null, 2)}\n`, 0o600);
      }
      this.cache.set(key, copy);
      return result;
    });
  }

  private serialised<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return run;
  }

  private async load(file: string): Promise<PairingFile> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyFile();
      throw err;
    }
    let data: { version?: unknown; pending?: unknown; approved?: unknown } | undefined;
    try {
      data = JSON.parse(text) as typeof data;
    } catch {
      data = undefined;
    }
    if (typeof data?.version === 'number' && data.version > 1) {
      // Written by a newer Switchboard: refuse rather than rewrite it in an older shape.
      throw new ControlError(
        'unavailable',
        `${path.basename(file)} was written by a newer version of Switchboard (format ${data.version})`,
      );
    }
    if (data === undefined || data === null || data.version !== 1 || !Array.isArray(data.pending) || !Array.isArray(data.approved)) {
      // Unreadable: keep the bytes aside and start empty. Approved senders become unknown again,
      // which fails closed (they get a new code), never open.
      await fs.rename(file, `${file}.corrupt-${this.clock()}`).catch(() => undefined);
      return emptyFile();
    }
    return {
      version: 1,
      pending: data.pending.filter(isPending).map((p) => ({ ...p, replied: p.replied === true })),
      approved: data.approved.filter(isApprovedEntry),
    };
  }
}
