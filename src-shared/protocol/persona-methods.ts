// Control methods for an agent's workspace persona files (AGENTS.md, SOUL.md, USER.md — what the
// system prompt loads): the agent page reads and rewrites them. Only these names, only inside
// that agent's own workspace (docs/security.md, "Persona files from the dashboard").
import { z } from 'zod';
import { defineMethod } from './contract.ts';

export const PERSONA_FILE_NAMES = ['AGENTS.md', 'SOUL.md', 'USER.md'] as const;
export type PersonaFileName = (typeof PERSONA_FILE_NAMES)[number];

/** The prompt loads at most 16 KiB of each (PERSONA_FILE_MAX); a file may be a little longer than what it reads. */
export const PERSONA_FILE_WRITE_MAX = 64 * 1024;

const agentId = z.string().min(1).max(64);
const name = z.enum(PERSONA_FILE_NAMES, {
  error: () =>
    `expected one of the persona files ${PERSONA_FILE_NAMES.join(', ')}; no other file of the workspace can be read or written here`,
});

export const PERSONA_METHODS = {
  /** The file as it is in the agent's workspace now (`exists: false` and '' when there is none). */
  'agents.files.get': defineMethod({
    params: z.object({ agentId, name }),
    result: z.object({ agentId: z.string(), name: z.string(), path: z.string(), exists: z.boolean(), content: z.string() }),
  }),
  /** Replaces the file (written atomically, never through a link); created when missing. */
  'agents.files.set': defineMethod({
    params: z.object({ agentId, name, content: z.string().max(PERSONA_FILE_WRITE_MAX) }),
    result: z.object({ agentId: z.string(), name: z.string(), path: z.string(), bytes: z.number(), created: z.boolean() }),
    mutating: true,
  }),
};
