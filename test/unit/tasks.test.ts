// Specification of agent task lists (issue 8): task_add / task_list / task_update over the
// agent's pool, isolation between agents with agent scope, shared pools visible exactly to their
// members, and the dashboard's view (tasks.list / tasks.update helpers) of one agent's list.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAgentTasks, TaskNotFoundError, TaskPool, TASKS_FILE, updateAgentTask } from '../../src-main/agents/tasks/index.ts';
import { resolvePool } from '../../src-main/agents/memory/index.ts';
import { ToolRegistry } from '../../src-main/agents/tools/index.ts';
import { agentContext } from '../helpers/agent-context.ts';
import { homeAndWorkConfig } from '../helpers/config.ts';
import type { SwitchboardConfig } from '../../src-shared/config/index.ts';

let tmp: string;
const registry = new ToolRegistry();

beforeEach(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sb-tasks-')));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const config = (extra: Record<string, unknown>[] = []): SwitchboardConfig => homeAndWorkConfig(tmp, extra);

async function call(cfg: ReturnType<typeof config>, agentId: string, name: string, input: Record<string, unknown>) {
  return registry.execute(name, input, agentContext(cfg, tmp, agentId));
}

describe('task tools', () => {
  it('adds a task with due date and notes to agents/<id>/tasks and lists it', async () => {
    const cfg = config();
    const added = await call(cfg, 'home', 'task_add', { title: 'Renew passport', due: '2026-03-14', notes: 'photo booth first' });
    expect(added.isError).toBe(false);
    const listed = await call(cfg, 'home', 'task_list', {});
    expect(listed.output).toBe('t1 [open, due 2026-03-14] Renew passport — photo booth first');
    await expect(fs.stat(path.join(tmp, 'agents', 'home', 'tasks', TASKS_FILE))).resolves.toBeTruthy();
  });

  it('updates status, due and notes, and filters the list by status', async () => {
    const cfg = config();
    await call(cfg, 'home', 'task_add', { title: 'Call plumber' });
    await call(cfg, 'home', 'task_add', { title: 'Buy stamps', due: '2026-01-02' });
    await call(cfg, 'home', 'task_update', { id: 't1', status: 'done', notes: 'fixed on Monday' });
    expect((await call(cfg, 'home', 'task_list', { status: 'open' })).output).toBe('t2 [open, due 2026-01-02] Buy stamps');
    expect((await call(cfg, 'home', 'task_list', { status: 'done' })).output).toBe('t1 [done] Call plumber — fixed on Monday');
  });

  it('clears a due date with an empty string', async () => {
    const cfg = config();
    await call(cfg, 'home', 'task_add', { title: 'Water plants', due: '2026-05-01' });
    await call(cfg, 'home', 'task_update', { id: 't1', due: '' });
    expect((await call(cfg, 'home', 'task_list', {})).output).toBe('t1 [open] Water plants');
  });

  it('rejects a due date that is not a date', async () => {
    const res = await call(config(), 'home', 'task_add', { title: 'x', due: 'next tuesday' });
    expect(res.isError).toBe(true);
    expect(res.output).toContain('must be a date');
  });

  it('rejects an unknown status', async () => {
    const cfg = config();
    await call(cfg, 'home', 'task_add', { title: 'x' });
    expect((await call(cfg, 'home', 'task_update', { id: 't1', status: 'archived' })).isError).toBe(true);
  });
});

describe('task isolation', () => {
  it("an agent with agent scope neither lists nor updates another agent's tasks", async () => {
    const cfg = config();
    await call(cfg, 'home', 'task_add', { title: 'Surprise party for Anna' });
    expect((await call(cfg, 'work', 'task_list', {})).output).not.toContain('Surprise');
    const upd = await call(cfg, 'work', 'task_update', { id: 't1', status: 'cancelled' });
    expect(upd.isError).toBe(true);
    expect((await call(cfg, 'home', 'task_list', {})).output).toContain('[open] Surprise party');
  });

  it('a shared pool is visible exactly to the agents that name it', async () => {
    const cfg = config([
      { id: 'mum', tasks: { pool: 'family' } },
      { id: 'dad', tasks: { pool: 'family' } },
      { id: 'club', tasks: { pool: 'tennis' } },
    ]);
    await call(cfg, 'mum', 'task_add', { title: 'Book the summer camp' });
    expect((await call(cfg, 'dad', 'task_list', {})).output).toContain('Book the summer camp');
    expect((await call(cfg, 'dad', 'task_update', { id: 't1', status: 'done' })).isError).toBe(false);
    for (const outsider of ['club', 'home']) expect((await call(cfg, outsider, 'task_list', {})).output).not.toContain('summer camp');
    await expect(fs.stat(path.join(tmp, 'tasks', 'family', TASKS_FILE))).resolves.toBeTruthy();
  });
});

describe('dashboard view (tasks.list / tasks.update)', () => {
  it("lists exactly the named agent's tasks with its pool", async () => {
    const cfg = config();
    await call(cfg, 'home', 'task_add', { title: 'home task' });
    await call(cfg, 'work', 'task_add', { title: 'work task' });
    const list = await listAgentTasks(cfg, tmp, 'work');
    expect({ scope: list.scope, pool: list.pool, titles: list.tasks.map((t) => t.title) }).toEqual({
      scope: 'agent',
      pool: 'work',
      titles: ['work task'],
    });
  });

  it('updates a task that the agent then sees', async () => {
    const cfg = config();
    await call(cfg, 'home', 'task_add', { title: 'Pay rent' });
    await updateAgentTask(cfg, tmp, 'home', 't1', { status: 'done', notes: 'paid by transfer' });
    expect((await call(cfg, 'home', 'task_list', {})).output).toBe('t1 [done] Pay rent — paid by transfer');
  });

  it("cannot reach another agent's task through the wrong agent id", async () => {
    const cfg = config();
    await call(cfg, 'home', 'task_add', { title: 'Pay rent' });
    await expect(updateAgentTask(cfg, tmp, 'work', 't1', { status: 'done' })).rejects.toThrow(TaskNotFoundError);
  });
});

describe('task file', () => {
  it('keeps every concurrent update', async () => {
    const pool = new TaskPool(resolvePool('tasks', config().agents.list[0]!, tmp));
    await Promise.all(Array.from({ length: 20 }, (_, i) => pool.add({ title: `task ${i}`, author: 'home' })));
    expect(new Set((await pool.list()).map((t) => t.id)).size).toBe(20);
  });
});
