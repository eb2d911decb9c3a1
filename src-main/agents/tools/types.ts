// What every agent tool implements (ToolDef) and what it receives (ToolContext), plus the small
// input-checking helpers the tool modules share. Tools never see the API key or the runner.
import type { AgentConfig, SwitchboardConfig } from '../../../src-shared/config/index.ts';
import type { AgentPaths } from '../../config/paths.ts';
import type { ExecConfinement } from '../sandbox/index.ts';
import type { AgentSessionStore } from '../../sessions/index.ts';
import type { AgentMessenger, SubagentSpawner, TurnInbound } from '../turn-types.ts';

export interface ToolContext {
  agent: AgentConfig;
  config: SwitchboardConfig;
  paths: AgentPaths;
  /** The session this turn runs in. */
  sessionKey: string;
  /** This agent's own sessions (never another agent's). */
  store: AgentSessionStore;
  inbound: TurnInbound;
  model: string;
  /** Tokens used by this turn so far. */
  usage(): { inputTokens: number; outputTokens: number };
  messenger?: AgentMessenger;
  spawner?: SubagentSpawner;
  /** sessions_spawn levels above this turn (0 or absent: not a sub-agent). */
  spawnDepth?: number;
  /** The gateway's environment (exec builds its scrubbed env from it). */
  env: NodeJS.ProcessEnv;
  /** Set by the gateway when this turn's exec must run in the OS sandbox (and the machine has one). */
  confinement?: ExecConfinement;
  signal: AbortSignal;
}

export interface ToolOutcome {
  /** Text sent back to the model as the tool_result content. */
  output: string;
  isError?: boolean;
  /** One line for live views (onToolResult); defaults to the output's first line. */
  summary?: string;
}

export interface JsonSchemaObject {
  type: 'object';
  properties: Record<string, unknown>;
  required?: string[];
  additionalProperties?: boolean;
}

export interface ToolDef {
  /** One of BUILTIN_TOOLS: the allow/deny policy only knows those names. */
  name: string;
  description: string;
  inputSchema: JsonSchemaObject;
  /** Null when usable in this turn; otherwise the reason (the tool is then not offered). */
  unavailableReason?(ctx: ToolContext): string | null;
  run(input: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutcome>;
}

/** A problem with what the model asked for: reported to it as an is_error result, not logged as a fault. */
export class ToolInputError extends Error {
  override name = 'ToolInputError';
}

export function reqString(input: Record<string, unknown>, key: string, opts: { allowEmpty?: boolean } = {}): string {
  const v = input[key];
  if (typeof v !== 'string') throw new ToolInputError(`"${key}" must be a string`);
  if (!opts.allowEmpty && v === '') throw new ToolInputError(`"${key}" must not be empty`);
  return v;
}

export function optInt(input: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new ToolInputError(`"${key}" must be an integer from ${min} to ${max}`);
  return v;
}

/** Cuts `s` to at most `max` UTF-8 bytes, saying how much was left out. */
export function capText(s: string, max: number, what = 'output'): string {
  const bytes = Buffer.byteLength(s);
  if (bytes <= max) return s;
  let cut = Buffer.from(s).subarray(0, max).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1); // do not end on half a character
  return `${cut}\n[… ${what} truncated: ${bytes} bytes, showing the first ${max}]`;
}
