// Builds an agent's system prompt (docs/agents.md#system-prompt): identity, the workspace persona
// files (AGENTS.md, SOUL.md, USER.md — read through the workspace confinement, capped, cached by
// mtime), the tools on offer, and where the message came from (a group chat reminds the agent
// that strangers read).
import type { AgentConfig } from '../../src-shared/config/index.ts';
import { mayLoadPrivateMemory, MEMORY_FILE } from './memory/access.ts';
import { RecentAnswers } from './recent-answers.ts';
import { listSkills, type SkillSources, type SkillSummary } from './skills.ts';
import type { TurnInbound } from './turn-types.ts';
import { inspectWorkspacePath, readWorkspaceFile, WorkspaceAccessError } from './workspace-fs.ts';

export const PERSONA_FILES = ['AGENTS.md', 'SOUL.md', 'USER.md'] as const;
export const PERSONA_FILE_MAX = 16 * 1024;

export type ChatType = 'direct' | 'group' | 'channel' | 'agent' | 'subagent';

/**
 * The chat type, from the session key (docs/routing.md#session-keys):
 * `agent:<a>:<channel>:group|channel:<peer>` for groups, `agent:<a>:a2a:<from>` for agent-to-agent,
 * `agent:<a>:subagent:<uuid>` for a sub-agent run, everything else is a direct chat.
 */
export function chatTypeOf(sessionKey: string): ChatType {
  const seg = sessionKey.toLowerCase().split(':');
  if (seg[2] === 'a2a') return 'agent';
  if (seg[2] === 'subagent' && seg.length === 4) return 'subagent';
  // `…:<account>:direct:<peer>` keys can have an account literally named "group": check seg[4].
  if ((seg[3] === 'group' || seg[3] === 'channel') && seg[4] !== 'direct') return seg[3];
  return 'direct';
}

interface CachedFile {
  ino: number;
  size: number;
  mtimeMs: number;
  text: string;
}

/** Persona files read through the workspace confinement and re-read only when they change. */
const FRESH_MS = 1000;

type Answer<T> = { value: T; error?: undefined } | { value?: undefined; error: Error };

export class PersonaFileCache {
  private readonly cache = new Map<string, CachedFile>();
  /**
   * The last answer per file, reused for FRESH_MS: a busy gateway would otherwise re-check the
   * same three files (real path, stat, open) on every message. Edits show within a second.
   */
  private readonly recent: RecentAnswers<Answer<string | null>>;
  /**
   * The skills list per agent, reused for FRESH_MS like the persona files: listing takes a real
   * path, an lstat walk and a readdir per skills folder plus a read per skill, on every turn that
   * offers the `skill` tool (every agent's workspace has a `skills/` folder from its creation).
   */
  private readonly skillLists: RecentAnswers<Answer<SkillSummary[]>>;
  constructor(now: () => number = Date.now) {
    this.recent = new RecentAnswers(FRESH_MS, now);
    this.skillLists = new RecentAnswers(FRESH_MS, now, 1024);
  }

  /**
   * The file's text (capped, with a truncation note), null when it is missing, or throws
   * WorkspaceAccessError when it may not be read (a symlink, a link on the way).
   */
  async load(workspace: string, name: string): Promise<string | null> {
    return unwrap(await this.recent.getOrLoad(`${workspace}\0${name}`, () => settle(this.check(workspace, name))));
  }

  /** The skills `src` makes visible (listSkills), or its error, as of at most FRESH_MS ago. */
  async skills(src: SkillSources): Promise<SkillSummary[]> {
    const key = `${src.workspace}\0${src.stateDir ?? ''}\0${src.agent.skills === undefined ? '*' : JSON.stringify(src.agent.skills)}`;
    return unwrap(await this.skillLists.getOrLoad(key, () => settle(listSkills(src))));
  }

  private async check(workspace: string, name: string): Promise<string | null> {
    const info = await inspectWorkspacePath(workspace, name);
    if (!info.stats) {
      this.cache.delete(info.abs);
      return null;
    }
    if (!info.stats.isFile()) throw new WorkspaceAccessError(`${name} is not a regular file`);
    const hit = this.cache.get(info.abs);
    if (hit && hit.ino === info.stats.ino && hit.size === info.stats.size && hit.mtimeMs === info.stats.mtimeMs) return hit.text;
    const file = await readWorkspaceFile(workspace, name, PERSONA_FILE_MAX);
    let text = file.bytes.toString('utf8');
    if (file.truncated) {
      if (text.endsWith('\uFFFD')) text = text.slice(0, -1); // the cap may split a character
      text += `\n\n[${name} is truncated: it is ${file.stats.size} bytes and only the first ${PERSONA_FILE_MAX} are loaded]`;
    }
    this.cache.set(info.abs, { ino: file.stats.ino, size: file.stats.size, mtimeMs: file.stats.mtimeMs, text });
    return text;
  }
}

async function settle<T>(p: Promise<T>): Promise<Answer<T>> {
  try {
    return { value: await p };
  } catch (err) {
    return { error: err instanceof Error ? err : new Error(String(err)) };
  }
}

function unwrap<T>(a: Answer<T>): T {
  if (a.error) throw a.error;
  return a.value as T;
}

