// The `skill {name}` tool: loads one skill's instructions on demand (the system prompt lists the
// names and descriptions). Own skills come from the workspace, shared ones from <stateDir>/skills.
import { statSync } from 'node:fs';
import path from 'node:path';
import { RecentAnswers } from '../recent-answers.ts';
import { listSkills, loadSkill, sharedSkillsDir, SkillError, type SkillSources } from '../skills.ts';
import { capText, reqString, ToolInputError, type ToolContext, type ToolDef } from './types.ts';

const SKILL_OUTPUT_MAX = 64 * 1024;

/** Sessions always live in `<stateDir>/agents/<id>/sessions` (docs/agents.md#state-on-disk): the state dir is three levels up. */
export function skillSources(ctx: Pick<ToolContext, 'agent' | 'paths'>): SkillSources {
  return { workspace: ctx.paths.workspace, stateDir: path.resolve(ctx.paths.sessionsDir, '..', '..', '..'), agent: ctx.agent };
}

/**
 * Whether `p` is a folder, re-checked at most once a second per path: the check runs on every
 * turn, and a busy gateway would otherwise make two blocking stat calls per message. A skills
 * folder created meanwhile is offered within a second.
 */
const dirSeen = new RecentAnswers<boolean>(1000, () => Date.now(), 1024);
function isDir(p: string): boolean {
  const seen = dirSeen.get(p);
  if (seen !== undefined) return seen;
  const yes = statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
  dirSeen.set(p, yes);
  return yes;
}

/** The two skills folders of an agent's paths, worked out once per paths object (every turn asks). */
const skillDirs = new WeakMap<ToolContext['paths'], { own: string; shared?: string }>();

/** The tool is offered only when a skills folder exists (own or shared). */
function noSkills(ctx: ToolContext): string | null {
  let dirs = skillDirs.get(ctx.paths);
  if (!dirs) {
    const { workspace, stateDir } = skillSources(ctx);
    skillDirs.set(
      ctx.paths,
      (dirs = { own: path.join(workspace, 'skills'), ...(stateDir !== undefined ? { shared: sharedSkillsDir(stateDir) } : {}) }),
    );
  }
  return isDir(dirs.own) || (dirs.shared !== undefined && isDir(dirs.shared)) ? null : 'there are no skills folders';
}

export const skillTool: ToolDef = {
  name: 'skill',
  description: 'Load the instructions of one of your skills (listed in the system prompt) by name.',
  inputSchema: {
    type: 'object',
    properties: { name: { type: 'string', description: 'The skill name, e.g. "weekly-report".' } },
    required: ['name'],
    additionalProperties: false,
  },
  unavailableReason: noSkills,
  async run(input, ctx) {
    const name = reqString(input, 'name').trim();
    try {
      const s = await loadSkill(skillSources(ctx), name);
      const note = s.truncated ? '\n\n[SKILL.md is truncated]' : '';
      return {
        output: capText(`# Skill ${s.name} (${s.source})\n${s.description}\n\n${s.instructions}${note}`, SKILL_OUTPUT_MAX),
        summary: `loaded skill ${s.name}`,
      };
    } catch (err) {
      if (!(err instanceof SkillError)) throw err;
      const names = (await listSkills(skillSources(ctx)).catch(() => [])).map((s) => s.name);
      throw new ToolInputError(`${err.message}; available: ${names.length ? names.join(', ') : 'none'}`);
    }
  },
};
