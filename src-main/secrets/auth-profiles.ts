// Auth profiles (docs/credentials.md): an agent's Anthropic keys. `<agentDir>/auth-profiles.json`
// holds metadata only (id, label, order, last use, last error); the key is keychain account
// `agent:<id>:auth:<profile>`. The opt-in shared pool keeps its metadata in
// `<stateDir>/auth-profiles.json` and its keys at `shared:auth:<profile>`.
import fs from 'node:fs/promises';
import path from 'node:path';
import { ID_PATTERN, type AgentConfig, type SwitchboardConfig } from '../../src-shared/config/index.ts';
import { agentPaths, type Locations } from '../config/paths.ts';
import { atomicWrite } from '../state/atomic-write.ts';
import { withLock } from '../state/lock.ts';
import { registerSecret } from './redact.ts';
import { agentAuthAccount, sharedAuthAccount, type SecretStore } from './store.ts';

export const AUTH_PROFILES_FILE = 'auth-profiles.json';
export type ProfileScope = 'agent' | 'shared';

export interface AuthProfile {
  profileId: string;
  provider: 'anthropic';
  kind: 'api_key';
  label?: string;
  scope: ProfileScope;
  createdAt: string;
  lastUsedAt?: string;
  lastError?: { kind: string; message: string; at: string };
  order: number;
}

interface ProfilesFile {
  version: 1;
  profiles: AuthProfile[];
}

/** What a copy did: which profiles now hold a copied key (and from which agent), which were left out and why. */
export interface ProfileCopy {
  copied: { profileId: string; from: string }[];
  skipped: { profileId: string; reason: string }[];
}

/** What the profile code needs to know about an agent. */
export interface AgentAuthRef {
  id: string;
  agentDir: string;
  scope: ProfileScope;
}

export function agentAuthRef(agent: AgentConfig, config: SwitchboardConfig, loc: Locations, homeDir?: string): AgentAuthRef {
  return { id: agent.id, agentDir: agentPaths(agent, config, loc, homeDir).agentDir, scope: agent.authProfiles.scope };
}

export class AuthProfileError extends Error {
  constructor(
    message: string,
    readonly code: 'bad_request' | 'not_found' | 'conflict' = 'bad_request',
  ) {
    super(message);
  }
}

export function checkProfileId(raw: string): string {
  const id = raw.trim().toLowerCase();
  if (!ID_PATTERN.test(id)) throw new AuthProfileError(`profile id "${raw}" is not allowed: use 1-64 characters a-z, 0-9, "_" or "-"`);
  return id;
}

export const sharedProfilesPath = (stateDir: string): string => path.join(stateDir, AUTH_PROFILES_FILE);
export const agentProfilesPath = (agent: AgentAuthRef): string => path.join(agent.agentDir, AUTH_PROFILES_FILE);

export async function readProfiles(file: string): Promise<AuthProfile[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<ProfilesFile>;
  if (parsed.version !== 1 || !Array.isArray(parsed.profiles))
    throw new Error(`${file}: unknown auth-profiles format (version ${String(parsed.version)})`);
  return [...parsed.profiles].sort((a, b) => a.order - b.order);
}

// Writers in this process go one at a time per file; a lock file covers the CLI and gateway racing.
const chains = new Map<string, Promise<unknown>>();

export async function updateProfiles<T>(file: string, mutate: (profiles: AuthProfile[]) => T): Promise<T> {
  const run = async (): Promise<T> => {
    // A live holder (another process mid-write) is waited for, never taken over: LockBusyError after 3 s.
    return withLock(
      `${file}.lock`,
      async () => {
        const profiles = await readProfiles(file);
        const result = mutate(profiles);
        await atomicWrite(file, `${JSON.stringify({ version: 1, profiles } satisfies ProfilesFile, null, 2)}\n`, 0o600);
        return result;
      },
      { waitMs: 3000 },
    );
  };
  const next = (chains.get(file) ?? Promise.resolve()).then(run, run);
  chains.set(
    file,
    next.catch(() => undefined),
  );
  return next;
}

