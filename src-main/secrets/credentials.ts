// Credential views and checks shared by the CLI and the control plane: which secret names the
// config refers to (and where), which plaintext secrets it still holds, and per-agent profile
// listings — names, places and metadata only, never values.
import { SECRET_FIELDS, hasEnvReference, isChannelId, type SwitchboardConfig } from '../../src-shared/config/index.ts';
import type { Locations } from '../config/paths.ts';
import { agentAuthRef, keyAccount, type AuthProfile, type AuthProfiles } from './auth-profiles.ts';
import { secretAccount, type KeychainStatus, type SecretStore } from './store.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{ secret: NAME }` references in a raw config → the paths that use each name. */
export function secretReferences(raw: unknown): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  const visit = (node: unknown, at: string, depth: number): void => {
    if (depth > 12) return;
    if (Array.isArray(node)) node.forEach((v, i) => visit(v, `${at}[${i}]`, depth + 1));
    if (!isObj(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === 'secret' && typeof node.secret === 'string') {
      refs.set(node.secret, [...(refs.get(node.secret) ?? []), at]);
      return;
    }
    for (const [k, v] of Object.entries(node)) visit(v, at ? `${at}.${k}` : k, depth + 1);
  };
  visit(raw, '', 0);
  return refs;
}

export interface PlaintextSecret {
  /** Path in the raw config, for ConfigStore.update. */
  path: string[];
  channel: string;
  account: string;
  field: string;
  /** The keychain name it moves to (the same names `import` uses). */
  name: string;
  value: string;
}

/**
 * The keychain name a channel account's plaintext secret moves to: `telegram/<account>`, and for
 * Slack, whose accounts hold two tokens, `slack/<account>/app` and `slack/<account>/bot` (the names
 * the adapter's "no token" error suggests) — one name per field, so one never overwrites the other.
 */
export function channelSecretName(channel: string, account: string, field: string): string {
  if (channel === 'slack') return `slack/${account}/${field === 'appToken' ? 'app' : 'bot'}`;
  return `${channel}/${account}`;
}

/** Plaintext strings in the channels' secret fields (base block = default account, and accounts). */
export function findPlaintextSecrets(raw: unknown): PlaintextSecret[] {
  const found: PlaintextSecret[] = [];
  const channels = isObj(raw) && isObj(raw.channels) ? raw.channels : {};
  for (const [channel, block] of Object.entries(channels)) {
    if (!isChannelId(channel) || !isObj(block)) continue;
    const visit = (holder: Obj, account: string, at: string[]) => {
      for (const field of SECRET_FIELDS[channel]) {
        const value = holder[field];
        // `"${TG_TOKEN}"` is an environment reference (substituted at load), not a secret in the file.
        if (typeof value === 'string' && value.trim() !== '' && !hasEnvReference(value))
          found.push({ path: [...at, field], channel, account, field, name: channelSecretName(channel, account, field), value });
      }
    };
    visit(block, 'default', ['channels', channel]);
    if (isObj(block.accounts)) {
      for (const [account, value] of Object.entries(block.accounts))
        if (isObj(value)) visit(value, account.toLowerCase(), ['channels', channel, 'accounts', account]);
    }
  }
  return found;
}

/** Replaces the value at `path` in a raw config object. */
export function setPath(raw: Obj, path: string[], value: unknown): void {
  let node: Obj = raw;
  for (const part of path.slice(0, -1)) node = node[part] as Obj;
  node[path[path.length - 1]!] = value;
}

export interface SecretInfo {
  name: string;
  stored: boolean | null;
  usedAt: string[];
}

/** Every name the config refers to plus every `secret:` entry in the keychain. */
export async function listSecrets(store: SecretStore, raw: unknown): Promise<{ keychain: KeychainStatus; secrets: SecretInfo[] }> {
  const refs = secretReferences(raw);
  let stored: Set<string> | null = null;
  let keychain: KeychainStatus = { available: true, reason: null };
  try {
    stored = new Set((await store.list('secret:')).map((a) => a.slice('secret:'.length)));
  } catch (err) {
    keychain = { available: false, reason: (err as { reason?: string }).reason ?? (err as Error).message };
  }
  const names = new Set([...refs.keys(), ...(stored ?? [])]);
  const secrets = [...names].sort().map((name) => ({ name, stored: stored ? stored.has(name) : null, usedAt: refs.get(name) ?? [] }));
  return { keychain, secrets };
}

export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_./:-]{0,127}$/;

export function checkSecretName(name: string): string {
  if (!SECRET_NAME.test(name))
    throw Object.assign(
      new Error(`secret name "${name}" is not allowed: use up to 128 letters, digits and _ . / : - (e.g. telegram/default)`),
      { code: 'bad_request' },
    );
  return name;
}

export async function storeSecret(store: SecretStore, name: string, value: string): Promise<void> {
  await store.set(secretAccount(checkSecretName(name)), value);
}

export interface AgentProfilesView {
  agentId: string;
  scope: 'agent' | 'shared';
  /** The agent has no profile, so turns use ANTHROPIC_API_KEY (when set). */
  envFallback: boolean;
  profiles: (AuthProfile & { keyStored: boolean | null })[];
}

/** Profiles per agent with whether each key is in the keychain (asked once per profile). */
export async function listAgentProfiles(
  profiles: AuthProfiles,
  store: SecretStore,
  config: SwitchboardConfig,
  loc: Locations,
  homeDir: string | undefined,
  agentId?: string,
): Promise<{ keychain: KeychainStatus; agents: AgentProfilesView[] }> {
  const agents = config.agents.list.filter((a) => agentId === undefined || a.id === agentId.toLowerCase());
  let accounts: Set<string> | null = null;
  let keychain: KeychainStatus = { available: true, reason: null };
  try {
    accounts = new Set(await store.list());
  } catch (err) {
    keychain = { available: false, reason: (err as { reason?: string }).reason ?? (err as Error).message };
  }
  const views: AgentProfilesView[] = [];
  for (const agent of agents) {
    const ref = agentAuthRef(agent, config, loc, homeDir);
    const list = await profiles.listFor(ref);
    views.push({
      agentId: agent.id,
      scope: ref.scope,
      envFallback: list.length === 0,
      profiles: list.map((p) => ({ ...p, keyStored: accounts ? accounts.has(keyAccount(agent.id, p)) : null })),
    });
  }
  return { keychain, agents: views };
}
