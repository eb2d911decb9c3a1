// The tool registry and the per-agent allow/deny policy (docs/agents.md#tools): which tools an
// agent is offered, their Anthropic definitions, and the one place a tool call is executed — a tool
// that is not enabled never runs. memory_*, task_* and skill plug in later through `register()`.
import {
  BUILTIN_TOOLS,
  DEFAULT_DENIED_TOOLS,
  type AgentConfig,
  type SwitchboardConfig,
  type ToolName,
} from '../../../src-shared/config/index.ts';
import { execTool } from './exec.ts';
import { FILE_TOOLS } from './files.ts';
import { MEMORY_TOOLS } from './memory.ts';
import { ownerOnlyRefusal } from './owner-only.ts';
import { SESSION_TOOLS } from './sessions.ts';
import { sessionsSpawnTool } from './spawn.ts';
import { subagentRefusal } from './subagent-policy.ts';
import { TASK_TOOLS } from './tasks.ts';
import { skillTool } from './skill.ts';
import { capText, ToolInputError, type JsonSchemaObject, type ToolContext, type ToolDef, type ToolOutcome } from './types.ts';
import { WorkspaceAccessError } from '../workspace-fs.ts';

/** Cap on what any tool hands back to the model (tools cap themselves lower where it matters). */
export const TOOL_OUTPUT_MAX = 128 * 1024;
const BUILTIN = new Set<string>(BUILTIN_TOOLS);

/**
 * The tool names the config enables for an agent. No `tools.allow`: every built-in except
 * DEFAULT_DENIED_TOOLS, plus `sessions_send` when `tools.agentToAgent` lets this agent message
 * others (docs/skills-a2a-reset.md: the a2a allow list is the opt-in, as in OpenClaw); with
 * `tools.allow`: only those listed. `tools.deny` always wins, and names that are not built-in
 * tools are never enabled (the config checker warns about them).
 */
export function enabledToolNames(
  agent: Pick<AgentConfig, 'tools'> & { id?: string },
  config?: Pick<SwitchboardConfig, 'tools'>,
): Set<ToolName> {
  const norm = (names: readonly string[]): string[] => names.map((n) => n.trim().toLowerCase());
  const deny = new Set(norm(agent.tools.deny));
  const base: string[] = agent.tools.allow ? norm(agent.tools.allow) : BUILTIN_TOOLS.filter((t) => !DEFAULT_DENIED_TOOLS.includes(t));
  if (!agent.tools.allow && agent.id !== undefined && config && a2aMember(agent.id, config)) base.push('sessions_send');
  return new Set(base.filter((n): n is ToolName => BUILTIN.has(n) && !deny.has(n)));
}

/** Whether `tools.agentToAgent` is on and names this agent. */
export function a2aMember(agentId: string, config: Pick<SwitchboardConfig, 'tools'>): boolean {
  const a2a = config.tools.agentToAgent;
  return a2a.enabled && a2a.allow.includes(agentId.toLowerCase());
}

/** Anthropic Messages API tool definition. */
export interface ApiToolDefinition {
  name: string;
  description: string;
  input_schema: JsonSchemaObject;
}

export interface ToolExecution extends ToolOutcome {
  isError: boolean;
  summary: string;
}

export function builtinToolDefs(): ToolDef[] {
  return [...FILE_TOOLS, execTool, ...SESSION_TOOLS, sessionsSpawnTool, skillTool, ...MEMORY_TOOLS, ...TASK_TOOLS];
}

export class ToolRegistry {
  private readonly defs = new Map<string, ToolDef>();

  constructor(defs: readonly ToolDef[] = builtinToolDefs()) {
    for (const d of defs) this.register(d);
  }

  /**
   * Adds a tool implementation (the extension point for memory_*, task_*, skill). Its name must
   * be a built-in tool name so the allow/deny policy applies to it; `replace` swaps an existing one.
   */
  register(def: ToolDef, opts: { replace?: boolean } = {}): this {
    if (!BUILTIN.has(def.name)) throw new Error(`tool "${def.name}" is not a built-in tool name (${BUILTIN_TOOLS.join(', ')})`);
    if (this.defs.has(def.name) && !opts.replace) throw new Error(`tool "${def.name}" is already registered`);
    this.defs.set(def.name, def);
    return this;
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  /** Tools offered to the model in this turn: enabled by config, open to this sender, implemented, usable right now. */
  offered(ctx: ToolContext): ToolDef[] {
    const enabled = enabledToolNames(ctx.agent, ctx.config);
    // A family of tools shares one availability check (memory_*, task_*): asked once per call.
    const reasons = new Map<ToolDef['unavailableReason'], string | null>();
    const unavailable = (d: ToolDef): boolean => {
      if (!d.unavailableReason) return false;
      let r = reasons.get(d.unavailableReason);
      if (r === undefined) reasons.set(d.unavailableReason, (r = d.unavailableReason(ctx)));
      return r !== null;
    };
    return [...this.defs.values()].filter(
      (d) =>
        enabled.has(d.name as ToolName) &&
        ownerOnlyRefusal(d.name, ctx.agent, ctx.inbound) === null &&
        subagentRefusal(d.name, ctx) === null &&
        !unavailable(d),
    );
  }

  definitions(ctx: ToolContext): ApiToolDefinition[] {
    return this.offered(ctx).map(apiDefinition);
  }

  /** Why `name` cannot run in this turn, or null. The policy is re-checked here, not trusted from the offer. */
  refusal(name: string, ctx: ToolContext): string | null {
    if (!enabledToolNames(ctx.agent, ctx.config).has(name as ToolName)) return `tool ${name} is not enabled for this agent`;
    const ownerOnly = ownerOnlyRefusal(name, ctx.agent, ctx.inbound);
    if (ownerOnly) return ownerOnly;
    const subagent = subagentRefusal(name, ctx);
    if (subagent) return subagent;
    const def = this.defs.get(name);
    if (!def) return `tool ${name} is not available in this version of Switchboard`;
    return def.unavailableReason?.(ctx) ?? null;
  }

  /** Runs a tool call; every problem becomes an is_error result for the model, never a throw. */
  async execute(name: string, input: unknown, ctx: ToolContext): Promise<ToolExecution> {
    const refused = this.refusal(name, ctx);
    if (refused) return done({ output: refused, isError: true });
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      return done({ output: `tool ${name}: the input must be a JSON object`, isError: true });
    const def = this.defs.get(name)!;
    try {
      return done(await def.run(input as Record<string, unknown>, ctx));
    } catch (err) {
      if (err instanceof ToolInputError || err instanceof WorkspaceAccessError)
        return done({ output: `${name}: ${err.message}`, isError: true });
      const code = (err as NodeJS.ErrnoException).code;
      const msg = err instanceof Error ? err.message : String(err);
      return done({ output: `${name} failed${code ? ` (${code})` : ''}: ${msg}`, isError: true });
    }
  }
}

/** The API's form of each tool, made once: every turn sends the same ones. */
const apiForms = new WeakMap<ToolDef, ApiToolDefinition>();
function apiDefinition(d: ToolDef): ApiToolDefinition {
  let api = apiForms.get(d);
  if (!api) apiForms.set(d, (api = { name: d.name, description: d.description, input_schema: d.inputSchema }));
  return api;
}

function done(o: ToolOutcome): ToolExecution {
  const output = capText(o.output, TOOL_OUTPUT_MAX);
  const first = output.split('\n', 1)[0] ?? '';
  return { output, isError: o.isError === true, summary: o.summary ?? (first.length > 200 ? `${first.slice(0, 200)}…` : first) };
}
