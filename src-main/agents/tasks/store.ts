// One task pool on disk: <dir>/tasks.json ({ version, nextId, tasks }), rewritten atomically
// (temp file + rename) under a per-file queue, so tools and the dashboard never lose an update.
// Small by nature: every call reads the file, so another process's edits show at once.
import fs from 'node:fs/promises';
import path from 'node:path';
import { atomicWrite } from '../../state/atomic-write.ts';
import type { PoolRef } from '../memory/pools.ts';

export const TASKS_FILE = 'tasks.json';
export const TASK_STATUSES = ['open', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_TITLE_MAX = 500;
export const TASK_NOTES_MAX = 4000;
export const TASKS_MAX = 5000;

export interface Task {
  id: string;
  title: string;
  status: TaskStatus;
  /** `YYYY-MM-DD` or an ISO date-time. */
  due?: string;
  notes?: string;
  createdAt: string;
  updatedAt: string;
  /** Who added it: an agent id, or `dashboard`. */
  author: string;
}

interface TaskFile {
  version: 1;
  nextId: number;
  tasks: Task[];
}

/** A change to a task; `null` clears `due` or `notes`. */
export interface TaskPatch {
  status?: TaskStatus;
  due?: string | null;
  notes?: string | null;
}

export class TaskInputError extends Error {
  override name = 'TaskInputError';
}
export class TaskNotFoundError extends Error {
  override name = 'TaskNotFoundError';
}

export function isTaskStatus(v: unknown): v is TaskStatus {
  return typeof v === 'string' && (TASK_STATUSES as readonly string[]).includes(v);
}

/** `YYYY-MM-DD` or a full ISO date-time that is a real date; returned trimmed. */
export function checkDue(raw: string): string {
  const due = raw.trim();
  const ok =
    /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(due) &&
    !Number.isNaN(Date.parse(due.length === 10 ? `${due}T00:00:00Z` : due));
  if (!ok) throw new TaskInputError(`due "${raw}" must be a date like 2026-03-14 or 2026-03-14T09:00`);
  return due;
}

function checkNotes(notes: string): string {
  if (notes.length > TASK_NOTES_MAX) throw new TaskInputError(`notes are longer than ${TASK_NOTES_MAX} characters`);
  return notes;
}

/** Per-file queues shared by every TaskPool object of the process. */
const queues = new Map<string, Promise<unknown>>();

export class TaskPool {
  readonly file: string;

  constructor(
    readonly ref: PoolRef,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.file = path.join(ref.dir, TASKS_FILE);
  }

  /** Tasks, optionally of one status: open first, then by due date (undated last), then oldest first. */
  async list(status?: TaskStatus): Promise<Task[]> {
    const { tasks } = await this.read();
    const order = (t: Task): number => TASK_STATUSES.indexOf(t.status);
    return tasks
      .filter((t) => !status || t.status === status)
      .sort(
        (a, b) => order(a) - order(b) || (a.due ?? '\uffff').localeCompare(b.due ?? '\uffff') || a.createdAt.localeCompare(b.createdAt),
      );
  }

  async get(id: string): Promise<Task | undefined> {
    return (await this.read()).tasks.find((t) => t.id === id);
  }

  add(input: { title: string; due?: string; notes?: string; author: string }): Promise<Task> {
    const title = input.title.trim();
    if (!title) return Promise.reject(new TaskInputError('the title is empty'));
    if (title.length > TASK_TITLE_MAX) return Promise.reject(new TaskInputError(`the title is longer than ${TASK_TITLE_MAX} characters`));
    return this.modify((f) => {
      if (f.tasks.length >= TASKS_MAX) throw new TaskInputError(`this task list is full (${TASKS_MAX} tasks)`);
      const at = this.now().toISOString();
      const task: Task = {
        id: `t${f.nextId++}`,
        title,
        status: 'open',
        createdAt: at,
        updatedAt: at,
        author: input.author,
        ...(input.due?.trim() ? { due: checkDue(input.due) } : {}),
        ...(input.notes?.trim() ? { notes: checkNotes(input.notes.trim()) } : {}),
      };
      f.tasks.push(task);
      return task;
    });
  }

  update(id: string, patch: TaskPatch): Promise<Task> {
    return this.modify((f) => {
      const task = f.tasks.find((t) => t.id === id);
      if (!task) throw new TaskNotFoundError(`there is no task ${id} in this list`);
      if (patch.status !== undefined) {
        if (!isTaskStatus(patch.status)) throw new TaskInputError(`status must be one of ${TASK_STATUSES.join(', ')}`);
        task.status = patch.status;
      }
      if (patch.due === null || patch.due?.trim() === '') delete task.due;
      else if (patch.due !== undefined) task.due = checkDue(patch.due);
      if (patch.notes === null || patch.notes?.trim() === '') delete task.notes;
      else if (patch.notes !== undefined) task.notes = checkNotes(patch.notes.trim());
      task.updatedAt = this.now().toISOString();
      return { ...task };
    });
  }

  private async read(): Promise<TaskFile> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, nextId: 1, tasks: [] };
      throw err;
    }
    const v = JSON.parse(text) as Partial<TaskFile>;
    if (v.version !== 1 || !Array.isArray(v.tasks))
      throw new Error(`${this.file} is not a Switchboard task list (version ${String(v.version)})`);
    const tasks = v.tasks.filter(
      (t): t is Task =>
        typeof t === 'object' && t !== null && typeof t.id === 'string' && typeof t.title === 'string' && isTaskStatus(t.status),
    );
    const maxId = Math.max(0, ...tasks.map((t) => Number(t.id.slice(1)) || 0));
    return { version: 1, nextId: Math.max(typeof v.nextId === 'number' ? v.nextId : 1, maxId + 1), tasks };
  }

  /** Read, change, write atomically — one at a time per file. */
  private modify<T>(change: (f: TaskFile) => T): Promise<T> {
    const prev = queues.get(this.file) ?? Promise.resolve();
    const run = prev.then(async () => {
      const f = await this.read();
      const result = change(f);
      await atomicWrite(this.file, `${JSON.stringify(f, null, 1)}\n`);
      return result;
    });
    const tail = run.catch(() => undefined);
    queues.set(this.file, tail);
    void tail.then(() => {
      if (queues.get(this.file) === tail) queues.delete(this.file);
    });
    return run;
  }
}
