// sessions_spawn (docs/heartbeat-subagents.md#sub-agents-sessions_spawn): hands one task to a
// sub-agent — a new turn of this same agent in a child session — and returns its final text as
// the tool result. The gateway runs it (ctx.spawner) and enforces depth and concurrency limits.
import { capText, reqString, ToolInputError, type ToolContext, type ToolDef } from './types.ts';

const TASK_MAX = 16 * 1024;
const LABEL_MAX = 80;
const RESULT_MAX = 32 * 1024;

function spawnUnavailable(ctx: ToolContext): string | null {
  return ctx.spawner ? null : 'sessions_spawn is not available: sub-agents run only inside the gateway';
}

export const sessionsSpawnTool: ToolDef = {
  name: 'sessions_spawn',
  description:
    'Hand one self-contained task to a sub-agent: a fresh run of yourself in a new session, without this chat history, with the same tools and rights as this turn. Waits until it finishes and returns its final answer. Put everything the sub-agent needs to know into the task.',
  inputSchema: {
    type: 'object',
    properties: {
      task: { type: 'string', description: 'The task, complete: the sub-agent sees nothing else.' },
      label: { type: 'string', description: `A short name for the sub-agent's session (at most ${LABEL_MAX} characters).` },
    },
    required: ['task'],
    additionalProperties: false,
  },
  unavailableReason: spawnUnavailable,
  async run(input, ctx) {
    const task = reqString(input, 'task').trim();
    if (task === '') throw new ToolInputError('"task" must not be blank');
    if (Buffer.byteLength(task) > TASK_MAX) throw new ToolInputError(`"task" is longer than ${TASK_MAX} bytes`);
    const rawLabel = input.label;
    if (rawLabel !== undefined && typeof rawLabel !== 'string') throw new ToolInputError('"label" must be a string');
    const label = rawLabel?.replace(/\s+/g, ' ').trim() || undefined;
    if (label && label.length > LABEL_MAX) throw new ToolInputError(`"label" is longer than ${LABEL_MAX} characters`);
    const refusal = spawnUnavailable(ctx);
    if (refusal) return { output: refusal, isError: true };
    const res = await ctx.spawner!(task, label, ctx.signal);
    if (!res.ok) {
      const where = res.sessionKey ? ` (session ${res.sessionKey})` : '';
      return { output: `sessions_spawn failed${where}: ${res.reason}`, isError: true, summary: `sub-agent failed${where}` };
    }
    return {
      output: capText(`result of sub-agent ${res.sessionKey}${label ? ` "${label}"` : ''}:\n${res.text}`, RESULT_MAX),
      summary: `sub-agent ${res.sessionKey} finished`,
    };
  },
};
