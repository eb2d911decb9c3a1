// Task tools: task_add {title, due?, notes?}, task_list {status?} and task_update {id, status?,
// due?, notes?} over the agent's task pool (its own by default, or the shared pool it names).
import { PoolNameError, resolvePool, stateDirOf, describePool, type PoolRef } from '../memory/pools.ts';
import { isTaskStatus, TaskInputError, TaskNotFoundError, TaskPool, TASK_STATUSES, type Task, type TaskPatch } from '../tasks/index.ts';
import { capText, reqString, ToolInputError, type ToolContext, type ToolDef } from './types.ts';

const LIST_OUTPUT_MAX = 32 * 1024;

function poolOf(ctx: ToolContext): PoolRef {
  return resolvePool('tasks', ctx.agent, stateDirOf(ctx.paths));
}

function refusal(ctx: ToolContext): string | null {
  try {
    poolOf(ctx);
    return null;
  } catch (err) {
    if (err instanceof PoolNameError) return `tasks are unavailable: ${err.message}`;
    throw err;
  }
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TaskInputError || err instanceof TaskNotFoundError || err instanceof PoolNameError)
      throw new ToolInputError(err.message);
    throw err;
  }
}

/** A string, `null` (clear) or absent. */
function optText(input: Record<string, unknown>, key: string): string | null | undefined {
  const v = input[key];
  if (v === undefined || v === null) return v;
  if (typeof v !== 'string') throw new ToolInputError(`"${key}" must be a string`);
  return v;
}

export function formatTask(t: Task, shared = false): string {
  const bits = [t.status, t.due ? `due ${t.due}` : '', shared ? `added by ${t.author}` : ''].filter(Boolean).join(', ');
  return `${t.id} [${bits}] ${t.title}${t.notes ? ` — ${t.notes.replace(/\s+/g, ' ')}` : ''}`;
}

export const taskAddTool: ToolDef = {
  name: 'task_add',
  description: 'Add a task to your task list (kept across sessions), optionally with a due date and notes.',
  inputSchema: {
    type: 'object',
    properties: {
      title: { type: 'string', description: 'What needs doing.' },
      due: { type: 'string', description: 'Optional due date: 2026-03-14 or 2026-03-14T09:00.' },
      notes: { type: 'string', description: 'Optional details.' },
    },
    required: ['title'],
    additionalProperties: false,
  },
  unavailableReason: refusal,
  async run(input, ctx) {
    const title = reqString(input, 'title');
    const due = optText(input, 'due');
    const notes = optText(input, 'notes');
    const ref = poolOf(ctx);
    const task = await guarded(() =>
      new TaskPool(ref).add({ title, author: ctx.agent.id, ...(due ? { due } : {}), ...(notes ? { notes } : {}) }),
    );
    return { output: `added ${formatTask(task)} to ${describePool(ref)}`, summary: `added ${task.id}` };
  },
};

export const taskListTool: ToolDef = {
  name: 'task_list',
  description: 'List your tasks (open first, then by due date); filter by status open, done or cancelled.',
  inputSchema: {
    type: 'object',
    properties: { status: { type: 'string', enum: [...TASK_STATUSES], description: 'Only tasks with this status (default: all).' } },
    additionalProperties: false,
  },
  unavailableReason: refusal,
  async run(input, ctx) {
    const status = input.status ?? undefined;
    if (status !== undefined && !isTaskStatus(status)) throw new ToolInputError(`"status" must be one of ${TASK_STATUSES.join(', ')}`);
    const ref = poolOf(ctx);
    const tasks = await guarded(() => new TaskPool(ref).list(status));
    if (!tasks.length) return { output: `no ${status ? `${status} ` : ''}tasks in ${describePool(ref)}`, summary: '0 tasks' };
    return {
      output: capText(tasks.map((t) => formatTask(t, ref.scope === 'shared')).join('\n'), LIST_OUTPUT_MAX),
      summary: `${tasks.length} tasks`,
    };
  },
};

export const taskUpdateTool: ToolDef = {
  name: 'task_update',
  description: 'Change a task from task_list: its status (open, done, cancelled), due date or notes; an empty string clears due or notes.',
  inputSchema: {
    type: 'object',
    properties: {
      id: { type: 'string', description: 'Task id, e.g. t3.' },
      status: { type: 'string', enum: [...TASK_STATUSES] },
      due: { type: 'string', description: 'New due date, or "" to clear it.' },
      notes: { type: 'string', description: 'New notes (replacing the old ones), or "" to clear them.' },
    },
    required: ['id'],
    additionalProperties: false,
  },
  unavailableReason: refusal,
  async run(input, ctx) {
    const id = reqString(input, 'id').trim();
    const status = input.status ?? undefined;
    if (status !== undefined && !isTaskStatus(status)) throw new ToolInputError(`"status" must be one of ${TASK_STATUSES.join(', ')}`);
    const due = optText(input, 'due');
    const notes = optText(input, 'notes');
    if (status === undefined && due === undefined && notes === undefined)
      throw new ToolInputError('nothing to change: give status, due or notes');
    const patch: TaskPatch = {
      ...(status !== undefined ? { status } : {}),
      ...(due !== undefined ? { due } : {}),
      ...(notes !== undefined ? { notes } : {}),
    };
    const task = await guarded(() => new TaskPool(poolOf(ctx)).update(id, patch));
    return { output: `updated ${formatTask(task)}`, summary: `updated ${task.id}` };
  },
};

export const TASK_TOOLS: readonly ToolDef[] = [taskAddTool, taskListTool, taskUpdateTool];
