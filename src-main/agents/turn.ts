// The agent turn engine (docs/agents.md#turns): system prompt + history → streaming Messages API
// call → tool loop → transcript records. Retries are our own (SDK maxRetries 0) so the policy is
// exact: only API calls are re-sent, only before any text was streamed, and tools never run twice.
import type Anthropic from '@anthropic-ai/sdk';
import type * as SdkModule from '@anthropic-ai/sdk';

type Sdk = typeof SdkModule;
/**
 * The SDK is loaded with the first turn, not at start-up: an idle gateway stays smaller (how
 * much: docs/testing.md#figures-the-code-relies-on), and no SDK error exists before it loads.
 */
let sdk: Sdk | undefined;
async function loadSdk(): Promise<Sdk> {
  sdk ??= await import('@anthropic-ai/sdk');
  return sdk;
}
import { createHash } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  baseUrlProblem,
  canonicalModelName,
  DEFAULT_MODEL,
  type AgentConfig,
  type SwitchboardConfig,
} from '../../src-shared/config/index.ts';
import { createLogger, type Logger, type LogLevel, type ModuleLogger } from '../log.ts';
import { redactText } from '../secrets/redact.ts';
import type { AgentSessionStore } from '../sessions/index.ts';
import { createModelFetch, type ModelFetch } from './http-fetch.ts';
import { proxyFor } from '../net/proxy.ts';
import { isStorageError } from '../gateway/storage-health.ts';
import { buildHistory, type WireBlock, type WireMessage, type WireToolResult } from './history.ts';
import { buildSystemPrompt, chatTypeOf, PersonaFileCache } from './prompt.ts';
import { capText, ToolRegistry, type ToolContext } from './tools/index.ts';
import type { AgentMessenger, ApiKeySource, SubagentSpawner, TurnFailureKind, TurnRequest, TurnResult } from './turn-types.ts';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
}
export interface AgentTurnRunnerOptions {
  keys: ApiKeySource;
  env?: NodeJS.ProcessEnv;
  messenger?: AgentMessenger;
  spawner?: SubagentSpawner;
  sessionsFor?: (agentId: string) => AgentSessionStore | undefined;
  /** Every line goes through the redactor of the turn's key first. */
  log?: Logger;
  retry?: Partial<RetryPolicy>;
  maxToolRounds?: number;
  historyTokenBudget?: number;
  maxOutputTokens?: number;
  /** Tool implementations (default: the built-ins); the gateway registers memory/task tools here. */
  tools?: ToolRegistry;
  now?: () => Date;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };
export const NO_API_KEY_MESSAGE = 'no API key — add one in Settings or with `switchboard auth add`';
export const RECORD_OUTPUT_MAX = 16 * 1024;
const DEFAULT_BASE_URL = 'https://api.anthropic.com';
const MAX_CLIENTS = 32;

export const USER_MESSAGES: Record<TurnFailureKind, string> = {
  no_api_key: NO_API_KEY_MESSAGE,
  auth: 'Sorry — my API key was rejected; my owner needs to check it in Settings.',
  rate_limited: 'Sorry — I am being rate-limited right now; please try again in a minute.',
  spend_limit: 'Sorry — the usage or spend limit of my API account has been reached; my owner needs to check billing.',
  overloaded: 'Sorry — the model is overloaded right now; please try again in a minute.',
  model_not_found: 'Sorry — the model I am set to use does not exist; my owner needs to check my model setting.',
  server: 'Sorry — the model service had an error; please try again in a minute.',
  network: 'Sorry — I could not reach the model service; please try again in a minute.',
  proxy: 'Sorry — I cannot reach the model: the network proxy refused the connection; my owner needs to check the proxy settings.',
  stream_cut: 'Sorry — my reply was cut off; ask again if you need the rest.',
  cancelled: 'Stopped — I did not finish that reply.',
  tool_loop_limit: 'Sorry — this needed more tool steps than I am allowed in one reply, so I stopped; try a narrower request.',
  internal: 'Sorry — something went wrong on my side; please try again.',
  storage_unavailable:
    "Note: I can't store anything right now (my disk is full or read-only), so this exchange is not saved and I won't remember it.",
};

