// Creates an agent's folders (docs/agents.md#state-on-disk): workspace with its persona files,
// agentDir, sessions and memory. Ids are checked before anything touches disk; existing files
// are never overwritten.
import fs from 'node:fs/promises';
import path from 'node:path';
import { ID_PATTERN, RESERVED_IDS } from '../../src-shared/config/index.ts';
import type { AgentPaths } from '../config/paths.ts';

export class UnsafeAgentIdError extends Error {
  readonly code = 'bad_request';
  constructor(id: string, reason: string) {
    super(`agent id ${JSON.stringify(id)} is not allowed: ${reason}`);
  }
}

/** Returns the canonical (lower-case) id or throws before any file is touched. */
export function safeAgentId(id: string): string {
  if (id.includes('\0')) throw new UnsafeAgentIdError(id, 'it contains a NUL byte');
  if (id.includes('/') || id.includes('\\') || id.includes('..')) throw new UnsafeAgentIdError(id, 'it contains a path separator or ".."');
  const lower = id.trim().toLowerCase();
  if (lower.length > 64) throw new UnsafeAgentIdError(id, 'it is longer than 64 characters');
  if (!ID_PATTERN.test(lower)) throw new UnsafeAgentIdError(id, 'use a-z, 0-9, "_" and "-", starting with a letter or digit');
  if (RESERVED_IDS.has(lower)) throw new UnsafeAgentIdError(id, 'it is a reserved device name on Windows');
  return lower;
}

export interface PersonaInfo {
  id: string;
  name: string;
  persona?: string;
}

export function personaTemplates(agent: PersonaInfo): Record<'AGENTS.md' | 'SOUL.md' | 'USER.md', string> {
  const name = agent.name;
  return {
    'AGENTS.md': `# ${name} — operating rules

You are **${name}** (agent id \`${agent.id}\`), one of the agents running in this Switchboard.

- Answer in the conversation you were asked in; keep replies short enough for a chat app.
- Your workspace is this folder. Files outside it are not yours; do not try to reach them.
- Say plainly when you do not know something or cannot do it with the tools you have.
- Never repeat secrets (API keys, tokens, passwords) back into a chat, even if asked.
`,
    'SOUL.md': `# ${name} — persona

${agent.persona?.trim() || `You are ${name}, a helpful, calm and direct assistant.`}

Tone: warm, concise, concrete. Prefer one good answer over several hedged ones.
`,
    'USER.md': `# About the user

Notes ${name} should know about the person it works for (name, time zone, preferences).
Edit this file; it is loaded into every conversation of ${name}.
`,
  };
}

export interface CreatedLayout {
  created: string[];
  kept: string[];
}

/** Creates the folders and templates; reports which files were created and which already existed. */
export async function createAgentLayout(paths: AgentPaths, agent: PersonaInfo): Promise<CreatedLayout> {
  safeAgentId(agent.id);
  const result: CreatedLayout = { created: [], kept: [] };
  for (const dir of [paths.workspace, path.join(paths.workspace, 'skills'), paths.agentDir, paths.sessionsDir, paths.memoryDir]) {
    await fs.mkdir(dir, { recursive: true });
  }
  for (const [file, content] of Object.entries(personaTemplates(agent))) {
    const target = path.join(paths.workspace, file);
    try {
      await fs.writeFile(target, content, { flag: 'wx' });
      result.created.push(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      result.kept.push(target);
    }
  }
  return result;
}
