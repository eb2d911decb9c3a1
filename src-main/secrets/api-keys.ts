// Where a turn gets its Anthropic key: the agent's auth profiles in order (failed ones skipped for
// a while, so a rejected key rotates to the next), ANTHROPIC_API_KEY only when the agent has no
// profile at all (docs/credentials.md#which-key-a-turn-uses). Profiles are read per call, so
// keys added by the CLI apply at once.
import { createModelFetch } from '../agents/http-fetch.ts';
import type { ApiKeySource } from '../agents/turn-types.ts';
import { ProxyConfigError, proxyFor } from '../net/proxy.ts';
import { registerSecret, redactText } from './redact.ts';
import { AuthProfiles, type AgentAuthRef, type AuthProfile } from './auth-profiles.ts';
import { SecretStoreUnavailableError, type SecretStore } from './store.ts';

/** A profile marked failed is skipped this long, then tried again (spend limits reset, keys get fixed). */
export const FAILURE_COOLDOWN_MS = 10 * 60_000;
/** lastUsedAt is a hint for the user, not a counter: write it at most this often per profile. */
const TOUCH_EVERY_MS = 60_000;

type KeyResult = { ok: true; apiKey: string; profileId?: string } | { ok: false; reason: string };

export interface ProfileApiKeySourceOptions {
  store: SecretStore;
  stateDir: string;
  /** The agent's folders and scope from the current config; undefined for an unknown agent. */
  agent: (agentId: string) => AgentAuthRef | undefined;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

/** `shared:<id>` for shared-pool profiles, so an agent's own "default" and the pool's never collide. */
const handleOf = (p: Pick<AuthProfile, 'profileId' | 'scope'>): string => (p.scope === 'shared' ? `shared:${p.profileId}` : p.profileId);

export class ProfileApiKeySource implements ApiKeySource {
  readonly profiles: AuthProfiles;
  private readonly touched = new Map<string, number>();

