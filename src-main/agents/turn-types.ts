// The contract between the gateway and an agent turn: what the gateway hands over (the session,
// the inbound message already persisted, callbacks for live events) and what it gets back.
import type { AgentConfig, SwitchboardConfig } from '../../src-shared/config/index.ts';
import type { RouteDecision } from '../../src-shared/routing/index.ts';
import type { AgentPaths, Locations } from '../config/paths.ts';
import type { AgentSessionStore } from '../sessions/index.ts';
import type { ExecConfinement } from './sandbox/index.ts';

export interface TurnInbound {
  text: string;
  sender: { id: string; name?: string };
  channel: string;
  route: RouteDecision;
  /** The dashboard operator, or a channel id listed in `agents.list[].owners`. */
  isOwner: boolean;
  /** Images as base64 blocks (already size-capped), placeholders already folded into `text`. */
  images?: { mediaType: string; dataBase64: string }[];
}

export interface TurnEvents {
  onDelta?(text: string): void;
  onToolCall?(call: { id: string; name: string; input: unknown }): void;
  onToolResult?(result: { id: string; name: string; isError: boolean; summary: string }): void;
}

export interface TurnRequest extends TurnEvents {
  agent: AgentConfig;
  config: SwitchboardConfig;
  paths: AgentPaths;
  loc: Locations;
  store: AgentSessionStore;
  sessionKey: string;
  /** The inbound user record is already in the transcript (durable) when the turn starts. */
  inbound: TurnInbound;
  /**
   * `seq` of that inbound record. Inbound messages are persisted when they arrive, so later user
   * records may already follow it in the file: history must leave out user records with a higher
   * seq, and every record the turn appends carries `inReplyTo: inboundSeq` so the conversation
   * order (a message, then its reply) can be rebuilt.
   */
  inboundSeq: number;
  /** Present when the agent's sandbox applies to this session: exec runs inside it. */
  confinement?: ExecConfinement;
  /** How many sessions_spawn levels above this turn (0: a turn started by a message or a heartbeat). */
  spawnDepth?: number;
  signal: AbortSignal;
}

export type TurnFailureKind =
  | 'no_api_key'
  | 'auth'
  | 'rate_limited'
  | 'spend_limit'
  | 'overloaded'
  /** The API does not know the model name (404 not_found_error naming it). */
  | 'model_not_found'
  | 'server'
  | 'network'
  /** The configured HTTP(S) proxy refused the call (407): an operator setting, not the API's fault. */
  | 'proxy'
  | 'stream_cut'
  | 'cancelled'
  | 'tool_loop_limit'
  /** A record of the turn could not be written (full disk, read-only state folder): the reply is not kept. */
  | 'storage_unavailable'
  | 'internal';

export interface TurnResult {
  /** The assistant's final text (possibly partial when `incomplete`). */
  text: string;
  incomplete: boolean;
  /** Set when the turn failed; `userMessage` is the short honest line sent to the chat. */
  failure?: { kind: TurnFailureKind; message: string; userMessage: string };
  usage: { inputTokens: number; outputTokens: number };
  toolCalls: number;
  /** The model that answered (after a fallback: the fallback), or the last one tried. */
  model: string;
  /** The models that failed before `model` was tried, and why (docs/config.md#model-fallbacks). */
  fallbackFrom?: { model: string; reason: TurnFailureKind }[];
  /** Tokens by the model that spent them (a turn that fell back spends on more than one). */
  usageByModel?: Record<string, { inputTokens: number; outputTokens: number }>;
  /** Set when the turn's outcome record (its error) could not be written: the gateway owes it. */
  unrecorded?: true;
}

/** Resolves the API key for an agent (auth profile, else ANTHROPIC_API_KEY). */
export interface ApiKeySource {
  apiKeyFor(agentId: string): Promise<{ ok: true; apiKey: string; profileId?: string } | { ok: false; reason: string }>;
  /** Called after a 401/403 or spend-limit failure so the next profile can be tried. */
  reportFailure?(agentId: string, profileId: string | undefined, kind: 'auth' | 'spend_limit'): Promise<void>;
}

/** Agent-to-agent delivery, provided by the gateway (runs a turn of the target agent). */
export type AgentMessenger = (
  from: string,
  to: string,
  text: string,
  signal: AbortSignal,
) => Promise<{ ok: true; reply: string } | { ok: false; reason: string }>;

/**
 * Sub-agent runs, provided by the gateway (sessions_spawn): runs `task` as a new turn of the same
 * agent in a child session and resolves with its final text. The parent turn is found by its abort
 * signal, so its lineage (session, depth, sender and owner status) comes from the gateway, never
 * from the tool's input; aborting that signal cancels the child.
 */
export type SubagentSpawner = (
  task: string,
  label: string | undefined,
  signal: AbortSignal,
) => Promise<{ ok: true; sessionKey: string; text: string } | { ok: false; sessionKey?: string; reason: string }>;