export function keyAccount(agentId: string, profile: Pick<AuthProfile, 'profileId' | 'scope'>): string {
  return profile.scope === 'shared' ? sharedAuthAccount(profile.profileId) : agentAuthAccount(agentId, profile.profileId);
}

/** Profile operations over the metadata files and the keychain. */
export class AuthProfiles {
  constructor(
    private readonly store: SecretStore,
    private readonly stateDir: string,
  ) {}

  private fileOf(agent: AgentAuthRef, scope: ProfileScope): string {
    return scope === 'shared' ? sharedProfilesPath(this.stateDir) : agentProfilesPath(agent);
  }

  /** The agent's own profiles, then (when it opted in) the shared pool's, each in their order. */
  async listFor(agent: AgentAuthRef): Promise<AuthProfile[]> {
    const own = (await readProfiles(agentProfilesPath(agent))).map((p) => ({ ...p, scope: 'agent' as const }));
    if (agent.scope !== 'shared') return own;
    const shared = (await readProfiles(sharedProfilesPath(this.stateDir))).map((p) => ({ ...p, scope: 'shared' as const }));
    return [...own, ...shared];
  }

  /** Stores the key first, then the metadata: a failed keychain write leaves nothing behind. */
  async add(
    agent: AgentAuthRef,
    opts: { profileId?: string; shared?: boolean; label?: string; apiKey: string; now?: Date },
  ): Promise<AuthProfile> {
    const apiKey = opts.apiKey.trim();
    if (!apiKey) throw new AuthProfileError('the API key is empty');
    if (/\s/.test(apiKey)) throw new AuthProfileError('the API key contains whitespace; paste only the key');
    registerSecret(apiKey);
    const profileId = checkProfileId(opts.profileId ?? 'default');
    const scope: ProfileScope = opts.shared ? 'shared' : 'agent';
    await this.store.set(keyAccount(agent.id, { profileId, scope }), apiKey);
    const now = (opts.now ?? new Date()).toISOString();
    return updateProfiles(this.fileOf(agent, scope), (profiles) => {
      const existing = profiles.find((p) => p.profileId === profileId);
      const entry: AuthProfile = {
        profileId,
        provider: 'anthropic',
        kind: 'api_key',
        scope,
        createdAt: existing?.createdAt ?? now,
        order: existing?.order ?? profiles.reduce((m, p) => Math.max(m, p.order + 1), 0),
        ...((opts.label ?? existing?.label) ? { label: opts.label ?? existing?.label } : {}),
      };
      if (existing) profiles.splice(profiles.indexOf(existing), 1, entry);
      else profiles.push(entry);
      return entry;
    });
  }

  async remove(agent: AgentAuthRef, profileId: string, shared = false): Promise<boolean> {
    const id = checkProfileId(profileId);
    const scope: ProfileScope = shared ? 'shared' : 'agent';
    const existed = await updateProfiles(this.fileOf(agent, scope), (profiles) => {
      const i = profiles.findIndex((p) => p.profileId === id);
      if (i >= 0) profiles.splice(i, 1);
      return i >= 0;
    });
    const deleted = await this.store.delete(keyAccount(agent.id, { profileId: id, scope }));
    return existed || deleted;
  }

  /** The key of one profile of this agent; null when the keychain has no entry. */
  async keyOf(agent: AgentAuthRef, profile: Pick<AuthProfile, 'profileId' | 'scope'>): Promise<string | null> {
    return this.store.get(keyAccount(agent.id, profile));
  }