/** agent.model, else agents.defaults.model, else DEFAULT_MODEL; `anthropic/` prefix stripped. */
export function resolveModel(agent: AgentConfig, config: SwitchboardConfig): string {
  const m = agent.model?.trim() || config.agents.defaults.model?.trim() || DEFAULT_MODEL;
  return canonicalModelName(m);
}

/**
 * The models a turn may use, in order: the primary (resolveModel), then its fallbacks — the
 * agent's own, else those of agents.defaults when the agent names no model — each once.
 */
export function resolveModelChain(agent: AgentConfig, config: SwitchboardConfig): string[] {
  const fallbacks = agent.model?.trim()
    ? (agent.modelFallbacks ?? [])
    : (agent.modelFallbacks ?? config.agents.defaults.modelFallbacks ?? []);
  return [...new Set([resolveModel(agent, config), ...fallbacks.map((m) => canonicalModelName(m.trim()))])];
}

/**
 * The failures the next model of the chain may not share (docs/config.md#model-fallbacks): this
 * model overloaded, its servers failing after our retries, or this model unknown to the API. A
 * rejected key, a refused permission, a bad request, a spend or rate limit would fail the same way
 * with any model of the same account, so they end the turn instead of burning the chain.
 */
const FALLBACK_KINDS: ReadonlySet<TurnFailureKind> = new Set(['overloaded', 'server', 'model_not_found']);
/** How a fallback reads in the transcript and the inspector: "answered by B (fallback: A overloaded)". */
export interface ModelFallback {
  model: string;
  reason: TurnFailureKind;
}
/** The API key must never go out over plain http: an environment endpoint that would send it so is refused. */
export class InsecureEndpointError extends Error {
  override name = 'InsecureEndpointError';
}

/**
 * Config `models.anthropic.baseUrl` wins over ANTHROPIC_BASE_URL (docs/config.md#endpoints). The config's is
 * checked by the config checker; the environment's is checked here (InsecureEndpointError).
 */
export function resolveBaseUrl(config: SwitchboardConfig, env: NodeJS.ProcessEnv): string {
  const configured = config.models.anthropic.baseUrl?.trim();
  if (configured) return configured;
  const fromEnv = env.ANTHROPIC_BASE_URL?.trim();
  if (!fromEnv) return DEFAULT_BASE_URL;
  const problem = baseUrlProblem(fromEnv, 'ANTHROPIC_BASE_URL');
  if (problem)
    throw new InsecureEndpointError(`${problem.message}; fix or unset ANTHROPIC_BASE_URL, or set models.anthropic.baseUrl in the config`);
  return fromEnv;
}

/** Removes the key itself, then whatever the app-wide redaction point masks (known secrets, token shapes, URL credentials). */
export function makeRedactor(secret?: string): (s: string) => string {
  return (s) => redactText(secret && secret.length >= 4 ? s.split(secret).join('[redacted]') : s);
}

interface Classified {
  kind: TurnFailureKind;
  retryable: boolean;
  detail: string;
  retryAfterMs?: number;
}
const SPEND_RE = /credit balance|usage limit|spend(?:ing)? limit|billing/i;

function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after');
  if (!raw) return undefined;
  const secs = Number(raw);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Maps an SDK/transport error to a failure kind and whether re-sending the call may help. */