  constructor(private readonly opts: ProfileApiKeySourceOptions) {
    this.profiles = new AuthProfiles(opts.store, opts.stateDir);
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  async apiKeyFor(agentId: string): Promise<KeyResult> {
    const agent = this.opts.agent(agentId);
    if (!agent) return { ok: false, reason: `agent "${agentId}" is not configured` };
    const profiles = await this.profiles.listFor(agent);
    if (profiles.length === 0) {
      const key = (this.opts.env ?? process.env).ANTHROPIC_API_KEY?.trim();
      registerSecret(key);
      return key
        ? { ok: true, apiKey: key }
        : { ok: false, reason: `no API key: add one with "switchboard auth add --agent ${agent.id}" (or set ANTHROPIC_API_KEY)` };
    }
    const now = this.now().getTime();
    const usable = profiles.filter((p) => !p.lastError || now - Date.parse(p.lastError.at) >= FAILURE_COOLDOWN_MS);
    if (usable.length === 0) {
      const last = profiles.map((p) => `${handleOf(p)}: ${p.lastError!.message}`).join('; ');
      return {
        ok: false,
        reason: `every auth profile of agent "${agent.id}" failed recently (${last}); add a working key with "switchboard auth add --agent ${agent.id}" or check them with "switchboard auth test --agent ${agent.id}"`,
      };
    }
    const missing: string[] = [];
    for (const p of usable) {
      let key: string | null;
      try {
        key = await this.profiles.keyOf(agent, p);
      } catch (err) {
        // No plaintext fall-back, and not ANTHROPIC_API_KEY either: the agent has profiles.
        if (err instanceof SecretStoreUnavailableError) return { ok: false, reason: `credentials unavailable: ${err.reason}` };
        throw err;
      }
      if (key === null) {
        missing.push(handleOf(p));
        continue;
      }
      this.touch(agent, p, now);
      return { ok: true, apiKey: key, profileId: handleOf(p) };
    }
    return {
      ok: false,
      reason: `credentials unavailable: the keychain has no key for auth profile(s) ${missing.join(', ')} of agent "${agent.id}"; add it again with "switchboard auth add --agent ${agent.id} --profile <id>"`,
    };
  }

  async reportFailure(agentId: string, profileId: string | undefined, kind: 'auth' | 'spend_limit'): Promise<void> {
    const agent = this.opts.agent(agentId);
    if (!agent || profileId === undefined) return;
    const profile = profileId.startsWith('shared:')
      ? { profileId: profileId.slice('shared:'.length), scope: 'shared' as const }
      : { profileId, scope: 'agent' as const };
    const message = kind === 'auth' ? 'the key was rejected (401/403)' : 'the spend or usage limit was reached';
    await this.profiles.markFailed(agent, profile, kind, message, this.now());
  }

  private touch(agent: AgentAuthRef, p: AuthProfile, now: number): void {
    const id = `${agent.agentDir}\n${handleOf(p)}`;
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    // Bookkeeping only: a failed write must not fail the turn.
    void this.profiles.touch(agent, p, new Date(now)).catch(() => undefined);
  }
}

export interface KeyTestResult {
  profileId: string;
  ok: boolean;
  status?: number;
  message: string;
}

/**
 * A real, minimal Messages API call (max_tokens 1) with one key against `baseURL`, over the same
 * transport as turns (through the proxy `env` names). The message is redacted: API errors
 * sometimes echo parts of the request.
 */
export async function testApiKey(
  apiKey: string,
  opts: { baseURL: string; model: string; timeoutMs?: number; env?: NodeJS.ProcessEnv },
): Promise<{ ok: boolean; status?: number; message: string }> {
  registerSecret(apiKey);
  const env = opts.env ?? process.env;
  try {
    proxyFor(opts.baseURL, env);
  } catch (err) {
    if (err instanceof ProxyConfigError) return { ok: false, message: redactText(err.message) };
    throw err;
  }
  const { default: Anthropic } = await import('@anthropic-ai/sdk');
  const client = new Anthropic({
    apiKey,
    baseURL: opts.baseURL,
    maxRetries: 0,
    timeout: opts.timeoutMs ?? 30_000,
    fetch: createModelFetch({ env }),
  });
  try {
    const reply = await client.messages.create({ model: opts.model, max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] });
    return { ok: true, message: `the key works (model ${reply.model})` };
  } catch (err) {
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : undefined;
    const text = err instanceof Error ? err.message : String(err);
    const why =
      status === 401 || status === 403
        ? 'the key was rejected'
        : status === undefined
          ? 'the API could not be reached'
          : `the API answered ${status}`;
    return { ok: false, ...(status !== undefined ? { status } : {}), message: redactText(`${why}: ${text}`) };
  }
}

/** Tests every profile of an agent (or one), recording the outcome on each. */
export async function testAgentProfiles(
  profiles: AuthProfiles,
  agent: AgentAuthRef,
  opts: { baseURL: string; model: string; profileId?: string; env?: NodeJS.ProcessEnv },
): Promise<KeyTestResult[]> {
  const all = await profiles.listFor(agent);
  const chosen = opts.profileId === undefined ? all : all.filter((p) => handleOf(p) === opts.profileId || p.profileId === opts.profileId);
  if (all.length === 0) {
    const key = (opts.env ?? process.env).ANTHROPIC_API_KEY?.trim();
    if (!key)
      return [{ profileId: '(none)', ok: false, message: `agent "${agent.id}" has no auth profile and ANTHROPIC_API_KEY is not set` }];
    return [{ profileId: 'ANTHROPIC_API_KEY', ...(await testApiKey(key, opts)) }];
  }
  if (chosen.length === 0)
    return [{ profileId: opts.profileId ?? '', ok: false, message: `agent "${agent.id}" has no profile "${opts.profileId}"` }];
  const results: KeyTestResult[] = [];
  for (const p of chosen) {
    const key = await profiles.keyOf(agent, p);
    if (key === null) {
      results.push({ profileId: handleOf(p), ok: false, message: 'no key in the keychain for this profile' });
      continue;
    }
    const r = await testApiKey(key, opts);
    if (r.ok) await profiles.markOk(agent, p);
    else if (r.status === 401 || r.status === 403) await profiles.markFailed(agent, p, 'auth', r.message);
    results.push({ profileId: handleOf(p), ...r });
  }
  return results;
}
