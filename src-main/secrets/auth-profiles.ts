// Auth profiles (DESIGN §7, §9): an agent's Anthropic keys. `<agentDir>/auth-profiles.json` holds
// metadata only (id, label, order, last use, last error); the key is keychain account
// `agent:<id>:auth:<profile>`. The opt-in shared pool keeps its metadata in
// `<stateDir>/auth-profiles.json` and its keys at `shared:auth:<profile>`.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ID_PATTERN, type AgentConfig, type SwitchboardConfig } from '../../src-shared/config/index.ts';
import { agentPaths, type Locations } from '../config/paths.ts';
import { atomicWrite } from '../config/store.ts';
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

interface ProfilesFile { version: 1; profiles: AuthProfile[] }

/** What the profile code needs to know about an agent. */
export interface AgentAuthRef { id: string; agentDir: string; scope: ProfileScope }

export function agentAuthRef(agent: AgentConfig, config: SwitchboardConfig, loc: Locations, homeDir?: string): AgentAuthRef {
  return { id: agent.id, agentDir: agentPaths(agent, config, loc, homeDir).agentDir, scope: agent.authProfiles.scope };
}

export class AuthProfileError extends Error {
  constructor(message: string, readonly code: 'bad_request' | 'not_found' | 'conflict' = 'bad_request') {
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
  if (parsed.version !== 1 || !Array.isArray(parsed.profiles)) throw new Error(`${file}: unknown auth-profiles format (version ${String(parsed.version)})`);
  return [...parsed.profiles].sort((a, b) => a.order - b.order);
}

// Writers in this process go one at a time per file; a lock file covers the CLI and gateway racing.
const chains = new Map<string, Promise<unknown>>();

export async function updateProfiles<T>(file: string, mutate: (profiles: AuthProfile[]) => T): Promise<T> {
  const run = async (): Promise<T> => {
    const release = await lockFile(`${file}.lock`);
    try {
      const profiles = await readProfiles(file);
      const result = mutate(profiles);
      await atomicWrite(file, `${JSON.stringify({ version: 1, profiles } satisfies ProfilesFile, null, 2)}\n`, 0o600);
      return result;
    } finally {
      await release();
    }
  };
  const next = (chains.get(file) ?? Promise.resolve()).then(run, run);
  chains.set(file, next.catch(() => undefined));
  return next;
}

async function lockFile(lockPath: string): Promise<() => Promise<void>> {
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  const token = `${process.pid}:${randomBytes(4).toString('hex')}`;
  const deadline = Date.now() + 3000;
  for (;;) {
    try {
      await fs.writeFile(lockPath, token, { flag: 'wx', mode: 0o600 });
      return () => fs.rm(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const stat = await fs.stat(lockPath).catch(() => undefined);
      // A writer holds the lock for milliseconds; an old lock was left by a crash.
      if (!stat || Date.now() - stat.mtimeMs > 10_000 || Date.now() > deadline) await fs.rm(lockPath, { force: true });
      else await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export function keyAccount(agentId: string, profile: Pick<AuthProfile, 'profileId' | 'scope'>): string {
  return profile.scope === 'shared' ? sharedAuthAccount(profile.profileId) : agentAuthAccount(agentId, profile.profileId);
}

/** Profile operations over the metadata files and the keychain. */
export class AuthProfiles {
  constructor(private readonly store: SecretStore, private readonly stateDir: string) {}

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
  async add(agent: AgentAuthRef, opts: { profileId?: string; shared?: boolean; label?: string; apiKey: string; now?: Date }): Promise<AuthProfile> {
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
        profileId, provider: 'anthropic', kind: 'api_key', scope, createdAt: existing?.createdAt ?? now,
        order: existing?.order ?? profiles.reduce((m, p) => Math.max(m, p.order + 1), 0),
        ...(opts.label ?? existing?.label ? { label: opts.label ?? existing?.label } : {}),
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

  /** Copies the agent-scope profile(s) of `from` to `to` (an explicit action: keys never flow by themselves). */
  async copy(from: AgentAuthRef, to: AgentAuthRef, profileId?: string): Promise<string[]> {
    const own = await readProfiles(agentProfilesPath(from));
    const wanted = profileId === undefined ? own : own.filter((p) => p.profileId === checkProfileId(profileId));
    if (wanted.length === 0) throw new AuthProfileError(profileId ? `agent "${from.id}" has no profile "${profileId}"` : `agent "${from.id}" has no profiles of its own to copy`, 'not_found');
    const copied: string[] = [];
    for (const p of wanted) {
      const key = await this.store.get(agentAuthAccount(from.id, p.profileId));
      if (key === null) throw new AuthProfileError(`profile "${p.profileId}" of agent "${from.id}" has no key in the keychain; add it again with "switchboard auth add --agent ${from.id} --profile ${p.profileId}"`, 'not_found');
      await this.add(to, { profileId: p.profileId, apiKey: key, ...(p.label ? { label: p.label } : {}) });
      copied.push(p.profileId);
    }
    return copied;
  }

  async markFailed(agent: AgentAuthRef, profile: Pick<AuthProfile, 'profileId' | 'scope'>, kind: string, message: string, now = new Date()): Promise<void> {
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