  /**
   * Copies `from`'s own profiles (all, or those named) into `to`'s own profiles, key by key inside
   * the keychain: the key is read and written here and never returned, so the CLI and the control
   * plane share this one path. A profile is skipped, with the reason, when its key is missing or
   * `to` already has a profile of that id (an existing key is never overwritten); nothing copied
   * at all is an error saying why.
   */
  async copyProfiles(from: AgentAuthRef, to: AgentAuthRef, profileIds?: readonly string[]): Promise<ProfileCopy> {
    if (from.id === to.id) throw new AuthProfileError(`cannot copy keys from agent "${from.id}" to itself; name another agent`);
    const own = await readProfiles(agentProfilesPath(from));
    const wanted = profileIds === undefined ? own.map((p) => p.profileId) : [...new Set(profileIds.map(checkProfileId))];
    const targetIds = new Set((await readProfiles(agentProfilesPath(to))).map((p) => p.profileId));
    const shared =
      from.scope === 'shared'
        ? new Set((await readProfiles(sharedProfilesPath(this.stateDir))).map((p) => p.profileId))
        : new Set<string>();
    const result: ProfileCopy = { copied: [], skipped: [] };
    for (const profileId of wanted) {
      const skip = (reason: string) => result.skipped.push({ profileId, reason });
      const source = own.find((p) => p.profileId === profileId);
      if (!source) {
        skip(
          shared.has(profileId)
            ? `"${profileId}" is in the shared pool, not a key of agent "${from.id}" itself; let agent "${to.id}" use the shared pool instead`
            : `agent "${from.id}" has no profile "${profileId}"`,
        );
        continue;
      }
      const key = await this.store.get(agentAuthAccount(from.id, profileId));
      if (key === null) {
        skip(
          `the keychain has no key for profile "${profileId}" of agent "${from.id}"; add it again with "switchboard auth add --agent ${from.id} --profile ${profileId}"`,
        );
        continue;
      }
      if (targetIds.has(profileId)) {
        const existing = await this.store.get(agentAuthAccount(to.id, profileId));
        skip(
          existing === key
            ? `agent "${to.id}" already has this key`
            : `agent "${to.id}" already has a profile "${profileId}" with another key; remove that profile first to replace it`,
        );
        continue;
      }
      await this.add(to, { profileId, apiKey: key, ...(source.label ? { label: source.label } : {}) });
      result.copied.push({ profileId, from: from.id });
    }
    if (result.copied.length === 0) {
      const pool = from.scope === 'shared' ? ` (it uses the shared pool; let agent "${to.id}" use the pool instead)` : '';
      const why =
        result.skipped.length === 0 ? `agent "${from.id}" has no keys of its own${pool}` : result.skipped.map((s) => s.reason).join('; ');
      throw new AuthProfileError(`nothing to copy from agent "${from.id}" to agent "${to.id}": ${why}`);
    }
    return result;
  }

  /** The ids `copyProfiles` copied, for one profile or all of them. */
  async copy(from: AgentAuthRef, to: AgentAuthRef, profileId?: string): Promise<string[]> {
    return (await this.copyProfiles(from, to, profileId === undefined ? undefined : [profileId])).copied.map((c) => c.profileId);
  }

  async markFailed(
    agent: AgentAuthRef,
    profile: Pick<AuthProfile, 'profileId' | 'scope'>,
    kind: string,
    message: string,
    now = new Date(),
  ): Promise<void> {
    await updateProfiles(this.fileOf(agent, profile.scope), (profiles) => {
      const p = profiles.find((x) => x.profileId === profile.profileId);
      if (p) p.lastError = { kind, message, at: now.toISOString() };
    });
  }

  /** A working key: clears the failure mark and records the use. */
  async markOk(agent: AgentAuthRef, profile: Pick<AuthProfile, 'profileId' | 'scope'>, now = new Date()): Promise<void> {
    await updateProfiles(this.fileOf(agent, profile.scope), (profiles) => {
      const p = profiles.find((x) => x.profileId === profile.profileId);
      if (!p) return;
      delete p.lastError;
      p.lastUsedAt = now.toISOString();
    });
  }

  async touch(agent: AgentAuthRef, profile: Pick<AuthProfile, 'profileId' | 'scope'>, now = new Date()): Promise<void> {
    await updateProfiles(this.fileOf(agent, profile.scope), (profiles) => {
      const p = profiles.find((x) => x.profileId === profile.profileId);
      if (p) p.lastUsedAt = now.toISOString();
    });
  }
}
