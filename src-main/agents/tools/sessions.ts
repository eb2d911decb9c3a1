// Session tools: sessions_list, sessions_history and session_status over this agent's own store
// (another agent's sessions are refused, docs/agents.md#isolation), and sessions_send for agent-to-agent messages,
// which needs tools.agentToAgent.enabled and both agents in its allow list. A sender who is not an
// owner sees only the session the turn runs in: the owner's other conversations stay private.
import type { TranscriptRecord } from '../../sessions/index.ts';
import { capText, optInt, reqString, ToolInputError, type ToolContext, type ToolDef } from './types.ts';

const HISTORY_OUTPUT_MAX = 32 * 1024;
const LINE_MAX = 2000;
const SEND_TEXT_MAX = 16 * 1024;

/** The store handed to the tools must be this agent's; anything else is a wiring bug, refused. */
function ownStore(ctx: ToolContext): ToolContext['store'] {
  if (ctx.store.agentId !== ctx.agent.id)
    throw new Error(`session store of agent "${ctx.store.agentId}" handed to agent "${ctx.agent.id}"`);
  return ctx.store;
}

/** `agent:<id>:…` (archived: `…#<sessionId>`) → `<id>`; null when the key names no agent. */
export function sessionKeyAgent(key: string): string | null {
  const m = /^agent:([^:]+):/i.exec(key);
  return m ? m[1]!.toLowerCase() : null;
}

/** Sessions other than the current one are the owners' business (docs/security.md). */
function privateSessionRefusal(key: string, ctx: ToolContext): string | null {
  if (ctx.inbound.isOwner || key.toLowerCase() === ctx.sessionKey.toLowerCase()) return null;
  return `sessions_history refused: session ${key} is private to this agent's owners, and the sender of this message is not one of its owners; only the current session (${ctx.sessionKey}) can be read.`;
}

const oneLine = (s: string, max = LINE_MAX): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

function formatRecord(r: TranscriptRecord): string | null {
  const ts = typeof r.ts === 'string' ? r.ts.slice(0, 19).replace('T', ' ') : '';
  const text = typeof r.text === 'string' ? r.text : '';
  switch (r.type) {
    case 'message': {
      const sender = r.sender as { name?: unknown; id?: unknown } | undefined;
      const who =
        r.role === 'user' && sender && (typeof sender.name === 'string' || typeof sender.id === 'string')
          ? ` (${String(sender.name ?? sender.id)})`
          : '';
      return `[${ts}] ${String(r.role)}${who}${r.incomplete ? ' [incomplete]' : ''}: ${oneLine(text)}`;
    }
    case 'tool_call':
      return `[${ts}] tool call ${String(r.name)} ${oneLine(JSON.stringify(r.input ?? {}), 300)}`;
    case 'tool_result':
      return `[${ts}] tool result ${String(r.name)}${r.isError ? ' (error)' : ''}: ${oneLine(String(r.output ?? ''), 300)}`;
    case 'error':
      return `[${ts}] error ${String(r.kind)}: ${oneLine(String(r.message ?? ''), 300)}`;
    default:
      return null; // session headers, meta records
  }
}

export const sessionsListTool: ToolDef = {
  name: 'sessions_list',
  description: 'List your own chat sessions (most recent first): key, title, last update, message and token counts.',
  inputSchema: {
    type: 'object',
    properties: { limit: { type: 'integer', minimum: 1, maximum: 200, description: 'How many (default 50).' } },
    additionalProperties: false,
  },
  async run(input, ctx) {
    const limit = optInt(input, 'limit', 1, 200) ?? 50;
    const mine = ownStore(ctx).list();
    const all = ctx.inbound.isOwner ? mine : mine.filter((s) => s.key.toLowerCase() === ctx.sessionKey.toLowerCase());
    const rows = all.slice(0, limit).map((s) => {
      const flags = [s.key === ctx.sessionKey ? 'current' : '', s.archived ? 'archived' : ''].filter(Boolean).join(', ');
      return `${s.key}${flags ? ` (${flags})` : ''} — ${s.title ? `"${oneLine(s.title, 80)}", ` : ''}updated ${s.updated}, ${s.messages} messages, ${s.inputTokens + s.outputTokens} tokens`;
    });
    const more = all.length > rows.length ? `\n[… ${all.length - rows.length} more]` : '';
    const note = ctx.inbound.isOwner
      ? ''
      : "\n[only the current session is shown: the sender of this message is not one of this agent's owners]";
    return { output: (rows.length ? rows.join('\n') + more : 'no sessions yet') + note, summary: `${all.length} sessions` };
  },
};