export function classifyError(err: unknown, now = Date.now()): Classified {
  const { APIUserAbortError, APIError, APIConnectionError } = sdk ?? {};
  if (APIUserAbortError && err instanceof APIUserAbortError) return { kind: 'cancelled', retryable: false, detail: 'request aborted' };
  if (!APIError || !(err instanceof APIError)) {
    // undici "terminated" (socket closed mid-body), ECONNRESET…: the connection broke.
    return { kind: 'network', retryable: true, detail: `connection failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  const status = err.status as number | undefined;
  const apiMsg = err.apiMessage ?? '';
  const detail = `${status ?? 'stream error'}${err.type ? ` ${err.type}` : ''}${err.errorCode ? ` (${err.errorCode})` : ''}${apiMsg ? `: ${apiMsg}` : ''}${err.requestID ? ` [${err.requestID}]` : ''}`;
  // 407 comes from the proxy (http-fetch.ts rewrites it into a body naming the variable), never
  // from the API: re-sending the same credentials cannot help.
  if (status === 407 || (err.type as string | null) === 'proxy_authentication_required') return { kind: 'proxy', retryable: false, detail };
  if (err.errorCode?.includes('spend_limit') || status === 402 || err.type === 'billing_error')
    return { kind: 'spend_limit', retryable: false, detail };
  if ((status === 400 || status === 403) && SPEND_RE.test(apiMsg)) return { kind: 'spend_limit', retryable: false, detail };
  if (status === 401 || status === 403 || err.type === 'authentication_error' || err.type === 'permission_error')
    return { kind: 'auth', retryable: false, detail };
  if (status === 429 || err.type === 'rate_limit_error') {
    const after = retryAfterMs(err.headers, now);
    return { kind: 'rate_limited', retryable: true, detail, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  if (status === 529 || err.type === 'overloaded_error') return { kind: 'overloaded', retryable: true, detail };
  if (APIConnectionError && err instanceof APIConnectionError) return { kind: 'network', retryable: true, detail: 'connection failed' };
  if ((status !== undefined && (status >= 500 || status === 408)) || err.type === 'api_error' || err.type === 'timeout_error')
    return { kind: 'server', retryable: true, detail };
  // The API answers an unknown model name with a 404 naming the model; any other 404 is our bug.
  if ((status === 404 || err.type === 'not_found_error') && /model/i.test(apiMsg))
    return { kind: 'model_not_found', retryable: false, detail };
  return { kind: 'internal', retryable: false, detail }; // 400 invalid request…
}

interface Usage {
  inputTokens: number;
  outputTokens: number;
}
interface ToolUse {
  id: string;
  name: string;
  input: unknown;
  inputError?: string;
}
/** One API call (all its attempts): what the model produced and how it ended. */
interface CallResult {
  text: string;
  toolUses: ToolUse[];
  stopReason: string | null;
  usage: Usage;
  /** A message_start arrived on the last attempt: there is an assistant message to record. */
  started: boolean;
  failure?: Classified;
}
interface TurnState {
  text: string;
  usage: Usage;
  /** The chain (resolveModelChain) and where in it this turn is: a turn that fell back stays on the model that answered. */
  chain: string[];
  at: number;
  fallbackFrom: (ModelFallback & { detail: string })[];
  /** Tokens per model that spent them, for the usage ledger. */
  usageByModel: Record<string, Usage>;
  toolCalls: number;
  redact: (s: string) => string;
  executed: Map<string, WireToolResult>;
}
type ApiParams = {
  model: string;
  max_tokens: number;
  system: string;
  messages: WireMessage[];
  tools?: ReturnType<ToolRegistry['definitions']>;
};
interface KeyHolder {
  client: Anthropic;
  apiKey: string;
  profileId: string | undefined;
}

const addUsage = (a: Usage, b: Usage): void => {
  a.inputTokens += b.inputTokens;
  a.outputTokens += b.outputTokens;
};
const callback = (fn: (() => void) | undefined): void => {
  try {
    fn?.();
  } catch {
    /* a live-view callback must not break the turn */
  }
};

export class AgentTurnRunner {
  private readonly opts: AgentTurnRunnerOptions;
  private readonly retry: RetryPolicy;
  private readonly tools: ToolRegistry;
  private readonly files = new PersonaFileCache();
  private readonly clients = new Map<string, Anthropic>();
  private lastKey: { apiKey: string; hash: string } | undefined;
  private readonly log: ModuleLogger | undefined;
  /** Model calls go through the proxy the runner's env names (HTTPS_PROXY…, src-main/net/proxy.ts). */
  private readonly fetch: ModelFetch;

  constructor(opts: AgentTurnRunnerOptions) {
    this.opts = opts;
    this.fetch = createModelFetch({ env: opts.env ?? process.env });
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.tools = opts.tools ?? new ToolRegistry();
    this.log = opts.log && createLogger('agent', opts.log);
  }

  async run(req: TurnRequest): Promise<TurnResult> {
    const chain = resolveModelChain(req.agent, req.config);
    const model = chain[0]!;
    const st: TurnState = {
      text: '',
      usage: { inputTokens: 0, outputTokens: 0 },
      chain,
      at: 0,
      fallbackFrom: [],
      usageByModel: {},
      toolCalls: 0,
      redact: makeRedactor(),
      executed: new Map(),
    };
    try {
      return await this.runTurn(req, model, st);
    } catch (err) {
      // A record refused by the disk: the reply (if any) is still sent, with a note that it is not kept.
      const kind = isStorageError(err) ? 'storage_unavailable' : 'internal';
      return this.fail(req, model, st, kind, `turn failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async runTurn(req: TurnRequest, model: string, st: TurnState): Promise<TurnResult> {
    const { agent } = req;
    if (req.signal.aborted) return this.fail(req, model, st, 'cancelled', 'cancelled before the turn started');
    const key = await this.opts.keys.apiKeyFor(agent.id).catch((err: unknown) => ({
      ok: false as const,
      reason: `credentials unavailable: ${err instanceof Error ? err.message : String(err)}`,
    }));
    if (!key.ok) return this.fail(req, model, st, 'no_api_key', key.reason);
    st.redact = makeRedactor(key.apiKey);
    const baseURL = resolveBaseUrl(req.config, this.opts.env ?? process.env);
    const holder: KeyHolder = { client: await this.clientFor(baseURL, key.apiKey), apiKey: key.apiKey, profileId: key.profileId };

    const ctx: ToolContext = {
      agent,
      config: req.config,
      paths: req.paths,
      sessionKey: req.sessionKey,
      inbound: req.inbound,
      model,
      store: this.opts.sessionsFor?.(agent.id) ?? req.store,
      usage: () => ({ ...st.usage }),
      env: this.opts.env ?? process.env,
      ...(req.confinement ? { confinement: req.confinement } : {}),
      signal: req.signal,
      ...(this.opts.messenger ? { messenger: this.opts.messenger } : {}),
      ...(this.opts.spawner ? { spawner: this.opts.spawner } : {}),
      ...(req.spawnDepth ? { spawnDepth: req.spawnDepth } : {}),
    };
    const tools = this.tools.definitions(ctx);
    const prompt = await buildSystemPrompt({
      agent,
      workspace: req.paths.workspace,
      sessionKey: req.sessionKey,
      inbound: req.inbound,
      tools,
      files: this.files,
      stateDir: req.loc.stateDir,
      now: this.opts.now?.() ?? new Date(),
    });
    for (const s of prompt.skipped)
      this.logLine('warn', 'persona file not loaded', st, { agentId: agent.id, file: s.file, reason: s.reason });
    const chat = chatTypeOf(req.sessionKey);
    const history = await buildHistory(req.store, req.sessionKey, {
      budgetTokens: this.opts.historyTokenBudget ?? 60_000,
      current: { text: req.inbound.text, sender: req.inbound.sender, ...(req.inbound.images ? { images: req.inbound.images } : {}) },
      groupChat: chat === 'group' || chat === 'channel',
      inboundSeq: req.inboundSeq,
    });
    const messages = history.messages;
    const maxRounds = this.opts.maxToolRounds ?? 8;

    for (let round = 0; ; round++) {
      const params: ApiParams = {
        model: st.chain[st.at]!,
        max_tokens: this.opts.maxOutputTokens ?? 2048,
        system: prompt.text,
        messages,
        ...(tools.length ? { tools } : {}),
      };
      const call = await this.callChain(req, holder, params, st, baseURL);
      const model = call.model;
      const cut = call.failure?.kind === 'stream_cut' || call.failure?.kind === 'cancelled';
      // A failed call that produced no text leaves no (empty) assistant message; its usage goes on the error record.
      const recorded = call.started && (call.text !== '' || !call.failure);
      if (recorded) {
        await this.append(req, {
          type: 'message',
          role: 'assistant',
          text: st.redact(call.text),
          ...(cut ? { incomplete: true } : {}),
          model,
          ...(st.fallbackFrom.length ? { fallbackFrom: st.fallbackFrom.map(({ model, reason }) => ({ model, reason })) } : {}),
          ...(call.stopReason ? { stopReason: call.stopReason } : {}),
          usage: call.usage,
        });
      }
      if (call.failure) return this.fail(req, model, st, call.failure.kind, call.failure.detail, recorded ? undefined : call.usage);
      if (call.stopReason !== 'tool_use' || call.toolUses.length === 0) return this.finish(req, model, st, round);
      if (round >= maxRounds)
        return this.fail(req, model, st, 'tool_loop_limit', `the model asked for tool round ${round + 1}; the limit is ${maxRounds}`);

      const results: WireToolResult[] = [];
      for (const tu of call.toolUses) {
        if (req.signal.aborted) return this.fail(req, model, st, 'cancelled', 'cancelled during tool calls');
        results.push(await this.runTool(req, ctx, st, tu));
      }
      if (req.signal.aborted) return this.fail(req, model, st, 'cancelled', 'cancelled during tool calls');
      const assistant: WireBlock[] = call.text.trim() ? [{ type: 'text', text: call.text }] : [];
      for (const tu of call.toolUses) assistant.push({ type: 'tool_use', id: tu.id, name: tu.name, input: tu.inputError ? {} : tu.input });
      messages.push({ role: 'assistant', content: assistant }, { role: 'user', content: results });
    }
  }

  /** Executes one tool_use at most once per turn (keyed by id), recording the call and its result. */
  private async runTool(req: TurnRequest, ctx: ToolContext, st: TurnState, tu: ToolUse): Promise<WireToolResult> {
    const done = st.executed.get(tu.id);
    if (done) return done;
    // The record and the live view get the input masked like a tool's output (the model may echo
    // a key or token into it); the tool itself runs with the input as sent. Masked before capped:
    // a cut secret would no longer be recognised.
    const shown = redactDeep(tu.input, st.redact);
    await this.append(req, { type: 'tool_call', id: tu.id, name: tu.name, input: capInput(shown) });
    callback(() => req.onToolCall?.({ id: tu.id, name: tu.name, input: shown }));
    const exec = tu.inputError
      ? { output: tu.inputError, isError: true, summary: tu.inputError }
      : await this.tools.execute(tu.name, tu.input, ctx);
    const output = st.redact(exec.output);
    await this.append(req, {
      type: 'tool_result',
      id: tu.id,
      name: tu.name,
      isError: exec.isError,
      output: capText(output, RECORD_OUTPUT_MAX),
    });
    st.toolCalls++;
    callback(() => req.onToolResult?.({ id: tu.id, name: tu.name, isError: exec.isError, summary: st.redact(exec.summary) }));
    const result: WireToolResult = {
      type: 'tool_result',
      tool_use_id: tu.id,
      content: output || '(no output)',
      ...(exec.isError ? { is_error: true } : {}),
    };
    st.executed.set(tu.id, result);
    return result;
  }

  /**
   * One API call on the turn's current model, then on each next model of the chain while the
   * failure is one a fallback may cure (FALLBACK_KINDS) and nothing was streamed yet.
   */
  private async callChain(
    req: TurnRequest,
    holder: KeyHolder,
    params: ApiParams,
    st: TurnState,
    baseURL: string,
  ): Promise<CallResult & { model: string }> {
    for (;;) {
      const model = st.chain[st.at]!;
      const call = await this.callModel(req, holder, { ...params, model }, st, baseURL);
      addUsage(st.usage, call.usage);
      addUsage((st.usageByModel[model] ??= { inputTokens: 0, outputTokens: 0 }), call.usage);
      const f = call.failure;
      if (!f || call.text || !FALLBACK_KINDS.has(f.kind) || st.at + 1 >= st.chain.length) {
        // Whatever ended the turn after a fallback, the error names every model tried and why.
        if (f && st.fallbackFrom.length)
          return {
            ...call,
            model,
            failure: {
              ...f,
              detail: `models tried: ${[...st.fallbackFrom.map((x) => `${x.model} (${x.detail})`), `${model} (${f.detail})`].join('; ')}`,
            },
          };
        return { ...call, model };
      }
      st.fallbackFrom.push({ model, reason: f.kind, detail: f.detail });
      st.at++;
      this.logLine('warn', 'model failed; falling back to the next model', st, {
        agentId: req.agent.id,
        model,
        kind: f.kind,
        detail: f.detail,
        next: st.chain[st.at],
      });
    }
  }

  /** One API call with the retry policy; re-sends only while nothing of it was streamed. */
  private async callModel(req: TurnRequest, holder: KeyHolder, params: ApiParams, st: TurnState, baseURL: string): Promise<CallResult> {
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let profileSwitches = 0;
    for (let attempt = 1; ; attempt++) {
      if (req.signal.aborted)
        return {
          text: '',
          toolUses: [],
          stopReason: null,
          usage,
          started: false,
          failure: { kind: 'cancelled', retryable: false, detail: 'cancelled before the API call' },
        };
      const r = await this.streamOnce(holder.client, params, req, st);
      addUsage(usage, r.usage);
      r.usage = usage;
      if (!r.failure) return r;
      if (req.signal.aborted || r.failure.kind === 'cancelled')
        return { ...r, failure: { kind: 'cancelled', retryable: false, detail: 'cancelled while the reply was streaming' } };
      // Text already reached the chat: re-sending would duplicate it, so the reply stays partial.
      if (r.text)
        return {
          ...r,
          failure: { kind: 'stream_cut', retryable: false, detail: `reply cut off after ${r.text.length} characters: ${r.failure.detail}` },
        };
      const f = r.failure;
      if (f.kind === 'auth' || f.kind === 'spend_limit') {
        try {
          await this.opts.keys.reportFailure?.(req.agent.id, holder.profileId, f.kind);
        } catch {
          // The key source's bookkeeping failing must not hide the real failure.
        }
        // Fail over to the next auth profile, if the key source now hands out a different key.
        const next = profileSwitches < 3 ? await this.opts.keys.apiKeyFor(req.agent.id).catch(() => null) : null;
        if (next?.ok && next.apiKey !== holder.apiKey) {
          profileSwitches++;
          Object.assign(holder, { client: await this.clientFor(baseURL, next.apiKey), apiKey: next.apiKey, profileId: next.profileId });
          const prev = st.redact;
          const fresh = makeRedactor(next.apiKey);
          st.redact = (s) => fresh(prev(s));
          attempt--;
          continue;
        }
        return r;
      }
      if (!f.retryable || attempt >= this.retry.maxAttempts) return r;
      if (f.retryAfterMs !== undefined && f.retryAfterMs > this.retry.maxRetryAfterMs) {
        return {
          ...r,
          failure: {
            ...f,
            detail: `${f.detail} (retry-after ${Math.ceil(f.retryAfterMs / 1000)} s is longer than the ${Math.ceil(this.retry.maxRetryAfterMs / 1000)} s we wait)`,
          },
        };
      }
      const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
      const wait = f.retryAfterMs ?? Math.round(exp / 2 + (this.opts.random ?? Math.random)() * (exp / 2));
      this.logLine('warn', 'model call failed; retrying', st, {
        agentId: req.agent.id,
        kind: f.kind,
        detail: f.detail,
        attempt,
        waitMs: wait,
      });
      try {
        await (this.opts.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal })))(wait, req.signal);
      } catch {
        return { ...r, failure: { kind: 'cancelled', retryable: false, detail: 'cancelled while waiting to retry' } };
      }
    }
  }

  /** A single streaming request; never throws. A stream that ends without message_stop failed. */
  private async streamOnce(client: Anthropic, params: ApiParams, req: TurnRequest, st: TurnState): Promise<CallResult> {
    const r: CallResult = { text: '', toolUses: [], stopReason: null, usage: { inputTokens: 0, outputTokens: 0 }, started: false };
    const blocks = new Map<number, { id: string; name: string; json: string }>();
    let complete = false;
    const emit = (t: string): void => {
      if (!t) return;
      // Rounds after a tool call continue the same chat reply: keep them apart.
      if (!r.text && st.text) {
        st.text += '\n\n';
        callback(() => req.onDelta?.('\n\n'));
      }
      r.text += t;
      st.text += t;
      callback(() => req.onDelta?.(t));
    };
    try {
      const stream = await client.messages.create({ ...params, stream: true } as Anthropic.MessageCreateParamsStreaming, {
        signal: req.signal,
      });
      for await (const ev of stream) {
        if (ev.type === 'message_start') {
          r.started = true;
          const u = ev.message.usage;
          r.usage = {
            inputTokens: u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
            outputTokens: u.output_tokens,
          };
        } else if (ev.type === 'content_block_start') {
          if (ev.content_block.type === 'text') emit(ev.content_block.text);
          else if (ev.content_block.type === 'tool_use')
            blocks.set(ev.index, { id: ev.content_block.id, name: ev.content_block.name, json: '' });
        } else if (ev.type === 'content_block_delta') {
          if (ev.delta.type === 'text_delta') emit(ev.delta.text);
          else if (ev.delta.type === 'input_json_delta') {
            const b = blocks.get(ev.index);
            if (b) b.json += ev.delta.partial_json;
          }
        } else if (ev.type === 'content_block_stop') {
          const b = blocks.get(ev.index);
          if (b) r.toolUses.push(parseToolUse(b));
        } else if (ev.type === 'message_delta') {
          r.stopReason = ev.delta.stop_reason;
          r.usage.outputTokens = ev.usage.output_tokens;
          if (typeof ev.usage.input_tokens === 'number')
            r.usage.inputTokens =
              ev.usage.input_tokens + (ev.usage.cache_creation_input_tokens ?? 0) + (ev.usage.cache_read_input_tokens ?? 0);
        } else if (ev.type === 'message_stop') {
          complete = true;
        }
      }
      // An abort ends the SDK's iteration quietly; any other early end is a broken stream.
      if (!complete)
        r.failure = req.signal.aborted
          ? { kind: 'cancelled', retryable: false, detail: 'aborted' }
          : { kind: 'network', retryable: true, detail: 'the stream ended before message_stop' };
    } catch (err) {
      r.failure = req.signal.aborted
        ? { kind: 'cancelled', retryable: false, detail: 'aborted' }
        : classifyError(err, (this.opts.now?.() ?? new Date()).getTime());
    }
    return r;
  }

  private async clientFor(baseURL: string, apiKey: string): Promise<Anthropic> {
    const { default: AnthropicClient } = await loadSdk();
    // A proxy variable that cannot be used fails the turn naming the variable, instead of reaching
    // the SDK as an anonymous "Connection error.".
    proxyFor(baseURL, this.opts.env ?? process.env);
    // Keyed by a hash so the map's keys never hold the secret itself (hashed once per key in a row).
    if (this.lastKey?.apiKey !== apiKey) this.lastKey = { apiKey, hash: createHash('sha256').update(apiKey).digest('hex') };
    const id = `${baseURL}\n${this.lastKey.hash}`;
    let c = this.clients.get(id);
    if (!c) {
      const redact = makeRedactor(apiKey);
      const sdkLog = (...args: unknown[]): void =>
        this.log?.warn(redact(`anthropic sdk: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`));
      c = new AnthropicClient({
        apiKey,
        baseURL,
        maxRetries: 0,
        logLevel: 'warn',
        logger: { error: sdkLog, warn: sdkLog, info: () => undefined, debug: () => undefined },
        openTelemetry: false,
        fetch: this.fetch,
      });
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
      this.clients.set(id, c);
    }
    return c;
  }

  /** Every record of the turn names the inbound it answers (TurnRequest.inboundSeq). */
  private async append(req: TurnRequest, rec: { type: string; [k: string]: unknown }): Promise<void> {
    await req.store.append(req.sessionKey, { ...rec, inReplyTo: req.inboundSeq });
  }

  private finish(req: TurnRequest, model: string, st: TurnState, rounds: number): TurnResult {
    this.logLine('info', 'turn done', st, {
      agentId: req.agent.id,
      sessionKey: req.sessionKey,
      model,
      rounds: rounds + 1,
      toolCalls: st.toolCalls,
      ...st.usage,
    });
    return { text: st.text, incomplete: false, usage: st.usage, toolCalls: st.toolCalls, model, ...modelOutcome(st) };
  }

  /** Records the failure (never the key), logs it, and returns the honest chat line. */
  private async fail(
    req: TurnRequest,
    model: string,
    st: TurnState,
    kind: TurnFailureKind,
    detail: string,
    usage?: Usage,
  ): Promise<TurnResult> {
    const message = st.redact(detail);
    const hasUsage = usage && usage.inputTokens + usage.outputTokens > 0;
    let unrecorded = false;
    try {
      await this.append(req, {
        type: 'error',
        kind,
        message,
        ...(hasUsage ? { usage } : {}),
        // Usage names its model, as on an assistant record: the Usage page prices tokens by model.
        ...(hasUsage || st.fallbackFrom.length ? { model } : {}),
        ...(st.fallbackFrom.length ? { fallbackFrom: st.fallbackFrom.map(({ model, reason }) => ({ model, reason })) } : {}),
      });
    } catch (err) {
      unrecorded = true;
      this.logLine('error', 'could not record the turn failure', st, {
        agentId: req.agent.id,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    this.logLine(kind === 'cancelled' ? 'info' : 'warn', 'turn failed', st, {
      agentId: req.agent.id,
      sessionKey: req.sessionKey,
      model,
      kind,
      message,
    });
    const incomplete = kind === 'stream_cut' || kind === 'cancelled' || st.text !== '';
    return {
      text: st.text,
      incomplete,
      failure: { kind, message, userMessage: USER_MESSAGES[kind] },
      usage: st.usage,
      toolCalls: st.toolCalls,
      model,
      ...modelOutcome(st),
      ...(unrecorded ? { unrecorded: true as const } : {}),
    };
  }

  private logLine(level: LogLevel, msg: string, st: TurnState, fields: Record<string, unknown>): void {
    if (!this.log) return;
    try {
      this.log.log(level, st.redact(msg), redactDeep(fields, st.redact) as Record<string, unknown>);
    } catch {
      /* logging never breaks a turn */
    }
  }
}

function modelOutcome(st: TurnState): Pick<TurnResult, 'fallbackFrom' | 'usageByModel'> {
  return {
    ...(st.fallbackFrom.length ? { fallbackFrom: st.fallbackFrom.map(({ model, reason }) => ({ model, reason })) } : {}),
    ...(Object.keys(st.usageByModel).length ? { usageByModel: st.usageByModel } : {}),
  };
}

function redactDeep(v: unknown, redact: (s: string) => string, depth = 0): unknown {
  if (typeof v === 'string') return redact(v);
  if (depth > 8 || typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, redact, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x, redact, depth + 1)]));
}

function parseToolUse(b: { id: string; name: string; json: string }): ToolUse {
  if (b.json.trim() === '') return { id: b.id, name: b.name, input: {} };
  try {
    return { id: b.id, name: b.name, input: JSON.parse(b.json) as unknown };
  } catch {
    return {
      id: b.id,
      name: b.name,
      input: {},
      inputError: `the input of this ${b.name} call was not valid JSON (cut off?); nothing was run`,
    };
  }
}

/** Long strings inside a recorded tool input are capped so a big `write` does not bloat the transcript. */
function capInput(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return capText(v, RECORD_OUTPUT_MAX, 'value');
  if (depth > 8 || typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => capInput(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, capInput(x, depth + 1)]));
}
