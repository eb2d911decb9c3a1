// agents.files.get / agents.files.set (src-shared/protocol/persona-methods.ts): the agent page's
// editor for the persona files in the agent's own workspace. The name is one of three fixed ones
// (the schema refuses any other), and every read and write goes through the workspace confinement
// (workspace-fs.ts: inside the real workspace path, no link on the way, the opened file the one checked).
import { ControlError } from '../../src-shared/protocol/errors.ts';
import { PERSONA_FILE_NAMES, type PERSONA_METHODS, type PersonaFileName } from '../../src-shared/protocol/persona-methods.ts';
import type { Handlers } from '../control/service.ts';
import { PERSONA_FILE_MAX } from '../agents/prompt.ts';
import { readWorkspaceFile, resolveWorkspacePath, writeWorkspaceFile, WorkspaceAccessError } from '../agents/workspace-fs.ts';
import type { Gateway } from './gateway.ts';

/** What may be read back: more than the prompt loads, so a long file is shown whole rather than cut. */
const READ_MAX = 4 * PERSONA_FILE_MAX;

export function personaHandlers(gateway: Gateway, knownAgent: (agentId: string) => string): Handlers<typeof PERSONA_METHODS> {
  function workspaceOf(agentId: string): { id: string; workspace: string } {
    const id = knownAgent(agentId);
    const agent = gateway.currentConfig.agents.list.find((a) => a.id === id)!;
    return { id, workspace: gateway.pathsOf(agent).workspace };
  }

  /** Belt and braces beside the schema: a name is a bare file name from the fixed list, never a path. */
  function fileName(name: string): PersonaFileName {
    if (!(PERSONA_FILE_NAMES as readonly string[]).includes(name))
      throw new ControlError('bad_request', `"${name}" is not a persona file (${PERSONA_FILE_NAMES.join(', ')})`);
    return name as PersonaFileName;
  }

  async function confined<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WorkspaceAccessError) throw new ControlError('bad_request', `${what}: ${err.message}`);
      throw err;
    }
  }

  return {
    async 'agents.files.get'({ agentId, name }) {
      const { id, workspace } = workspaceOf(agentId);
      const file = fileName(name);
      return confined(`${file} of agent "${id}"`, async () => {
        const where = await resolveWorkspacePath(workspace, file).catch((err: unknown) => {
          // No workspace folder yet: the file simply does not exist.
          if (err instanceof WorkspaceAccessError && /does not exist/.test(err.message)) return undefined;
          throw err;
        });
        if (!where) return { agentId: id, name: file, path: `${workspace}/${file}`, exists: false, content: '' };
        try {
          const read = await readWorkspaceFile(workspace, file, READ_MAX);
          if (read.truncated)
            throw new ControlError(
              'bad_request',
              `${file} of agent "${id}" is larger than ${READ_MAX} bytes; edit it in a text editor (${where.abs})`,
            );
          return { agentId: id, name: file, path: where.abs, exists: true, content: read.bytes.toString('utf8') };
        } catch (err) {
          if (err instanceof WorkspaceAccessError && /no such file/.test(err.message))
            return { agentId: id, name: file, path: where.abs, exists: false, content: '' };
          throw err;
        }
      });
    },

    async 'agents.files.set'({ agentId, name, content }) {
      const { id, workspace } = workspaceOf(agentId);
      const file = fileName(name);
      return confined(`${file} of agent "${id}" was not written`, async () => {
        const written = await writeWorkspaceFile(workspace, file, content);
        const where = await resolveWorkspacePath(workspace, file);
        return { agentId: id, name: file, path: where.abs, bytes: written.bytes, created: written.created };
      });
    },
  };
}