export const sessionsHistoryTool: ToolDef = {
  name: 'sessions_history',
  description: 'Read the latest records of one of your own sessions (use a key from sessions_list).',
  inputSchema: {
    type: 'object',
    properties: {
      sessionKey: { type: 'string', description: 'Session key, e.g. agent:<you>:main.' },
      limit: { type: 'integer', minimum: 1, maximum: 200, description: 'How many records (default 30).' },
    },
    required: ['sessionKey'],
    additionalProperties: false,
  },
  async run(input, ctx) {
    const key = reqString(input, 'sessionKey').trim();
    const limit = optInt(input, 'limit', 1, 200) ?? 30;
    const refused = privateSessionRefusal(key, ctx);
    if (refused) return { output: refused, isError: true, summary: `${key}: refused (private)` };
    const owner = sessionKeyAgent(key);
    if (owner !== ctx.agent.id.toLowerCase()) {
      throw new ToolInputError(
        owner
          ? `session ${key} belongs to agent "${owner}"; you can only read your own sessions`
          : `${key} is not a session key of yours (they start with agent:${ctx.agent.id}:)`,
      );
    }
    const store = ownStore(ctx);
    if (!store.get(key)) throw new ToolInputError(`you have no session ${key}; sessions_list shows the keys`);
    const page = await store.history(key, { limit });
    const lines = page.records.map(formatRecord).filter((l): l is string => l !== null);
    const head = page.hasMore ? '[older records not shown]\n' : '';
    return {
      output: capText(head + (lines.join('\n') || 'no messages'), HISTORY_OUTPUT_MAX),
      summary: `${lines.length} records of ${key}`,
    };
  },
};

export const sessionStatusTool: ToolDef = {
  name: 'session_status',
  description: 'Show the current session: its key, the model you run on, and tokens used (this turn and the whole session).',
  inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  async run(_input, ctx) {
    const entry = ownStore(ctx).get(ctx.sessionKey);
    const status = {
      sessionKey: ctx.sessionKey,
      agentId: ctx.agent.id,
      model: ctx.model,
      channel: ctx.inbound.channel,
      thisTurn: ctx.usage(),
      session: entry
        ? { messages: entry.messages, inputTokens: entry.inputTokens, outputTokens: entry.outputTokens, created: entry.created }
        : null,
    };
    return { output: JSON.stringify(status, null, 2), summary: `${ctx.sessionKey} on ${ctx.model}` };
  },
};

/** Null when this agent may message others at all (the target is checked at call time). */
function a2aRefusal(ctx: ToolContext): string | null {
  const a2a = ctx.config.tools.agentToAgent;
  if (!a2a.enabled) return 'agent-to-agent messaging is turned off (tools.agentToAgent.enabled is false)';
  if (!a2a.allow.includes(ctx.agent.id.toLowerCase())) return `agent "${ctx.agent.id}" is not in tools.agentToAgent.allow`;
  return null;
}

export const sessionsSendTool: ToolDef = {
  name: 'sessions_send',
  description:
    'Send a message to another agent of this Switchboard and get its reply (only agents allowed by tools.agentToAgent; an exchange between agents stops after tools.agentToAgent.maxTurns hops).',
  inputSchema: {
    type: 'object',
    properties: {
      agentId: { type: 'string', description: 'Id of the agent to message.' },
      text: { type: 'string', description: 'The message.' },
    },
    required: ['agentId', 'text'],
    additionalProperties: false,
  },
  unavailableReason: a2aRefusal,
  async run(input, ctx) {
    const refusal = a2aRefusal(ctx);
    if (refusal) return { output: `sessions_send refused: ${refusal}`, isError: true };
    const target = reqString(input, 'agentId').trim().toLowerCase();
    const text = reqString(input, 'text');
    if (Buffer.byteLength(text) > SEND_TEXT_MAX) throw new ToolInputError(`"text" is longer than ${SEND_TEXT_MAX} bytes`);
    if (target === ctx.agent.id.toLowerCase()) throw new ToolInputError('you cannot send a message to yourself');
    if (!ctx.config.agents.list.some((a) => a.id.toLowerCase() === target)) throw new ToolInputError(`there is no agent "${target}"`);
    if (!ctx.config.tools.agentToAgent.allow.includes(target))
      return { output: `sessions_send refused: agent "${target}" is not in tools.agentToAgent.allow`, isError: true };
    if (!ctx.messenger) return { output: 'sessions_send is not available: agent-to-agent delivery is not running', isError: true };
    const res = await ctx.messenger(ctx.agent.id, target, text, ctx.signal);
    if (!res.ok) return { output: `sessions_send to "${target}" failed: ${res.reason}`, isError: true };
    return { output: capText(`reply from ${target}:\n${res.reply}`, HISTORY_OUTPUT_MAX), summary: `${target} replied` };
  },
};

export const SESSION_TOOLS: readonly ToolDef[] = [sessionsListTool, sessionsHistoryTool, sessionStatusTool, sessionsSendTool];
