// Skills (docs/skills-a2a-reset.md#skills): a folder with SKILL.md in the workspace's `skills/`
// (the agent's own) or in `<stateDir>/skills/` (shared; `agents.list[].skills` restricts which an
// agent sees). Names are validated and every read goes through the workspace confinement
// (no traversal, no symlinks).
import path from 'node:path';
import type { AgentConfig } from '../../src-shared/config/index.ts';
import { listWorkspaceDir, readWorkspaceFile, WorkspaceAccessError } from './workspace-fs.ts';

export const SKILL_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const SKILL_FILE = 'SKILL.md';
export const SKILL_FILE_MAX = 64 * 1024;
const MAX_SKILLS = 200;

export type SkillSource = 'agent' | 'shared';

export interface SkillSummary {
  name: string;
  description: string;
  source: SkillSource;
}

export interface Skill extends SkillSummary {
  instructions: string;
  truncated: boolean;
}

/** Where an agent's skills come from. */
export interface SkillSources {
  workspace: string;
  /** Absent: shared skills are not looked up. */
  stateDir?: string;
  agent: Pick<AgentConfig, 'skills'>;
}

export class SkillError extends Error {
  override name = 'SkillError';
}

export function sharedSkillsDir(stateDir: string): string {
  return path.join(stateDir, 'skills');
}

export function isValidSkillName(name: unknown): name is string {
  return typeof name === 'string' && SKILL_NAME_RE.test(name);
}

/** Parses SKILL.md: `---` front matter (`name:`, `description:`), or leading `name:`/`description:` lines, or `# title` + first line. */
export function parseSkillFile(text: string): { name?: string; description: string; instructions: string } {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const meta: Record<string, string> = {};
  let body = src;
  const fm = /^---\n([\s\S]*?)\n---\n?/.exec(src);
  const takeKeys = (lines: string[]): number => {
    let n = 0;
    for (const line of lines) {
      const m = /^\s*(name|description)\s*:\s*(.*)$/i.exec(line);
      if (!m) break;
      meta[m[1]!.toLowerCase()] = m[2]!.trim().replace(/^["']|["']$/g, '');
      n++;
    }
    return n;
  };
  if (fm) {
    for (const line of fm[1]!.split('\n')) takeKeys([line]);
    body = src.slice(fm[0].length);
  } else {
    const lines = src.split('\n');
    const n = takeKeys(lines);
    if (n > 0) body = lines.slice(n).join('\n');
    else {
      const nonEmpty = lines.findIndex((l) => l.trim() !== '');
      const head = lines[nonEmpty] ?? '';
      if (/^#\s+/.test(head)) {
        meta.name = head.replace(/^#\s+/, '').trim();
        const desc = lines.slice(nonEmpty + 1).find((l) => l.trim() !== '');
        if (desc) meta.description = desc.trim();
      }
    }
  }
  const instructions = body.trim();
  const description =
    meta.description ||
    instructions
      .split('\n')
      .find((l) => l.trim() !== '' && !l.startsWith('#'))
      ?.trim() ||
    '';
  return { ...(meta.name ? { name: meta.name } : {}), description: description.slice(0, 300), instructions };
}

/** Shared skills this agent may use: all, or only those named in `agents.list[].skills`. */
function sharedAllowed(agent: Pick<AgentConfig, 'skills'>, name: string): boolean {
  return agent.skills === undefined || agent.skills.map((s) => s.trim().toLowerCase()).includes(name);
}

/** Skill folder names under `root/rel` (links, files and invalid names skipped); [] when missing. */
async function skillFolders(root: string, rel: string): Promise<string[]> {
  try {
    const { entries } = await listWorkspaceDir(root, rel, MAX_SKILLS * 4);
    return entries
      .filter((e) => e.endsWith('/'))
      .map((e) => e.slice(0, -1))
      .filter(isValidSkillName);
  } catch (err) {
    if (err instanceof WorkspaceAccessError || (err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Reads one SKILL.md through the confinement; null when it is missing or refused. */
async function readSkill(root: string, rel: string, name: string, source: SkillSource): Promise<Skill | null> {
  try {
    const file = await readWorkspaceFile(root, rel, SKILL_FILE_MAX);
    const parsed = parseSkillFile(file.bytes.toString('utf8'));
    return { name, description: parsed.description, source, instructions: parsed.instructions, truncated: file.truncated };
  } catch (err) {
    if (err instanceof WorkspaceAccessError || (err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The skills an agent sees, sorted by name: its own first in precedence over shared ones of the same name. */
export async function listSkills(src: SkillSources): Promise<SkillSummary[]> {
  const found = new Map<string, SkillSummary>();
  for (const name of await skillFolders(src.workspace, 'skills')) {
    const s = await readSkill(src.workspace, `skills/${name}/${SKILL_FILE}`, name, 'agent');
    if (s) found.set(name, { name, description: s.description, source: 'agent' });
  }
  if (src.stateDir) {
    const shared = sharedSkillsDir(src.stateDir);
    for (const name of await skillFolders(shared, '.')) {
      if (found.has(name) || !sharedAllowed(src.agent, name)) continue;
      const s = await readSkill(shared, `${name}/${SKILL_FILE}`, name, 'shared');
      if (s) found.set(name, { name, description: s.description, source: 'shared' });
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).slice(0, MAX_SKILLS);
}

/** Loads one skill by name (own first, then an allowed shared one); throws SkillError otherwise. */
export async function loadSkill(src: SkillSources, name: string): Promise<Skill> {
  if (!isValidSkillName(name))
    throw new SkillError(`"${name}" is not a valid skill name (lower-case letters, digits, "-" and "_", up to 64 characters)`);
  const own = await readSkill(src.workspace, `skills/${name}/${SKILL_FILE}`, name, 'agent');
  if (own) return own;
  if (src.stateDir && sharedAllowed(src.agent, name)) {
    const shared = await readSkill(sharedSkillsDir(src.stateDir), `${name}/${SKILL_FILE}`, name, 'shared');
    if (shared) return shared;
  }
  throw new SkillError(`there is no skill "${name}" available to you`);
}