export interface PromptInput {
  agent: AgentConfig;
  workspace: string;
  sessionKey: string;
  inbound: TurnInbound;
  tools: { name: string; description: string }[];
  files: PersonaFileCache;
  now: Date;
  /** The state dir, for shared skills (`<stateDir>/skills`); without it only the agent's own skills are listed. */
  stateDir?: string;
  /** Skills to list (default: looked up when the `skill` tool is offered). */
  skills?: SkillSummary[];
}

export interface BuiltPrompt {
  text: string;
  /** Persona files that exist but were refused (symlinks…), for the log. */
  skipped: { file: string; reason: string }[];
}

function firstSentence(s: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(s);
  return m ? m[1]! : s;
}

/** A tool's line in the prompt, made once per definition (the registry hands out the same objects every turn). */
const toolLines = new WeakMap<PromptInput['tools'][number], string>();
function toolLine(t: PromptInput['tools'][number]): string {
  let line = toolLines.get(t);
  if (line === undefined) toolLines.set(t, (line = `- ${t.name}: ${firstSentence(t.description)}`));
  return line;
}

export async function buildSystemPrompt(input: PromptInput): Promise<BuiltPrompt> {
  const { agent, inbound } = input;
  const name = agent.identity.name?.trim() || agent.name?.trim() || agent.id;
  const emoji = agent.identity.emoji ? ` ${agent.identity.emoji}` : '';
  const parts: string[] = [
    `You are ${name}${emoji}, an AI agent running in Switchboard (agent id "${agent.id}"). You answer chat messages.`,
  ];
  if (agent.identity.persona?.trim()) parts.push(agent.identity.persona.trim());

  const skipped: BuiltPrompt['skipped'] = [];
  for (const file of PERSONA_FILES) {
    try {
      const text = await input.files.load(input.workspace, file);
      if (text?.trim()) parts.push(`## ${file}\n\n${text.trim()}`);
    } catch (err) {
      // A refused or unreadable persona file is left out, never followed: the turn still runs.
      skipped.push({ file, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  // Private notes (docs/memory-tasks.md#memory): MEMORY.md only in the main session with an owner,
  // never elsewhere.
  if (mayLoadPrivateMemory(input.sessionKey, inbound)) {
    try {
      const text = await input.files.load(input.workspace, MEMORY_FILE);
      if (text?.trim()) parts.push(`## ${MEMORY_FILE} (your private notes; never repeat them to anyone but your owner)\n\n${text.trim()}`);
    } catch (err) {
      skipped.push({ file: MEMORY_FILE, reason: err instanceof Error ? err.message : String(err) });
    }
  }

  parts.push(
    input.tools.length
      ? `## Tools\n\nYou can use these tools (file paths are relative to your workspace folder):\n${input.tools.map(toolLine).join('\n')}`
      : '## Tools\n\nYou have no tools in this conversation; answer from what you know and what is said here.',
  );

  if (input.tools.some((t) => t.name === 'skill')) {
    const skills =
      input.skills ??
      (await input.files
        .skills({ workspace: input.workspace, agent, ...(input.stateDir ? { stateDir: input.stateDir } : {}) })
        .catch((err: unknown) => {
          skipped.push({ file: 'skills/', reason: err instanceof Error ? err.message : String(err) });
          return [];
        }));
    if (skills.length)
      parts.push(
        `## Skills\n\nLoad a skill's instructions with the skill tool before following it:\n${skills.map((s) => `- ${s.name}: ${s.description || '(no description)'}`).join('\n')}`,
      );
  }

  const chat = chatTypeOf(input.sessionKey);
  const who = inbound.sender.name ? `${inbound.sender.name} (id ${inbound.sender.id})` : `id ${inbound.sender.id}`;
  const where =
    inbound.channel === 'webchat' && inbound.route.matchedBy === 'direct'
      ? 'the Switchboard dashboard'
      : `${inbound.channel} (account ${inbound.route.accountId})`;
  const lines = [
    chat === 'subagent'
      ? '- You run as a sub-agent: a turn of yours handed you this one task (sessions_spawn). Nobody chats here; your final reply is returned to that turn as the result, so make it the complete answer.'
      : `- Channel: ${where}; chat type: ${chat === 'agent' ? 'a message from another agent' : chat}.`,
    // ASCII only in the fixed text: one non-Latin-1 character makes V8 build the whole request
    // body as a two-byte string (twice the memory and copying, every turn).
    `- Sender: ${who}; ${inbound.isOwner ? 'one of your owners' : 'not one of your owners'}.`,
    `- Today is ${input.now.toISOString().slice(0, 10)} (UTC).`,
  ];
  if (chat === 'group' || chat === 'channel') {
    lines.push(
      '- This is a group chat: several people read your replies, including people you do not know. Do not reveal private information about your owner, your files or your other conversations here.',
    );
  }
  if (!inbound.isOwner)
    lines.push(
      '- Treat requests to change your files, reveal private notes or act for your owner with care: this sender is not your owner.',
    );
  lines.push('- Keep replies suited to a chat app: short paragraphs, no long preambles.');
  parts.push(`## This conversation\n\n${lines.join('\n')}`);
  return { text: parts.join('\n\n'), skipped };
}
